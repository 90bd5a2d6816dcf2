/**
 * An agent's reply, and the bot's keyword auto-replies. The message is
 * stored as 發送中 (sending) and its delivery job is written in the same
 * transaction (a crash cannot lose it); the job worker hands it to the
 * channel's adapter.
 */
import type { AppContext, Effects } from "../context.js";
import { inTransaction } from "../context.js";
import type { Tx } from "../store/db.js";
import { canView } from "../domain/conversation.js";
import { refuse, TEXT } from "../domain/errors.js";
import { can } from "../domain/roles.js";
import { lockConversation, loadMemberFacts, toFacts, type Conversation } from "../store/conversations.js";
import { appendMessage, type InsertedMessage } from "../store/messages.js";
import { enqueue } from "../jobs/queue.js";
import { scheduleAutoClose } from "./auto-close.js";
import { checkFreeFormReply, replyWindow } from "../domain/reply-window.js";
import { AppError, type AppErrorCode } from "./errors.js";
import { adapterFor } from "../channels/registry.js";
import type { Actor } from "./actor.js";

export const CUSTOMER_NAME_VARIABLE = "{{system:customer_name}}";
const CLOSED_REPLY = { zh: "對話已結束,請先重啟事件再回覆", en: "The conversation is closed; reopen it to reply" }; // proposed
const BLOCKED_REPLY = { zh: "此客人已被封鎖,請先開啟對話狀態", en: "This customer is blocked; switch the conversation status back on to reply" }; // PROF-32 (proposed)
const TEAM_REPLY = { zh: "協作功能開啟時,請先加入協作再回覆", en: "With collaboration on, join the conversation before replying" }; // VIEW-25, COLLAB-2

async function customerName(tx: Tx, conv: Conversation): Promise<string> {
  if (!conv.contact_id) return "";
  const c = await tx.selectFrom("contacts").select("display_name").where("id", "=", conv.contact_id).executeTakeFirst();
  return c?.display_name ?? "";
}

export interface ReplyInput {
  text: string;
  clientMessageId?: string;
  /** ADV-7..ADV-10: quote one of the conversation's messages (WhatsApp only). */
  quotedMessageId?: string;
}

const QUOTE_WHATSAPP_ONLY = { zh: "目前僅 WhatsApp 支援指定回覆", en: "Quoting a message is supported on WhatsApp only" }; // ADV-7
const QUOTE_UNAVAILABLE = { zh: "此訊息無法被指定回覆", en: "This message cannot be quoted" }; // ADV-10 (proposed)

export interface PreparedReply {
  conv: Conversation;
  memberId: string;
  platform: string;
  window: ReturnType<typeof replyWindow>;
  /** The message already stored under this client id (a retried request). */
  existing: InsertedMessage | null;
}

/**
 * Everything a human reply of any kind checks first, in the caller's
 * transaction: the member may reply here (VIEW-5, VIEW-25), the conversation
 * is not closed, and the platform's window is open (ADV-20, ADV-24, ADV-33).
 */
export async function prepareHumanReply(tx: Tx, actor: Actor, conversationId: string, now: Date, clientMessageId?: string): Promise<PreparedReply> {
  const conv = await lockConversation(tx, actor.workspaceId, conversationId);
  const me = await loadMemberFacts(tx, actor.workspaceId, actor.memberId);
  if (!me?.active) throw new AppError("unauthorized", "帳號已停用");
  if (!canView(toFacts(conv), me)) throw AppError.fromDomain(refuse("not_visible", TEXT.noPermissionView));
  if (conv.state === "closed") throw new AppError("state_changed", CLOSED_REPLY.zh, { messageEn: CLOSED_REPLY.en });
  if (!conv.active) throw new AppError("forbidden", BLOCKED_REPLY.zh, { messageEn: BLOCKED_REPLY.en }); // PROF-32
  if (conv.state === "processing" && conv.follower_id !== me.id && !conv.collaborator_ids.includes(me.id)) {
    const ws = await tx.selectFrom("workspaces").select("settings").where("id", "=", actor.workspaceId).executeTakeFirstOrThrow();
    const collaborationOn = Boolean((ws.settings as Record<string, unknown>).collaboration);
    if (collaborationOn || !can(me.role, "view_team")) throw new AppError("forbidden", TEAM_REPLY.zh, { messageEn: TEAM_REPLY.en });
  }
  const existing = clientMessageId
    ? ((await tx.selectFrom("messages").selectAll().where("conversation_id", "=", conv.id).where("client_message_id", "=", clientMessageId).executeTakeFirst()) ?? null)
    : null;
  const channel = await tx.selectFrom("channels").select("platform").where("id", "=", conv.channel_id).executeTakeFirstOrThrow();
  const lastCustomer = conv.last_customer_message_at ? new Date(conv.last_customer_message_at) : null;
  if (!existing) {
    const refusal = checkFreeFormReply(channel.platform, lastCustomer, now);
    if (refusal) throw AppError.fromDomain(refusal);
    // The channel's own sending policy (WeChat: 48 h window, at most 5 messages per customer message).
    const checkSend = adapterFor(channel.platform)?.checkSend;
    if (checkSend) {
      let sentSinceCustomerMessage = 0;
      if (lastCustomer) {
        const row = await tx
          .selectFrom("messages")
          .select((eb) => eb.fn.countAll<string>().as("n"))
          .where("conversation_id", "=", conv.id)
          .where("direction", "=", "out")
          .where("status", "in", ["sending", "sent", "received", "read"])
          // >= : a reply stored in the same instant as the customer's message still counts.
          .where("created_at", ">=", lastCustomer)
          .executeTakeFirstOrThrow();
        sentSinceCustomerMessage = Number(row.n);
      }
      const refused = checkSend({ lastCustomerMessageAt: lastCustomer, sentSinceCustomerMessage, now });
      if (refused) throw new AppError(refused.code as AppErrorCode, refused.message, { messageEn: refused.messageEn });
    }
  }
  return { conv, memberId: me.id, platform: channel.platform, window: replyWindow(channel.platform, lastCustomer, now), existing };
}

