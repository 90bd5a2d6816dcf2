/** Kysely row types of the tables the code queries (see migrations for all). */
import type { ColumnType, Generated } from "kysely";

type Ts = ColumnType<Date, Date | string, Date | string>;
type Json<T = unknown> = ColumnType<T, string | T, string | T>;

export interface WorkspaceRow { id: string; name: string; slug: string; settings: Json<Record<string, unknown>>; created_at: Ts }
export interface RegionRow { id: string; workspace_id: string; name: string }
export interface BranchRow { id: string; workspace_id: string; region_id: string | null; name: string }
export interface MemberRow {
  id: string; workspace_id: string; email: string; display_name: string; role: string;
  region_id: string | null; branch_id: string | null; active: Generated<boolean>; password_hash: string | null;
  locale: Generated<string>; avatar_url: string | null; created_at: Ts; deactivated_at: Ts | null;
  preferences: ColumnType<Record<string, unknown>, string | undefined, string>;
}
export interface SessionRow { token_hash: string; member_id: string; workspace_id: string; created_at: Ts; expires_at: Ts }
export interface ApiTokenRow {
  id: string; workspace_id: string; member_id: string | null; name: string; token_hash: string;
  scopes: Generated<string[]>; created_at: Ts; last_used_at: Ts | null; revoked_at: Ts | null;
}
export interface ChannelRow {
  id: string; workspace_id: string; platform: string; name: string; external_id: string | null;
  credentials: Json<Record<string, unknown>>; settings: Json<Record<string, unknown>>; active: Generated<boolean>; created_at: Ts;
}
export interface ContactRow {
  id: string; workspace_id: string; display_name: Generated<string>; email: string | null; phone: string | null;
  phone_digits: string | null; note: string | null; avatar_url: string | null; store_member_id: string | null;
  profile: Json<Record<string, unknown>>; blocked: Generated<boolean>; blacklisted_at: Ts | null; unsubscribed_at: Ts | null;
  last_page_url: string | null; last_page_title: string | null; online: Generated<boolean>; last_seen_at: Ts | null;
  hidden_fields: Generated<string[]>; created_at: Ts; updated_at: Ts;
}
export interface ContactIdentityRow {
  id: string; workspace_id: string; channel_id: string; contact_id: string; platform_user_id: string;
  display_name: string | null; avatar_url: string | null; followed: Generated<boolean>; omo_binding: Json | null; created_at: Ts;
}
export interface ConversationRow {
  id: string; workspace_id: string; channel_id: string; kind: "individual" | "group";
  contact_id: string | null; identity_id: string | null; group_id: string | null;
  state: "pending" | "processing" | "closed"; queue: "human" | "bot" | null;
  follower_id: string | null; last_handler_id: string | null; is_collaborative: Generated<boolean>;
  followed_at: Ts | null; last_message_at: Ts; last_message_preview: Generated<string>; last_message_sender: string | null;
  waiting_since: Ts | null; last_customer_message_at: Ts | null; last_human_reply_at: Ts | null; last_staff_reply_at: Ts | null;
  unread_count: Generated<number>; closed_at: Ts | null; closed_reason: string | null; reopenable: Generated<boolean>;
  active: Generated<boolean>; last_exported_at: Ts | null; version: Generated<number>; created_at: Ts; updated_at: Ts;
}
export interface ParticipantRow { conversation_id: string; member_id: string; workspace_id: string; position: number; added_by: string | null; added_at: Ts }
export interface MemberStateRow {
  conversation_id: string; member_id: string; workspace_id: string; unread_count: Generated<number>;
  pinned_at: Ts | null; last_read_at: Ts | null;
}
export interface StatusLogRow {
  id: string; workspace_id: string; conversation_id: string; at: Ts; actor_member_id: string | null;
  kind: string; text: string; data: Json<Record<string, unknown>>; state: string; queue: string | null; follower_id: string | null;
}
export interface MessageRow {
  id: string; workspace_id: string; conversation_id: string; channel_id: string; direction: "in" | "out";
  sender_kind: "customer" | "bot" | "agent" | "system"; sender_member_id: string | null; sender_group_member_id: string | null;
  kind: string; content: Json<Record<string, unknown>>; text: Generated<string>; search_tokens: Generated<string[]>;
  platform_message_id: string | null; quoted_message_id: string | null; quoted_platform_message_id: string | null;
  status: "sending" | "sent" | "received" | "read" | "failed" | null; status_reason: string | null; status_at: Ts | null;
  unsent_at: Ts | null; edited_at: Ts | null; media_expires_at: Ts | null; client_message_id: string | null; created_at: Ts;
}
export interface WebhookEventRow {
  id: string; workspace_id: string; channel_id: string; event_key: string; payload: Json; received_at: Ts;
  processed_at: Ts | null; error: string | null;
}
export interface JobRow {
  id: Generated<string>; queue: string; payload: Json<Record<string, unknown>>; dedupe_key: string | null;
  status: Generated<"queued" | "running" | "done" | "failed">; run_at: Ts; attempts: Generated<number>;
  max_attempts: Generated<number>; locked_until: Ts | null; last_error: string | null; created_at: Ts; finished_at: Ts | null;
}
export interface ViewCounterRow { workspace_id: string; channel_id: string; bucket: string; member_id: string; shard: Generated<number>; count: number }
export interface TagRow { id: string; workspace_id: string; name: string; color: string | null; created_at: Ts }
export interface ContactTagRow { contact_id: string; tag_id: string; workspace_id: string; count: number; first_applied_at: Ts; last_applied_at: Ts }
export interface TagApplicationRow {
  id: string; workspace_id: string; contact_id: string; tag_id: string; conversation_id: string | null; channel_id: string | null;
  actor_member_id: string | null; automation: string | null; at: Ts;
}
export interface KeywordRuleRow {
  id: string; workspace_id: string; kind: "auto_reply" | "auto_assign"; name: Generated<string>; keywords: string[];
  match_mode: "exact" | "contains"; replies: Json<unknown[]>; assign_member_id: string | null; states: Generated<string[]>;
  channel_ids: string[] | null; active: Generated<boolean>; priority: Generated<number>; created_at: Ts;
}
export interface CommunityCodeRow { workspace_id: string; channel_id: string | null; code: string }
export interface NotificationRow {
  id: string; workspace_id: string; member_id: string; kind: string; text: string; data: Json<Record<string, unknown>>;
  created_at: Ts; read_at: Ts | null;
}

