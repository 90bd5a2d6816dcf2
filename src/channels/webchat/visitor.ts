/**
 * What a widget visitor may see and do to their own conversation: the
 * channel behind a token, their history (customer-visible messages only),
 * and the receipts they report — 已收到 when the frame got a message
 * (STAT-4, STAT-10), 已讀 when it was read (STAT-7, STAT-12). Every query is
 * scoped by the token's (channel, visitor): nothing reaches another
 * visitor's conversation.
 */
import type { ExpressionBuilder, Selectable } from "kysely";
import { sql } from "kysely";
import type { AppContext } from "../../context.js";
import { inTransaction } from "../../context.js";
import type { Db } from "../../store/db.js";
import type { DB, MessageRow } from "../../store/schema.js";
import { previewOf } from "../../store/messages.js";
import { setMessageStatusInTx } from "../../usecases/update-message-status.js";
import { READ_MOVES_FROM } from "../../domain/message-status.js";
import type { ChannelRef } from "../../usecases/receive-inbound.js";
import type { VisitorClaims } from "./token.js";
import type { StatusPush, VisitorMessage } from "./contract.js";
import { UPLOAD_ID_RE } from "./uploads.js";

export interface WidgetChannel extends ChannelRef {
  name: string;
  settings: Record<string, unknown>;
}

/** An active webchat channel, or null. */
export async function loadWidgetChannel(db: Db, channelId: string): Promise<WidgetChannel | null> {
  const c = await db
    .selectFrom("channels")
    .select(["id", "workspace_id", "platform", "name", "settings", "active"])
    .where("id", "=", channelId)
    .where("platform", "=", "webchat")
    .executeTakeFirst();
  if (!c || !c.active) return null;
  const settings = (typeof c.settings === "string" ? JSON.parse(c.settings) : c.settings) as Record<string, unknown>;
  return { id: c.id, workspace_id: c.workspace_id, platform: c.platform, name: c.name, settings: settings ?? {} };
}

/** Origins allowed to embed the channel's widget (settings.allowedOrigins); empty = any site. */
export function allowedOrigins(ch: WidgetChannel): string[] {
  const list = ch.settings.allowedOrigins;
  return Array.isArray(list) ? list.filter((o): o is string => typeof o === "string" && /^https?:\/\/[^/\s]+$/.test(o)) : [];
}

export interface VisitorRef {
  identityId: string;
  contactId: string;
  conversationId: string | null;
}

/** The visitor's identity, contact and conversation (null before their first message). */
export async function findVisitor(db: Db, v: Pick<VisitorClaims, "channelId" | "visitorId">): Promise<VisitorRef | null> {
  const row = await db
    .selectFrom("contact_identities as i")
    .leftJoin("conversations as c", "c.identity_id", "i.id")
    .select(["i.id as identityId", "i.contact_id as contactId", "c.id as conversationId"])
    .where("i.channel_id", "=", v.channelId)
    .where("i.platform_user_id", "=", v.visitorId)
    .executeTakeFirst();
  return row ?? null;
}

/** The platform message id of a visitor's message: unique per channel, so the database refuses a second copy. */
export const visitorPlatformId = (visitorId: string, clientMessageId: string) => `${visitorId}:${clientMessageId}`;

export const uploadPath = (id: string) => `/widget/api/uploads/${id}`;

function contentOf(m: Selectable<MessageRow>): { kind?: string; media?: { platformMediaId?: unknown; url?: unknown } } {
  return (typeof m.content === "string" ? JSON.parse(m.content) : m.content) ?? {};
}

