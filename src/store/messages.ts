/**
 * Appending a message to a conversation: the message row, and in the same
 * transaction the conversation's list fields (last message, waiting-since,
 * unread counts) that the inbox views sort and filter on.
 */
import { sql, type Selectable, type SqlBool } from "kysely";
import type { Tx } from "./db.js";
import type { MessageRow } from "./schema.js";
import type { Effects } from "../context.js";
import type { Conversation } from "./conversations.js";
import { conversationAudience, toFacts } from "./conversations.js";
import { nextWaitingSince, type SenderKind } from "../domain/waiting.js";
import { onCustomerMessage, onHumanReply } from "../domain/unread.js";
import { READ_MOVES_FROM, type DeliveryStatus } from "../domain/message-status.js";
import { indexTokens } from "./search-tokens.js";
import { newId } from "../ids.js";

export interface NewMessage {
  direction: "in" | "out";
  senderKind: SenderKind;
  senderMemberId?: string | null;
  kind: string;
  content: Record<string, unknown>;
  text?: string;
  platformMessageId?: string | null;
  quotedMessageId?: string | null;
  quotedPlatformMessageId?: string | null;
  status?: DeliveryStatus | null;
  clientMessageId?: string | null;
  mediaExpiresAt?: Date | null;
  at: Date;
}

const PREVIEW: Record<string, string> = {
  image: "[圖片]",
  video: "[影片]",
  audio: "[音訊]",
  file: "[檔案]",
  sticker: "[貼圖]",
  location: "[位置]",
  contact: "[聯絡人]",
  template: "[範本訊息]",
  product_links: "[導購連結]",
  postback: "[按鈕]",
  unsupported: "[不支援的訊息]",
};

export function previewOf(kind: string, text: string): string {
  const p = text.trim() || PREVIEW[kind] || `[${kind}]`;
  return p.length > 120 ? `${p.slice(0, 119)}…` : p;
}

/** A message row as the code passes it around: everything but its search tokens (only searches read them). */
export type InsertedMessage = Omit<Selectable<MessageRow>, "search_tokens">;

/** The columns of InsertedMessage, for RETURNING lists (search_tokens is long and parsed for nothing). */
export const MESSAGE_COLUMNS = [
  "id", "workspace_id", "conversation_id", "channel_id", "direction", "sender_kind", "sender_member_id", "sender_group_member_id",
  "kind", "content", "text", "platform_message_id", "quoted_message_id", "quoted_platform_message_id", "status", "status_reason",
  "status_at", "unsent_at", "edited_at", "media_expires_at", "client_message_id", "created_at",
] as const satisfies readonly (keyof InsertedMessage)[];

/** The row appendMessage inserts (the batched customer messages of store/inbound-batch.ts insert the same). */
export function messageValues(c: Conversation, m: NewMessage) {
  const text = m.text ?? "";
  return {
    id: newId(m.at.getTime()),
    workspace_id: c.workspace_id,
    conversation_id: c.id,
    channel_id: c.channel_id,
    direction: m.direction,
    sender_kind: m.senderKind,
    sender_member_id: m.senderMemberId ?? null,
    sender_group_member_id: null,
    kind: m.kind,
    content: JSON.stringify(m.content),
    text,
    search_tokens: m.senderKind === "system" ? [] : indexTokens(text),
    platform_message_id: m.platformMessageId ?? null,
    quoted_message_id: m.quotedMessageId ?? null,
    quoted_platform_message_id: m.quotedPlatformMessageId ?? null,
    status: m.status ?? null,
    status_reason: null,
    status_at: m.status ? m.at : null,
    unsent_at: null,
    edited_at: null,
    media_expires_at: m.mediaExpiresAt ?? null,
    client_message_id: m.clientMessageId ?? null,
    created_at: m.at,
  };
}

/**
 * Inserts the message; returns null when the platform message id is already
 * stored for this channel (the database's unique constraint is the guard).
 * One statement: the message, the conversation's list fields and unread
 * counts (VIEW-21, VIEW-23..26), and with `markRepliesRead` the earlier
 * replies a customer message marks read (STAT-11), each part only if the
 * message was inserted.
 */