export interface MediaFileRow {
  id: string; workspace_id: string; conversation_id: string | null; token: string; kind: "image" | "video" | "audio" | "file";
  mime_type: string; file_name: string; size: number; sha256: string; bytes: Buffer; expires_at: Ts | null; created_at: Ts;
}

export interface SavedReplyRow {
  id: string; workspace_id: string; kind: Generated<string>; title: string; category: string | null; items: Json<unknown[]>;
  audience: Json<Record<string, unknown>>; owner_member_id: string | null; created_at: Ts; updated_at: Ts;
}
export interface ProductRow {
  id: string; workspace_id: string; external_id: string; name: string; url: string; image_url: string | null; price: string | null; currency: string | null; updated_at: Ts;
}

export interface DB {
  workspaces: WorkspaceRow;
  regions: RegionRow;
  branches: BranchRow;
  members: MemberRow;
  sessions: SessionRow;
  api_tokens: ApiTokenRow;
  channels: ChannelRow;
  contacts: ContactRow;
  contact_identities: ContactIdentityRow;
  conversations: ConversationRow;
  conversation_participants: ParticipantRow;
  conversation_member_state: MemberStateRow;
  status_log: StatusLogRow;
  messages: MessageRow;
  webhook_events: WebhookEventRow;
  jobs: JobRow;
  view_counters: ViewCounterRow;
  tags: TagRow;
  contact_tags: ContactTagRow;
  tag_applications: TagApplicationRow;
  keyword_rules: KeywordRuleRow;
  community_codes: CommunityCodeRow;
  notifications: NotificationRow;
  media_files: MediaFileRow;
  orders: OrderRow;
  saved_replies: SavedReplyRow;
  products: ProductRow;
  login_failures: { id: Generated<string>; email: string; ip: string; at: Ts };
  carts: CartRow;
}

export interface OrderRow {
  id: string; workspace_id: string; contact_id: string | null; external_id: string; status: string | null; total: string | null;
  currency: string | null; items: Json<unknown[]>; referral_link_id: string | null; placed_at: Ts;
}
export interface CartRow { contact_id: string; workspace_id: string; items: Json<unknown[]>; updated_at: Ts }