/** An agent's image served by this server (/media/:id/:token), as a same-origin path for the frame. */
const SERVED_MEDIA = /^(?:https?:\/\/[^/?#]+)?(\/media\/[A-Za-z0-9_-]+\/[A-Za-z0-9_-]+)$/;

/** The customer-visible form of an agent's or bot's message (text, or an image this server serves). */
function agentMessage(m: Selectable<MessageRow>, status: "sent" | "received" | "read"): VisitorMessage {
  const base = { id: m.id, from: "agent" as const, status, createdAt: new Date(m.created_at).toISOString() };
  const url = contentOf(m).media?.url;
  const path = m.kind === "image" && typeof url === "string" ? SERVED_MEDIA.exec(url)?.[1] : undefined;
  if (path) return { ...base, kind: "image", text: "", imageUrl: path };
  return { ...base, kind: "text", text: m.text || previewOf(m.kind, "") };
}

/** The customer-visible form of a message, or null for what the customer never sees. */
export function toVisitorMessage(m: Selectable<MessageRow>, visitorId: string): VisitorMessage | null {
  if (m.unsent_at) return null;
  const createdAt = new Date(m.created_at).toISOString();
  if (m.direction === "in" && m.sender_kind === "customer") {
    const prefix = `${visitorId}:`;
    const clientMessageId = m.platform_message_id?.startsWith(prefix) ? m.platform_message_id.slice(prefix.length) : undefined;
    const mediaId = contentOf(m).media?.platformMediaId;
    if (m.kind === "image" && typeof mediaId === "string" && UPLOAD_ID_RE.test(mediaId))
      return { id: m.id, from: "visitor", kind: "image", text: "", imageUrl: uploadPath(mediaId), clientMessageId, createdAt };
    return { id: m.id, from: "visitor", kind: "text", text: m.text || previewOf(m.kind, ""), clientMessageId, createdAt };
  }
  if (m.direction === "out" && (m.sender_kind === "agent" || m.sender_kind === "bot")) {
    // 發送中 has not reached the visitor yet; 傳送失敗 never will.
    if (m.status !== "sent" && m.status !== "received" && m.status !== "read") return null;
    return agentMessage(m, m.status);
  }
  return null; // system messages (state changes) and anything else internal
}

/** An agent message as pushed at delivery: the status it gets by being delivered. */
export function deliveredMessage(m: Selectable<MessageRow>): VisitorMessage | null {
  if (m.direction !== "out" || (m.sender_kind !== "agent" && m.sender_kind !== "bot")) return null;
  return agentMessage(m, m.status === "received" || m.status === "read" ? m.status : "sent");
}

const customerVisible = (eb: ExpressionBuilder<DB, "messages">) =>
  eb.or([
    eb.and([eb("direction", "=", "in"), eb("sender_kind", "=", "customer")]),
    eb.and([eb("direction", "=", "out"), eb("sender_kind", "in", ["agent", "bot"]), eb("status", "in", ["sent", "received", "read"])]),
  ]);

/** The visitor's conversation, oldest first (the last `limit` messages). */
export async function visitorHistory(db: Db, v: VisitorClaims, limit = 200): Promise<VisitorMessage[]> {
  const who = await findVisitor(db, v);
  if (!who?.conversationId) return [];
  const rows = await db
    .selectFrom("messages")
    .selectAll()
    .where("conversation_id", "=", who.conversationId)
    .where("unsent_at", "is", null)
    .where(customerVisible)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
  return rows
    .reverse()
    .map((m) => toVisitorMessage(m, v.visitorId))
    .filter((m): m is VisitorMessage => m !== null);
}

const AGENT_KINDS = ["agent", "bot"] as const;

/** STAT-4, STAT-10: the frame got these agent messages. Only the visitor's own are touched. */
export async function markReceived(ctx: AppContext, v: VisitorClaims, ids: string[]): Promise<StatusPush[]> {
  const who = await findVisitor(ctx.db, v);
  if (!who?.conversationId || !ids.length) return [];
  const conversationId = who.conversationId;
  return inTransaction(ctx, async (tx, fx) => {
    const rows = await tx
      .selectFrom("messages")
      .select("id")
      .where("conversation_id", "=", conversationId)
      .where("id", "in", ids)
      .where("direction", "=", "out")
      .where("sender_kind", "in", AGENT_KINDS)
      .execute();
    const moved: StatusPush[] = [];
    const now = ctx.clock.now();
    for (const r of rows) if (await setMessageStatusInTx(tx, fx, r.id, { status: "received" }, now)) moved.push({ id: r.id, status: "received" });
    return moved;
  });
}

/**
 * STAT-7, STAT-12: the visitor read the conversation up to this agent message
 * (the frame calls this only while open, visible and focused); every agent
 * message up to it becomes 已讀. Null when the message is not theirs.
 */
export async function markReadUpTo(ctx: AppContext, v: VisitorClaims, upToMessageId: string): Promise<StatusPush[] | null> {
  const who = await findVisitor(ctx.db, v);
  if (!who?.conversationId) return null;
  const conversationId = who.conversationId;
  return inTransaction(ctx, async (tx, fx) => {
    const target = await tx
      .selectFrom("messages")
      .select(["id", "created_at"])
      .where("id", "=", upToMessageId)
      .where("conversation_id", "=", conversationId)
      .where("direction", "=", "out")
      .where("sender_kind", "in", AGENT_KINDS)
      .executeTakeFirst();
    if (!target) return null;
    const rows = await tx
      .selectFrom("messages")
      .select("id")
      .where("conversation_id", "=", conversationId)
      .where("direction", "=", "out")
      .where("sender_kind", "in", AGENT_KINDS)
      .where("status", "in", READ_MOVES_FROM)
      .where(sql<boolean>`(created_at, id) <= (${new Date(target.created_at)}::timestamptz, ${target.id}::uuid)`)
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    const moved: StatusPush[] = [];
    const now = ctx.clock.now();
    for (const r of rows) if (await setMessageStatusInTx(tx, fx, r.id, { status: "read" }, now)) moved.push({ id: r.id, status: "read" });
    return moved;
  });
}
