/**
 * The schema for the whole spec (guides/data-model.md), on PGlite and
 * PostgreSQL alike. Later features fill these tables; their shape and
 * indexes are here from the start because retrofitting them is expensive.
 */
import { sql, type Kysely } from "kysely";

const ZERO = "'00000000-0000-0000-0000-000000000000'::uuid";

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
create table workspaces (
  id uuid primary key,
  name text not null,
  slug text not null unique,
  settings jsonb not null default '{}'::jsonb,
  created_at timestamptz not null
);

create table regions (
  id uuid primary key,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  name text not null,
  unique (workspace_id, name)
);
create table branches (
  id uuid primary key,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  region_id uuid references regions(id) on delete set null,
  name text not null,
  unique (workspace_id, name)
);

create table members (
  id uuid primary key,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  email text not null,
  display_name text not null,
  role text not null check (role in ('admin','supervisor','cs_manager','agent','sales_manager','sales','marketing_agent')),
  region_id uuid references regions(id) on delete set null,
  branch_id uuid references branches(id) on delete set null,
  active boolean not null default true,
  password_hash text,
  locale text not null default 'zh-TW',
  avatar_url text,
  created_at timestamptz not null,
  deactivated_at timestamptz
);
create unique index members_ws_email on members (workspace_id, lower(email));
create index members_email on members (lower(email));

create table sessions (
  token_hash text primary key,
  member_id uuid not null references members(id) on delete cascade,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  created_at timestamptz not null,
  expires_at timestamptz not null
);
create index sessions_member on sessions (member_id);

create table api_tokens (
  id uuid primary key,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  member_id uuid references members(id) on delete cascade,
  name text not null,
  token_hash text not null unique,
  scopes text[] not null default '{}',
  created_at timestamptz not null,
  last_used_at timestamptz,
  revoked_at timestamptz
);

create table channels (
  id uuid primary key,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  platform text not null check (platform in ('line','messenger','instagram','whatsapp','wechat','webchat','api')),
  name text not null,
  external_id text,
  credentials jsonb not null default '{}'::jsonb,
  settings jsonb not null default '{}'::jsonb,
  active boolean not null default true,
  created_at timestamptz not null
);
create index channels_ws on channels (workspace_id);
create unique index channels_platform_external on channels (platform, external_id) where external_id is not null;

