/**
 * Two things the inbound path needs to store a message without waiting on
 * anything but its own conversation (docs/benchmarks.md):
 *
 * 1. Configuration versions. What a channel's webhooks read on every message
 *    and rarely changes (the channel row with its secrets, the workspace's
 *    keyword rules) is cached in each process (src/store/config-cache.ts).
 *    Every change to those rows bumps the workspace's version here, by
 *    trigger, whoever makes it (API, another process, a script); the inbound
 *    transaction reads the version in a statement it runs anyway, so a stale
 *    cache entry is noticed at once, at no extra round trip.
 *
 * 2. Sharded view counters. Every new conversation, and every pending one
 *    that changes queue, moves the channel's pending count: one row per
 *    (workspace, channel, bucket) that each such transaction locked until its
 *    commit, so they ran one at a time per channel. Those counts (member_id
 *    zero) are now spread over SHARDS rows, chosen by the database connection
 *    (a connection runs one transaction at a time, so two concurrent ones
 *    rarely share a row); readers already sum. Per-member counts stay one row:
 *    only transactions about that member's conversations meet there.
 */
import { sql, type Kysely } from "kysely";

const ZERO = "'00000000-0000-0000-0000-000000000000'::uuid";
const SHARDS = 32;

export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`
-- No foreign key: a workspace being deleted cascades to its channels, whose triggers still bump.
create table config_versions (
  workspace_id uuid primary key,
  version bigint not null
);

create function bump_config_version() returns trigger language plpgsql as $$
begin
  insert into config_versions (workspace_id, version)
  values (case tg_op when 'DELETE' then old.workspace_id else new.workspace_id end, 1)
  on conflict (workspace_id) do update set version = config_versions.version + 1;
  -- A row moved to another workspace (never done today) changes both.
  if tg_op = 'UPDATE' and old.workspace_id <> new.workspace_id then
    insert into config_versions (workspace_id, version) values (old.workspace_id, 1)
    on conflict (workspace_id) do update set version = config_versions.version + 1;
  end if;
  return null;
end $$;

create trigger channels_config_version after insert or update or delete on channels
  for each row execute function bump_config_version();
create trigger keyword_rules_config_version after insert or update or delete on keyword_rules
  for each row execute function bump_config_version();

alter table view_counters add column shard smallint not null default 0;
alter table view_counters drop constraint view_counters_pkey;
alter table view_counters add primary key (workspace_id, bucket, member_id, channel_id, shard);

create or replace function bump_counter(ws uuid, ch uuid, b text, m uuid, delta int) returns void language plpgsql as $$
begin
  insert into view_counters (workspace_id, channel_id, bucket, member_id, shard, count)
  values (ws, ch, b, coalesce(m, ${ZERO}), case when m is null or m = ${ZERO} then pg_backend_pid() % ${SHARDS} else 0 end, delta)
  on conflict (workspace_id, bucket, member_id, channel_id, shard)
  do update set count = view_counters.count + excluded.count;
end $$;
`).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(`
create or replace function bump_counter(ws uuid, ch uuid, b text, m uuid, delta int) returns void language plpgsql as $$
begin
  insert into view_counters (workspace_id, channel_id, bucket, member_id, count)
  values (ws, ch, b, coalesce(m, ${ZERO}), delta)
  on conflict (workspace_id, bucket, member_id, channel_id)
  do update set count = view_counters.count + excluded.count;
end $$;
create temporary table folded as
  select workspace_id, channel_id, bucket, member_id, sum(count)::int as count from view_counters group by 1, 2, 3, 4;
delete from view_counters;
alter table view_counters drop constraint view_counters_pkey;
alter table view_counters drop column shard;
alter table view_counters add primary key (workspace_id, bucket, member_id, channel_id);
insert into view_counters (workspace_id, channel_id, bucket, member_id, count) select * from folded;
drop table folded;

drop trigger keyword_rules_config_version on keyword_rules;
drop trigger channels_config_version on channels;
drop function bump_config_version();
drop table config_versions;
`).execute(db);
}
