/**
 * Appending a message to a conversation: the message row, and in the same
 * transaction the conversation's list fields (last message, waiting-since,
 * unread counts) that the inbox views sort and filter on.
 */
import { sql, type Selectable } from "kysely";
import type { Tx } from "./db.js";
import type { MessageRow } from "./schema.js";
import type { Effects } from "../context.js";
import type { Conversation } from "./conversations.js";
import { applyUnread, conversationAudience, toFacts } from "./conversations.js";
import { nextWaitingSince, type SenderKind } from "../domain/waiting.js";
import { onCustomerMessage, onHumanReply } from "../domain/unread.js";
import type { DeliveryStatus } from "../domain/message-status.js";
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

export type InsertedMessage = Selectable<MessageRow>;

/**
 * Inserts the message; returns null when the platform message id is already
 * stored for this channel (the database's unique constraint is the guard).
 */
export async function appendMessage(tx: Tx, fx: Effects, c: Conversation, m: NewMessage): Promise<InsertedMessage | null> {
  const text = m.text ?? "";
  const row = await tx
    .insertInto("messages")
    .values({
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
    })
    .onConflict((oc) => oc.columns(["channel_id", "platform_message_id"]).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) return null;

  // System messages are shown inside the conversation but do not reorder the
  // list nor change waiting or unread (VIEW-21).
  if (m.senderKind !== "system") {
    const waiting = nextWaitingSince(c.waiting_since ? new Date(c.waiting_since) : null, m.senderKind, m.at);
    await tx
      .updateTable("conversations")
      .set({
        last_message_at: sql`greatest(last_message_at, ${m.at})`,
        last_message_preview: previewOf(m.kind, text),
        last_message_sender: m.senderKind,
        waiting_since: waiting,
        ...(m.senderKind === "customer" ? { last_customer_message_at: m.at } : {}),
        ...(m.senderKind === "agent" ? { last_human_reply_at: m.at, last_staff_reply_at: m.at } : {}),
        updated_at: m.at,
      })
      .where("id", "=", c.id)
      .execute();
    c.waiting_since = waiting;
    if (m.senderKind === "customer") await applyUnread(tx, c, onCustomerMessage(), fx);
    if (m.senderKind === "agent") await applyUnread(tx, c, onHumanReply(), fx);
  }

  fx.emit({
    workspaceId: c.workspace_id,
    name: "message.created",
    audience: conversationAudience(c.kind, toFacts(c)),
    data: { conversationId: c.id, message: messageDto(row) },
  });
  return row;
}

export function messageDto(m: Selectable<MessageRow>) {
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
