/**
 * The inbound pipeline every channel uses (webhooks and the integrator API):
 * record the event under its unique key (a redelivery is a no-op), find or
 * create the customer and the conversation, route it (LIFE-14), store the
 * message, mark earlier replies read where the channel says so (STAT-11),
 * and queue a keyword auto-reply (LIFE-19, LIFE-20). All in one transaction.
 */
import type { AppContext, Effects } from "../context.js";
import { inTransaction } from "../context.js";
import type { Tx } from "../store/db.js";
import type { InboundEvent, NormalizedMessage, PostbackSource } from "../channels/types.js";
import { classifyInbound, routeInbound, type InboundSignal } from "../domain/routing.js";
import { READ_SEMANTICS, type Platform } from "../domain/message-status.js";
import { findOrCreateIdentity } from "../store/contacts.js";
import { lockConversation, applyOutcome, applyUnread, writeLog, toFacts, loadMemberFacts, type Conversation } from "../store/conversations.js";
import { appendMessage } from "../store/messages.js";
import { loadRules, firstMatch, replyApplies } from "./keyword-rules.js";
import { queueBotReplies } from "./send-message.js";
import { markEarlierRepliesRead } from "./update-message-status.js";
import { queueMediaFetch } from "./store-inbound-media.js";
import { newId } from "../ids.js";

export interface ChannelRef {
  id: string;
  workspace_id: string;
  platform: string;
}

export type CustomerEvent = Extract<InboundEvent, { type: "message" | "postback" }>;

export type InboundResult =
  | { status: "stored"; conversationId: string; messageId: string }
  | { status: "duplicate" }
  | { status: "dropped"; reason: "blocked" | "blacklisted" };

class Duplicate extends Error {}

/** Records the event key; false when this channel has seen it already. */
export async function recordEvent(tx: Tx, channel: ChannelRef, eventKey: string, payload: unknown, at: Date): Promise<boolean> {
  const row = await tx
    .insertInto("webhook_events")
    .values({
      id: newId(at.getTime()),
      workspace_id: channel.workspace_id,
      channel_id: channel.id,
      event_key: eventKey,
      payload: JSON.stringify(payload ?? {}),
      received_at: at,
      processed_at: at,
      error: null,
    })
    .onConflict((oc) => oc.columns(["channel_id", "event_key"]).doNothing())
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}

function signalOf(e: CustomerEvent): InboundSignal {
  if (e.type === "postback") {
    const known: PostbackSource[] = ["rich_menu_bot_card", "rich_menu_text_inbox", "fb_get_started", "fb_persistent_menu", "request_human"];
    return { kind: "postback", postback: known.includes(e.source) ? (e.source as InboundSignal["postback"]) : undefined, text: e.title ?? e.data };
  }
  if (e.message.kind === "text") return { kind: "text", text: e.message.text ?? "" };
  return { kind: "media" };
}

async function lockByIdentity(tx: Tx, channel: ChannelRef, identityId: string): Promise<Conversation | null> {
  const existing = await tx.selectFrom("conversations").select("id").where("identity_id", "=", identityId).executeTakeFirst();
  return existing ? lockConversation(tx, channel.workspace_id, existing.id) : null;
}