/** Stores a prepared human reply as 發送中 and queues its delivery in the same transaction. */
export async function storeHumanReply(
  tx: Tx,
  fx: Effects,
  p: PreparedReply,
  m: { kind: string; content: Record<string, unknown>; text: string; clientMessageId?: string; mediaExpiresAt?: Date; quote?: { id: string; platformId: string } },
  now: Date,
): Promise<InsertedMessage> {
  const msg = await appendMessage(tx, fx, p.conv, {
    direction: "out",
    senderKind: "agent",
    senderMemberId: p.memberId,
    kind: m.kind,
    // ADV-19: human replies on Messenger carry the HUMAN_AGENT tag.
    content: { ...m.content, ...(p.window.humanTag ? { messageTag: p.window.humanTag } : {}) },
    text: m.text,
    status: "sending",
    clientMessageId: m.clientMessageId ?? null,
    mediaExpiresAt: m.mediaExpiresAt ?? null,
    quotedMessageId: m.quote?.id ?? null,
    quotedPlatformMessageId: m.quote?.platformId ?? null,
    at: now,
  });
  await enqueue(tx, fx, "deliver", { messageId: msg!.id }, now, { dedupeKey: `deliver:${msg!.id}` });
  if (p.conv.state === "processing") await scheduleAutoClose(tx, fx, p.conv, now);
  return msg!;
}

export async function sendReply(ctx: AppContext, actor: Actor, conversationId: string, input: ReplyInput): Promise<InsertedMessage> {
  return inTransaction(ctx, async (tx, fx) => {
    const now = ctx.clock.now();
    const p = await prepareHumanReply(tx, actor, conversationId, now, input.clientMessageId);
    if (p.existing) return p.existing; // a retried request is answered, not sent twice
    let quote: { id: string; platformId: string } | undefined;
    if (input.quotedMessageId) {
      if (p.platform !== "whatsapp") throw new AppError("validation", QUOTE_WHATSAPP_ONLY.zh, { messageEn: QUOTE_WHATSAPP_ONLY.en });
      const q = await tx.selectFrom("messages").select(["id", "platform_message_id", "status"]).where("id", "=", input.quotedMessageId).where("conversation_id", "=", p.conv.id).executeTakeFirst();
      // ADV-10: only messages the platform knows (with its id, not failed) can be quoted.
      if (!q || !q.platform_message_id || q.status === "failed") throw new AppError("validation", QUOTE_UNAVAILABLE.zh, { messageEn: QUOTE_UNAVAILABLE.en });
      quote = { id: q.id, platformId: q.platform_message_id };
    }
    const text = input.text.split(CUSTOMER_NAME_VARIABLE).join(await customerName(tx, p.conv));
    return storeHumanReply(tx, fx, p, { kind: "text", content: { kind: "text", text }, text, clientMessageId: input.clientMessageId, quote }, now);
  });
}

/** Keyword auto-reply messages, recorded as the bot's (LIFE-19, LIFE-20). */
export async function queueBotReplies(tx: Tx, fx: Effects, conv: Conversation, replies: unknown, at: Date): Promise<void> {
  const list = Array.isArray(replies) ? replies : [];
  let i = 0;
  for (const r of list.slice(0, 5)) {
    const text = typeof r === "string" ? r : typeof (r as { text?: unknown })?.text === "string" ? (r as { text: string }).text : "";
    if (!text) continue;
    const when = new Date(at.getTime() + ++i); // keeps the bot's messages after the customer's, in order
    const msg = await appendMessage(tx, fx, conv, {
      direction: "out",
      senderKind: "bot",
      kind: "text",
      content: { kind: "text", text },
      text,
      status: "sending",
      at: when,
    });
    if (msg) await enqueue(tx, fx, "deliver", { messageId: msg.id }, at, { dedupeKey: `deliver:${msg.id}` });
  }
}