create table contacts (
  id uuid primary key,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  display_name text not null default '',
  email text,
  phone text,
  phone_digits text,
  note text,
  avatar_url text,
  store_member_id text,
  profile jsonb not null default '{}'::jsonb,
  blocked boolean not null default false,
  blacklisted_at timestamptz,
  unsubscribed_at timestamptz,
  last_page_url text,
  last_page_title text,
  online boolean not null default false,
  last_seen_at timestamptz,
  hidden_fields text[] not null default '{}',
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index contacts_ws_blacklisted on contacts (workspace_id) where blacklisted_at is not null;

create table contact_identities (
  id uuid primary key,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  channel_id uuid not null references channels(id) on delete cascade,
  contact_id uuid not null references contacts(id) on delete cascade,
  platform_user_id text not null,
  display_name text,
  avatar_url text,
  followed boolean not null default true,
  omo_binding jsonb,
  created_at timestamptz not null,
  unique (channel_id, platform_user_id)
);
create index contact_identities_contact on contact_identities (contact_id);

create table line_groups (
  id uuid primary key,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  channel_id uuid not null references channels(id) on delete cascade,
  platform_group_id text not null,
  group_type text not null default 'group' check (group_type in ('group','room')),
  name text not null default '' check (char_length(name) <= 50),
  picture_url text,
  note text check (char_length(note) <= 1000),
  member_count int not null default 0,
  account_in_group boolean not null default true,
  created_at timestamptz not null,
  unique (channel_id, platform_group_id)
);
create table line_group_members (
  id uuid primary key,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  group_id uuid not null references line_groups(id) on delete cascade,
  platform_user_id text not null,
  display_name text,
  contact_id uuid references contacts(id) on delete set null,
  joined_at timestamptz,
  left_at timestamptz,
  unique (group_id, platform_user_id)
);

create table conversations (
  id uuid primary key,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  channel_id uuid not null references channels(id) on delete cascade,
  kind text not null check (kind in ('individual','group')),
  contact_id uuid references contacts(id) on delete cascade,
  identity_id uuid unique references contact_identities(id) on delete cascade,
  group_id uuid unique references line_groups(id) on delete cascade,
  state text not null check (state in ('pending','processing','closed')),
  queue text check (queue in ('human','bot')),
  follower_id uuid references members(id),
  last_handler_id uuid references members(id),
  is_collaborative boolean not null default false,
  followed_at timestamptz,
  last_message_at timestamptz not null,
  last_message_preview text not null default '',
  last_message_sender text,
  waiting_since timestamptz,
  last_customer_message_at timestamptz,
  last_human_reply_at timestamptz,
  last_staff_reply_at timestamptz,
  unread_count int not null default 0,
  closed_at timestamptz,
  closed_reason text,
  reopenable boolean not null default true,
  active boolean not null default true,
  last_exported_at timestamptz,
  version int not null default 0,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  -- LIFE-5, guides/data-model.md invariants, enforced by the database itself
  check ((state = 'pending') = (queue is not null)),
  check ((state = 'processing') = (follower_id is not null)),
  check ((kind = 'individual') = (identity_id is not null)),
  check ((kind = 'group') = (group_id is not null))
);
-- One index per inbox view, matching its filter and sort (keyset on (key, id)).
create index conv_pending on conversations (workspace_id, queue, last_message_at desc, id desc) where state = 'pending';
create index conv_pending_ch on conversations (workspace_id, channel_id, queue, last_message_at desc, id desc) where state = 'pending';
create index conv_pending_wait on conversations (workspace_id, queue, waiting_since, id) where state = 'pending' and waiting_since is not null;
create index conv_my_proc on conversations (follower_id, last_message_at desc, id desc) where state = 'processing';
create index conv_my_proc_follow on conversations (follower_id, followed_at desc, id desc) where state = 'processing';
create index conv_my_proc_wait on conversations (follower_id, waiting_since, id) where state = 'processing' and waiting_since is not null;
create index conv_team_proc on conversations (workspace_id, last_message_at desc, id desc) where state = 'processing';
create index conv_team_proc_ch on conversations (workspace_id, channel_id, last_message_at desc, id desc) where state = 'processing';
create index conv_team_proc_follow on conversations (workspace_id, followed_at desc, id desc) where state = 'processing';
create index conv_team_proc_wait on conversations (workspace_id, waiting_since, id) where state = 'processing' and waiting_since is not null;
create index conv_my_closed on conversations (last_handler_id, last_message_at desc, id desc) where state = 'closed';
create index conv_team_closed on conversations (workspace_id, last_message_at desc, id desc) where state = 'closed';
create index conv_team_closed_ch on conversations (workspace_id, channel_id, last_message_at desc, id desc) where state = 'closed';
create index conv_contact on conversations (contact_id);

create table conversation_participants (
  conversation_id uuid not null references conversations(id) on delete cascade,
  member_id uuid not null references members(id) on delete cascade,
  workspace_id uuid not null,
  position int not null,
  added_by uuid,
  added_at timestamptz not null,
  primary key (conversation_id, member_id)
);
create index participants_member on conversation_participants (member_id);

create table conversation_member_state (
  conversation_id uuid not null references conversations(id) on delete cascade,
  member_id uuid not null references members(id) on delete cascade,
  workspace_id uuid not null,
  unread_count int not null default 0,
  pinned_at timestamptz,
  last_read_at timestamptz,
  primary key (conversation_id, member_id)
);
create index cms_member_unread on conversation_member_state (member_id) where unread_count > 0;
create index cms_member_pinned on conversation_member_state (member_id, pinned_at desc) where pinned_at is not null;

create table status_log (
  id uuid primary key,
  workspace_id uuid not null,
  conversation_id uuid not null references conversations(id) on delete cascade,
  at timestamptz not null,
  actor_member_id uuid references members(id) on delete set null,
  kind text not null,
  text text not null,
  data jsonb not null default '{}'::jsonb,
  state text not null,
  queue text,
  follower_id uuid
);
create index status_log_conv on status_log (conversation_id, at, id);

create table messages (
  id uuid primary key,
  workspace_id uuid not null,
  conversation_id uuid not null references conversations(id) on delete cascade,
  channel_id uuid not null references channels(id) on delete cascade,
  direction text not null check (direction in ('in','out')),
  sender_kind text not null check (sender_kind in ('customer','bot','agent','system')),
  sender_member_id uuid references members(id) on delete set null,
  sender_group_member_id uuid references line_group_members(id) on delete set null,
  kind text not null,
  content jsonb not null default '{}'::jsonb,
  text text not null default '',
  search_tokens text[] not null default '{}',
  platform_message_id text,
  quoted_message_id uuid references messages(id) on delete set null,
  quoted_platform_message_id text,
  status text check (status in ('sending','sent','received','read','failed')),
  status_reason text,
  status_at timestamptz,
  unsent_at timestamptz,
  edited_at timestamptz,
  media_expires_at timestamptz,
  client_message_id text,
  created_at timestamptz not null,
  unique (channel_id, platform_message_id)
);
create index messages_conv on messages (conversation_id, created_at desc, id desc);
create index messages_search on messages using gin (search_tokens);
create index messages_out_unread on messages (conversation_id, created_at) where direction = 'out' and status in ('sent','received');
create unique index messages_client_id on messages (conversation_id, client_message_id) where client_message_id is not null;

create table webhook_events (
  id uuid primary key,
  workspace_id uuid not null,
  channel_id uuid not null references channels(id) on delete cascade,
  event_key text not null,
  payload jsonb not null,
  received_at timestamptz not null,
  processed_at timestamptz,
  error text,
  unique (channel_id, event_key)
);

create table jobs (
  id bigserial primary key,
  queue text not null,
  payload jsonb not null,
  dedupe_key text unique,
  status text not null default 'queued' check (status in ('queued','running','done','failed')),
  run_at timestamptz not null,
  attempts int not null default 0,
  max_attempts int not null default 8,
  locked_until timestamptz,
  last_error text,
  created_at timestamptz not null,
  finished_at timestamptz
);
create index jobs_due on jobs (run_at, id) where status = 'queued';
create index jobs_running on jobs (locked_until) where status = 'running';

-- Read models: view counts maintained by trigger in the same transaction
-- (never recounted per request, see guides/architecture.md principle 7).
create table view_counters (
  workspace_id uuid not null,
  channel_id uuid not null,
  bucket text not null,
  member_id uuid not null,
  count int not null default 0,
  primary key (workspace_id, bucket, member_id, channel_id)
);

create table tags (
  id uuid primary key,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  name text not null,
  color text,
  created_at timestamptz not null,
  unique (workspace_id, name)
);
create table contact_tags (
  contact_id uuid not null references contacts(id) on delete cascade,
  tag_id uuid not null references tags(id) on delete cascade,
  workspace_id uuid not null,
  count int not null default 1,
  first_applied_at timestamptz not null,
  last_applied_at timestamptz not null,
  primary key (contact_id, tag_id)
);
create index contact_tags_tag on contact_tags (tag_id);
create table tag_applications (
  id uuid primary key,
  workspace_id uuid not null,
  contact_id uuid not null references contacts(id) on delete cascade,
  tag_id uuid not null references tags(id) on delete cascade,
  conversation_id uuid,
  channel_id uuid,
  actor_member_id uuid references members(id) on delete set null,
  automation text,
  at timestamptz not null
);
create index tag_applications_ws_at on tag_applications (workspace_id, at);

create table keyword_rules (
  id uuid primary key,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  kind text not null check (kind in ('auto_reply','auto_assign')),
  name text not null default '',
  keywords text[] not null,
  match_mode text not null default 'exact' check (match_mode in ('exact','contains')),
  replies jsonb not null default '[]'::jsonb,
  assign_member_id uuid references members(id) on delete set null,
  states text[] not null default '{bot}',
  channel_ids uuid[],
  active boolean not null default true,
  priority int not null default 0,
  created_at timestamptz not null
);
create index keyword_rules_ws on keyword_rules (workspace_id) where active;

create table community_codes (
  workspace_id uuid not null references workspaces(id) on delete cascade,
  channel_id uuid references channels(id) on delete cascade,
  code text not null check (code ~ '^[0-9]{6}$'),
  primary key (workspace_id, code)
);

create table saved_replies (
  id uuid primary key,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  kind text not null default 'custom' check (kind in ('custom','bot')),
  title text not null,
  category text,
  items jsonb not null default '[]'::jsonb,
  audience jsonb not null default '{"all":true}'::jsonb,
  owner_member_id uuid references members(id) on delete set null,
  created_at timestamptz not null,
  updated_at timestamptz not null
);

create table products (
  id uuid primary key,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  external_id text not null,
  name text not null,
  url text not null,
  image_url text,
  price numeric,
  currency text,
  updated_at timestamptz not null,
  unique (workspace_id, external_id)
);
create table referral_links (
  id uuid primary key,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  token text not null unique,
  message_id uuid references messages(id) on delete set null,
  member_id uuid references members(id) on delete set null,
  contact_id uuid references contacts(id) on delete set null,
  product_ids uuid[] not null,
  clicks int not null default 0,
  created_at timestamptz not null
);
create table orders (
  id uuid primary key,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  contact_id uuid references contacts(id) on delete cascade,
  external_id text not null,
  status text,
  total numeric,
  currency text,
  items jsonb not null default '[]'::jsonb,
  referral_link_id uuid references referral_links(id) on delete set null,
  placed_at timestamptz not null,
  unique (workspace_id, external_id)
);
create index orders_contact on orders (contact_id, placed_at desc);
create table carts (
  contact_id uuid primary key references contacts(id) on delete cascade,
  workspace_id uuid not null,
  items jsonb not null default '[]'::jsonb,
  updated_at timestamptz not null
);

create table message_templates (
  id uuid primary key,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  channel_id uuid not null references channels(id) on delete cascade,
  name text not null,
  language text not null,
  category text,
  components jsonb not null default '[]'::jsonb,
  status text not null default 'approved',
  unique (channel_id, name, language)
);
create table broadcasts (
  id uuid primary key,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  created_by uuid references members(id) on delete set null,
  channel_id uuid references channels(id) on delete cascade,
  kind text not null,
  content jsonb not null,
  audience jsonb not null default '{}'::jsonb,
  status text not null,
  scheduled_at timestamptz,
  sent_at timestamptz,
  created_at timestamptz not null
);
create table broadcast_recipients (
  broadcast_id uuid not null references broadcasts(id) on delete cascade,
  contact_id uuid not null references contacts(id) on delete cascade,
  identity_id uuid references contact_identities(id) on delete cascade,
  status text not null,
  message_id uuid,
  primary key (broadcast_id, contact_id)
);
create table recent_stickers (
  member_id uuid not null references members(id) on delete cascade,
  sticker_key text not null,
  sticker jsonb not null,
  used_at timestamptz not null,
  primary key (member_id, sticker_key)
);
create table notifications (
  id uuid primary key,
  workspace_id uuid not null,
  member_id uuid not null references members(id) on delete cascade,
  kind text not null,
  text text not null,
  data jsonb not null default '{}'::jsonb,
  created_at timestamptz not null,
  read_at timestamptz
);
create index notifications_member on notifications (member_id, created_at desc);
create table exports (
  id uuid primary key,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  kind text not null,
  requested_by uuid references members(id) on delete set null,
  params jsonb not null default '{}'::jsonb,
  status text not null,
  result jsonb,
  created_at timestamptz not null,
  finished_at timestamptz
);
`.execute(db);

  // View counters: every insert/update/delete of a conversation moves its
  // count from its old bucket to its new one, inside the same transaction.
  await sql.raw(`
create function conv_bucket(state text, queue text) returns text language sql immutable as $$
  select case state when 'pending' then 'pending_' || queue else state end
$$;

create function bump_counter(ws uuid, ch uuid, b text, m uuid, delta int) returns void language plpgsql as $$
begin
  insert into view_counters (workspace_id, channel_id, bucket, member_id, count)
  values (ws, ch, b, coalesce(m, ${ZERO}), delta)
  on conflict (workspace_id, bucket, member_id, channel_id)
  do update set count = view_counters.count + excluded.count;
end $$;

create function conv_counts() returns trigger language plpgsql as $$
declare
  old_b text; new_b text; old_m uuid; new_m uuid;
begin
  if tg_op in ('UPDATE','DELETE') then
    old_b := conv_bucket(old.state, old.queue);
    old_m := case old.state when 'processing' then old.follower_id when 'closed' then old.last_handler_id else null end;
  end if;
  if tg_op in ('UPDATE','INSERT') then
    new_b := conv_bucket(new.state, new.queue);
    new_m := case new.state when 'processing' then new.follower_id when 'closed' then new.last_handler_id else null end;
  end if;
  if tg_op = 'UPDATE' and old_b = new_b and old_m is not distinct from new_m and old.channel_id = new.channel_id then
    return new;
  end if;
  if old_b is not null then perform bump_counter(old.workspace_id, old.channel_id, old_b, old_m, -1); end if;
  if new_b is not null then perform bump_counter(new.workspace_id, new.channel_id, new_b, new_m, 1); end if;
  if tg_op = 'DELETE' then return old; end if;
  return new;
end $$;

create trigger conversations_counts after insert or update of state, queue, follower_id, last_handler_id, channel_id or delete
  on conversations for each row execute function conv_counts();

-- Per-member count of conversations with unread messages (the badge on 我的處理中).
create function cms_counts() returns trigger language plpgsql as $$
declare
  was boolean := false; now_unread boolean := false;
begin
  if tg_op in ('UPDATE','DELETE') then was := old.unread_count > 0; end if;
  if tg_op in ('UPDATE','INSERT') then now_unread := new.unread_count > 0; end if;
  if was and not now_unread then
    perform bump_counter(coalesce(old.workspace_id, new.workspace_id), ${ZERO}, 'unread', coalesce(old.member_id, new.member_id), -1);
  elsif now_unread and not was then
    perform bump_counter(new.workspace_id, ${ZERO}, 'unread', new.member_id, 1);
  end if;
  if tg_op = 'DELETE' then return old; end if;
  return new;
end $$;

create trigger cms_unread_counts after insert or update of unread_count or delete
  on conversation_member_state for each row execute function cms_counts();
`).execute(db);
}

export async function down(): Promise<void> {
  throw new Error("0001_init is the base schema; restore from backup instead of rolling it back");
}