export async function receiveCustomerEventInTx(
  tx: Tx,
  fx: Effects,
  at: Date,
  channel: ChannelRef,
  e: CustomerEvent,
  raw: unknown,
): Promise<InboundResult> {
  if (!(await recordEvent(tx, channel, e.eventKey, raw, at))) return { status: "duplicate" };
  const who = await findOrCreateIdentity(tx, channel.workspace_id, channel.id, e.sender, at);
  // PROF block toggle and blacklist: the event is recorded (so a redelivery stays a no-op) but not accepted.
  if (who.blacklisted) return { status: "dropped", reason: "blacklisted" };
  if (who.blocked) return { status: "dropped", reason: "blocked" };

  const signal = signalOf(e);
  const rules = await loadRules(tx, channel.workspace_id, channel.id);
  const replyRule = signal.kind === "text" ? firstMatch(rules, "auto_reply", signal.text) : null;
  const assignRule = signal.kind === "text" ? firstMatch(rules, "auto_assign", signal.text) : null;
  const isCommunityCode =
    signal.kind === "text" && /^\d{6}$/.test((signal.text ?? "").trim())
      ? (await tx.selectFrom("community_codes").select("code").where("workspace_id", "=", channel.workspace_id).where("code", "=", signal.text!.trim()).executeTakeFirst()) !== undefined
      : false;
  const row = classifyInbound(signal, { matchesKeywordReply: replyRule !== null, isCommunityCode });
  const assignee = assignRule?.assign_member_id ? await loadMemberFacts(tx, channel.workspace_id, assignRule.assign_member_id) : null;

  let conv = await lockByIdentity(tx, channel, who.identityId);
  // PROF-31, PROF-32: the conversation's status switch is off: the message is discarded (the event stays recorded).
  if (conv && !conv.active) return { status: "dropped", reason: "blocked" };
  const routed = routeInbound(conv ? toFacts(conv) : null, "individual", row, assignee);
  if (!conv) {
    const id = newId(at.getTime());
    await tx
      .insertInto("conversations")
      .values({
        id,
        workspace_id: channel.workspace_id,
        channel_id: channel.id,
        kind: "individual",
        contact_id: who.contactId,
        identity_id: who.identityId,
        group_id: null,
        state: routed.next.state,
        queue: routed.next.queue,
        follower_id: routed.next.followerId,
        last_handler_id: routed.next.lastHandlerId,
        followed_at: routed.next.followerId ? at : null,
        last_message_at: at,
        last_message_sender: null,
        waiting_since: null,
        last_customer_message_at: null,
        last_human_reply_at: null,
        last_staff_reply_at: null,
        closed_at: null,
        closed_reason: null,
        last_exported_at: null,
        created_at: at,
        updated_at: at,
      })
      .onConflict((oc) => oc.column("identity_id").doNothing())
      .execute();
    conv = (await lockByIdentity(tx, channel, who.identityId))!;
    if (conv.id === id) {
      await writeLog(tx, conv, routed.next, routed.log, at);
      if (routed.next.followerId) await applyUnread(tx, conv, { kind: "inherit", memberId: routed.next.followerId }, fx);
      fx.emit({ workspaceId: conv.workspace_id, name: "counts.changed", audience: { kind: "workspace" }, data: {} });
    } else {
      // Another message of the same new customer won the race; route against it.
      const again = routeInbound(toFacts(conv), "individual", row, assignee);
      if (again.moved) conv = await applyOutcome(tx, fx, conv, again, at);
    }
  } else if (routed.moved) {
    conv = await applyOutcome(tx, fx, conv, routed, at);
  }

  const message: NormalizedMessage = e.type === "message" ? e.message : { kind: "postback", text: e.title ?? e.data, extra: { data: e.data, source: e.source } };
  const quoted = e.type === "message" && e.quotedPlatformMessageId
    ? await tx.selectFrom("messages").select("id").where("channel_id", "=", channel.id).where("platform_message_id", "=", e.quotedPlatformMessageId).executeTakeFirst()
    : undefined;
  const stored = await appendMessage(tx, fx, conv, {
    direction: "in",
    senderKind: "customer",
    kind: message.kind,
    content: message as unknown as Record<string, unknown>,
    text: message.text ?? "",
    platformMessageId: e.type === "message" ? e.platformMessageId : null,
    quotedMessageId: quoted?.id ?? null,
    quotedPlatformMessageId: e.type === "message" ? (e.quotedPlatformMessageId ?? null) : null,
    at,
  });
  if (!stored) throw new Duplicate();

  // VIEW-28: the follower (and collaborators) get a push notification for each customer message.
  if (conv.state === "processing") {
    const to = [conv.follower_id!, ...conv.collaborator_ids];
    fx.emit({
      workspaceId: conv.workspace_id,
      name: "notification",
      audience: { kind: "members", memberIds: to },
      data: { kind: "customer_message", conversationId: conv.id, contactName: who.displayName, text: stored.text.slice(0, 120), push: true },
    });
  }

  // STAT-6, STAT-11: where the platform has no read receipt, a customer reply marks earlier replies read.
  if (READ_SEMANTICS[channel.platform as Platform]?.read === "on_customer_reply") await markEarlierRepliesRead(tx, fx, conv, at);

  if (replyRule && replyApplies(replyRule, conv.state, conv.queue)) await queueBotReplies(tx, fx, conv, replyRule.replies, at);
  await queueMediaFetch(tx, fx, stored, message, at);
  return { status: "stored", conversationId: conv.id, messageId: stored.id };
}

export async function receiveCustomerEvent(ctx: AppContext, channel: ChannelRef, e: CustomerEvent, raw: unknown = e): Promise<InboundResult> {
  try {
    return await inTransaction(ctx, (tx, fx) => receiveCustomerEventInTx(tx, fx, ctx.clock.now(), channel, e, raw));
  } catch (err) {
    if (err instanceof Duplicate) return { status: "duplicate" };
    throw err;
  }
}
