/**
 * The conversation as the API and the console see it: list fields, the
 * viewer's unread count, the waiting badge level and the actions the viewer
 * may take (the same table the server enforces).
 */
import type { Db } from "../store/db.js";
import { availableActions } from "../domain/lifecycle.js";
import { viewOf } from "../domain/conversation.js";
import { waitingLevel } from "../domain/waiting.js";
import { avatarGroup, MAX_AVATARS } from "../domain/avatars.js";
import { replyWindow } from "../domain/reply-window.js";
import { toFacts, loadCollaborators } from "../store/conversations.js";
import type { Actor } from "./actor.js";

export const CONVERSATION_COLUMNS = [
  "c.id",
  "c.workspace_id",
  "c.channel_id",
  "c.kind",
  "c.state",
  "c.queue",
  "c.follower_id",
  "c.last_handler_id",
  "c.is_collaborative",
  "c.followed_at",
  "c.last_message_at",
  "c.last_message_preview",
  "c.last_message_sender",
  "c.waiting_since",
  "c.last_customer_message_at",
  "c.unread_count",
  "c.closed_at",
  "c.reopenable",
  "c.version",
  "c.active",
  "c.last_exported_at",
  "c.created_at",
  "c.contact_id",
  "ch.platform",
  "ch.name as channel_name",
  "ct.display_name as contact_name",
  "ct.avatar_url as contact_avatar",
  "f.display_name as follower_name",
  "cms.unread_count as my_unread",
  "cms.pinned_at",
] as const;

export interface ConversationListRow {
  id: string;
  workspace_id: string;
  channel_id: string;
  kind: "individual" | "group";
  state: "pending" | "processing" | "closed";
  queue: "human" | "bot" | null;
  follower_id: string | null;
  last_handler_id: string | null;
  is_collaborative: boolean;
  followed_at: Date | null;
  last_message_at: Date;
  last_message_preview: string;
  last_message_sender: string | null;
  waiting_since: Date | null;
  last_customer_message_at: Date | null;
  unread_count: number;
  closed_at: Date | null;
  reopenable: boolean;
  version: number;
  active: boolean;
  last_exported_at: Date | null;
  created_at: Date;
  contact_id: string | null;
  platform: string;
  channel_name: string;
  contact_name: string | null;
  contact_avatar: string | null;
  follower_name: string | null;
  my_unread: number | null;
  pinned_at: Date | null;
}

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);

export { loadCollaborators };

/** The one query shape behind every conversation list, search and detail: one row per conversation, no N+1. */
export function conversationListBase(db: Db, actor: Actor) {
  return db
    .selectFrom("conversations as c")
    .innerJoin("channels as ch", "ch.id", "c.channel_id")
    .leftJoin("contacts as ct", "ct.id", "c.contact_id")
    .leftJoin("members as f", "f.id", "c.follower_id")
    .leftJoin("conversation_member_state as cms", (j) => j.onRef("cms.conversation_id", "=", "c.id").on("cms.member_id", "=", actor.memberId))
    .select(CONVERSATION_COLUMNS)
    .where("c.workspace_id", "=", actor.workspaceId);
}

/** Active members by name, enough to fill any avatar group (VIEW-18); one query per page. */
export async function loadTeamForAvatars(db: Db, workspaceId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("members")
    .select("id")
    .where("workspace_id", "=", workspaceId)
    .where("active", "=", true)
    .orderBy("display_name")
    .orderBy("id")
    .limit(MAX_AVATARS + 6)
    .execute();
  return rows.map((r) => r.id);
}

export function conversationDto(r: ConversationListRow, collaboratorIds: string[], actor: Actor, now: Date, team: readonly string[] = []) {
  const facts = toFacts({ ...r, collaborator_ids: collaboratorIds });
  const view = viewOf(facts, actor.memberId);
  const me = { id: actor.memberId, name: actor.name, role: actor.role, active: true };
  const waitingSince = r.waiting_since ? new Date(r.waiting_since) : null;
  return {
    id: r.id,
    channel: { id: r.channel_id, platform: r.platform, name: r.channel_name },
    kind: r.kind,
    state: r.state,
    queue: r.queue,
    view,
    follower: r.follower_id ? { id: r.follower_id, name: r.follower_name ?? "" } : null,
    lastHandlerId: r.last_handler_id,
    collaboratorIds,
    avatars: avatarGroup(facts, team),
    isCollaborative: r.is_collaborative,
    contact: r.contact_id ? { id: r.contact_id, name: r.contact_name ?? "", avatarUrl: r.contact_avatar } : null,
    lastMessageAt: iso(r.last_message_at)!,
    lastMessagePreview: r.last_message_preview,
    lastMessageSender: r.last_message_sender,
    followedAt: iso(r.followed_at),
    waitingSince: iso(waitingSince),
    waitingLevel: waitingLevel({ state: r.state, queue: r.queue, waitingSince }, now),
    // VIEW-24..VIEW-26: participants see their own count; pending and team views the shared one; closed none.
    unreadCount: r.state === "closed" ? 0 : view === "my_processing" ? Number(r.my_unread ?? 0) : Number(r.unread_count),
    pinned: r.pinned_at !== null,
    reopenable: r.reopenable,
    closedAt: iso(r.closed_at),
    version: Number(r.version),
    /** 「狀態功能:有效」 (PROF-31): false while the customer is blocked. */
    active: r.active,
    lastExportedAt: iso(r.last_exported_at),
    createdAt: iso(r.created_at)!,
    actions: availableActions(facts, me),
    // The composer's state for this channel (ADV-20, ADV-33): what may be sent now and the hint to show.
    replyWindow: replyWindow(r.platform, r.last_customer_message_at ? new Date(r.last_customer_message_at) : null, now),
  };
}
export type ConversationDto = ReturnType<typeof conversationDto>;