export async function appendMessage(tx: Tx, fx: Effects, c: Conversation, m: NewMessage, opts: { markRepliesRead?: boolean } = {}): Promise<InsertedMessage | null> {
  const text = m.text ?? "";
  const insert = tx
    .insertInto("messages")
    .values(messageValues(c, m))
    .onConflict((oc) => oc.columns(["channel_id", "platform_message_id"]).doNothing())
    .returning(MESSAGE_COLUMNS);
  const inserted = sql<SqlBool>`exists (select 1 from m)`;
  const parts = [sql`m as (${insert})`];

  // System messages are shown inside the conversation but do not reorder the
  // list nor change waiting or unread (VIEW-21).
  const listed = m.senderKind !== "system";
  const unread = m.senderKind === "customer" ? onCustomerMessage() : m.senderKind === "agent" ? onHumanReply() : null;
  const waiting = listed ? nextWaitingSince(c.waiting_since ? new Date(c.waiting_since) : null, m.senderKind, m.at) : null;
  if (listed) {
    const conv = tx
      .updateTable("conversations")
      .set({
        last_message_at: sql`greatest(last_message_at, ${m.at})`,
        last_message_preview: previewOf(m.kind, text),
        last_message_sender: m.senderKind,
        waiting_since: waiting,
        ...(m.senderKind === "customer" ? { last_customer_message_at: m.at } : {}),
        ...(m.senderKind === "agent" ? { last_human_reply_at: m.at, last_staff_reply_at: m.at } : {}),
        ...(unread?.kind === "increment" ? { unread_count: sql`unread_count + 1` } : unread?.kind === "clear_all" ? { unread_count: 0 } : {}),
        updated_at: m.at,
      })
      .where("id", "=", c.id)
      .where(inserted);
    parts.push(sql`c as (${conv})`);
    if (unread) parts.push(sql`s as (${memberUnread(tx, c.id, unread.kind === "increment").where(inserted)})`);
  }
  if (opts.markRepliesRead) parts.push(sql`r as (${repliesReadUpdate(tx, c.id, m.at).returning(MESSAGE_COLUMNS)})`);
  const rows = await sql<InsertedMessage & { read: boolean }>`
    with ${sql.join(parts)}
    select false as read, m.* from m
    ${opts.markRepliesRead ? sql`union all select true, r.* from r` : sql``}`.execute(tx);
  const row = rows.rows.find((r) => !r.read);
  // A duplicate: the caller rolls back (the read marks with it).
  if (!row) return null;
  const { read: _r, ...message } = row;
  if (listed) c.waiting_since = waiting;

  emitAppended(fx, c, message, rows.rows.filter((x) => x.read), unread !== null);
  return message;
}

/** What the conversation's audience hears of an appended message and of the replies it marked read. */
export function emitAppended(fx: Effects, c: Conversation, message: InsertedMessage, readReplies: (InsertedMessage & { read?: boolean })[], unreadMoved: boolean): void {
  const audience = conversationAudience(c.kind, toFacts(c));
  // Only members who may see the conversation hear that its unread count moved (VIEW-5).
  if (unreadMoved) fx.emit({ workspaceId: c.workspace_id, name: "unread.changed", audience, data: { conversationId: c.id } });
  fx.emit({ workspaceId: c.workspace_id, name: "message.created", audience, data: { conversationId: c.id, message: messageDto(message) } });
  for (const { read: _x, ...r } of readReplies) {
    fx.emit({ workspaceId: r.workspace_id, name: "message.updated", audience, data: { conversationId: c.id, message: messageDto(r) } });
  }
}

/** The participants' unread counts on a new message: +1 each (VIEW-23), or cleared by a human reply (VIEW-24..26). */
function memberUnread(tx: Tx, conversationId: string, increment: boolean) {
  const q = tx.updateTable("conversation_member_state").where("conversation_id", "=", conversationId);
  return increment ? q.set({ unread_count: sql`unread_count + 1` }) : q.set({ unread_count: 0 }).where("unread_count", ">", 0);
}

/** STAT-6, STAT-11: every earlier outbound message the platform accepted becomes read (forward only, STAT-9). */
export function repliesReadUpdate(tx: Tx, conversationId: string, at: Date) {
  return tx
    .updateTable("messages")
    .set({ status: "read", status_at: at })
    .where("conversation_id", "=", conversationId)
    .where("direction", "=", "out")
    .where("status", "in", READ_MOVES_FROM)
    .where("created_at", "<=", at);
}

export function messageDto(m: InsertedMessage) {
  return {
    id: m.id,
    conversationId: m.conversation_id,
    direction: m.direction,
    senderKind: m.sender_kind,
    senderMemberId: m.sender_member_id,
    kind: m.kind,
    content: typeof m.content === "string" ? JSON.parse(m.content) : m.content,
    text: m.text,
    platformMessageId: m.platform_message_id,
    quotedMessageId: m.quoted_message_id,
    status: m.status,
    statusReason: m.status_reason,
    statusAt: m.status_at ? new Date(m.status_at).toISOString() : null,
    unsent: m.unsent_at !== null,
    mediaExpiresAt: m.media_expires_at ? new Date(m.media_expires_at).toISOString() : null,
    clientMessageId: m.client_message_id,
    createdAt: new Date(m.created_at).toISOString(),
  };
}
export type MessageDto = ReturnType<typeof messageDto>;
