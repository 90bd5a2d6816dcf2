/**
 * Per-member view counters sharded too (migration 0007 sharded only the
 * shared ones). A batch of customer messages (usecases/ingest-batch.ts)
 * touches the unread and processing counts of many members at once, so two
 * batches running side by side met on those rows, in whatever order their
 * statements reached them: one waited for the other's commit, or both
 * deadlocked until PostgreSQL's detector (1 s) rolled one back. Spread by
 * the database connection like the shared ones, two concurrent transactions
 * rarely share a row. Readers already sum (usecases/count-views.ts).
 */
import { sql, type Kysely } from "kysely";

const ZERO = "'00000000-0000-0000-0000-000000000000'::uuid";
const SHARDS = 32;

export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`
create or replace function bump_counter(ws uuid, ch uuid, b text, m uuid, delta int) returns void language plpgsql as $$
begin
  insert into view_counters (workspace_id, channel_id, bucket, member_id, shard, count)
  values (ws, ch, b, coalesce(m, ${ZERO}), pg_backend_pid() % ${SHARDS}, delta)
  on conflict (workspace_id, bucket, member_id, channel_id, shard)
  do update set count = view_counters.count + excluded.count;
end $$;
`).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  // Rows already spread stay where they are: readers sum every shard.
  await sql.raw(`
create or replace function bump_counter(ws uuid, ch uuid, b text, m uuid, delta int) returns void language plpgsql as $$
begin
  insert into view_counters (workspace_id, channel_id, bucket, member_id, shard, count)
  values (ws, ch, b, coalesce(m, ${ZERO}), case when m is null or m = ${ZERO} then pg_backend_pid() % ${SHARDS} else 0 end, delta)
  on conflict (workspace_id, bucket, member_id, channel_id, shard)
  do update set count = view_counters.count + excluded.count;
end $$;
`).execute(db);
}
