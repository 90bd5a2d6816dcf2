/**
 * The inbound pipeline every channel uses (webhooks and the integrator API):
 * record the event under its unique key (a redelivery is a no-op), find or
 * create the customer and the conversation, route it (LIFE-14), store the
 * message, mark earlier replies read where the channel says so (STAT-11),
 * and queue a keyword auto-reply (LIFE-19, LIFE-20). All in one transaction.
 */
import type { AppContext, Effects } from "../context.js";
import { inTransaction } from "../context.js";
import { sql } from "kysely";
import type { Tx } from "../store/db.js";
import { configVersionOf, loadRules, StaleConfig, type ChannelConfig, type ConfigCache } from "../store/config-cache.js";
import type { InboundEvent, NormalizedMessage, PostbackSource } from "../channels/types.js";
import { classifyInbound, routeInbound, type InboundSignal } from "../domain/routing.js";
import { READ_SEMANTICS, type Platform } from "../domain/message-status.js";
import type { IdentityRef } from "../store/contacts.js";
import { applyOutcome, applyUnread, toFacts, loadMemberFacts, type Conversation } from "../store/conversations.js";
import { newCustomerRows, openConversation, openCustomerConversation, recordAndFind, type Found } from "../store/inbound.js";
import type { BatchSink, CustomerMessage } from "../store/inbound-batch.js";
import { appendMessage, type InsertedMessage, type NewMessage } from "../store/messages.js";
import { firstMatch, replyApplies } from "../domain/keyword-rules.js";
import { queueBotReplies } from "./send-message.js";
import { queueMediaFetch } from "./store-inbound-media.js";
import { needsDownload } from "../domain/inbound-media.js";
import { newId } from "../ids.js";

export interface ChannelRef {
  id: string;
  workspace_id: string;
  platform: string;
  /**
   * The cached configuration the caller used (webhooks: their signature was
   * checked with its secrets). Checked against the configuration version
   * inside the transaction; a stale one throws StaleConfig for the caller to
   * start over.
   */
  config?: ChannelConfig;
}

export type CustomerEvent = Extract<InboundEvent, { type: "message" | "postback" }>;

export type InboundResult =
  /** messageId: null only until the batch's statement has stored the message (usecases/ingest-batch.ts). */
  | { status: "stored"; conversationId: string; messageId: string | null }
  | { status: "duplicate" }
  | { status: "dropped"; reason: "blocked" | "blacklisted" };

class Duplicate extends Error {}

/**
 * Records the event key; false when this channel has seen it already. Checks
 * a cached channel configuration in the same statement (StaleConfig).
 */
export async function recordEvent(tx: Tx, cache: ConfigCache, channel: ChannelRef, eventKey: string, payload: unknown, at: Date): Promise<boolean> {
  const ev = tx
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
    .returning("id");
  const r = await sql<{ fresh: boolean; version: string }>`
    with ev as (${ev}) select exists (select 1 from ev) as fresh, ${configVersionOf(channel.workspace_id)} as version`.execute(tx);
  if (channel.config) cache.check(channel.config, r.rows[0].version);
  return r.rows[0].fresh;
}

function signalOf(e: CustomerEvent): InboundSignal {
  if (e.type === "postback") {
    const known: PostbackSource[] = ["rich_menu_bot_card", "rich_menu_text_inbox", "fb_get_started", "fb_persistent_menu", "request_human"];
    return { kind: "postback", postback: known.includes(e.source) ? (e.source as InboundSignal["postback"]) : undefined, text: e.title ?? e.data };
  }
  if (e.message.kind === "text") return { kind: "text", text: e.message.text ?? "" };
  return { kind: "media" };
}

export async function receiveCustomerEventInTx(
  tx: Tx,
  fx: Effects,
  cache: ConfigCache,
  at: Date,
  channel: ChannelRef,
  e: CustomerEvent,
  raw: unknown,
): Promise<InboundResult> {
  // One statement: the event key (a redelivery stops here), the customer, their conversation
  // locked, and the configuration version a cached channel and its rules must still have.
  const found = await recordAndFind(tx, channel, e.sender.userId, { key: e.eventKey, payload: raw, at });
  return routeAndStore(tx, fx, cache, at, channel, e, found);
}

/**
 * The pipeline after recordAndFind (one event's, or a batch's for each of
 * its events). With `batch`, a message that needs nothing but its row and
 * list fields is left to the batch's one statement (and stored when it runs).
 */
export async function routeAndStore(
  tx: Tx,
  fx: Effects,
  cache: ConfigCache,
  at: Date,
  channel: ChannelRef,
  e: CustomerEvent,
  found: Found,
  batch?: BatchSink,
): Promise<InboundResult> {
  const config = channel.config;
  if (config) cache.check(config, found.configVersion);
  let { who, conv } = found;
  if (!found.fresh) return { status: "duplicate" };
  // PROF block toggle and blacklist: the event is recorded (so a redelivery stays a no-op) but not accepted.
  const refused = (w: IdentityRef | null): InboundResult | null =>
    w?.blacklisted ? { status: "dropped", reason: "blacklisted" } : w?.blocked ? { status: "dropped", reason: "blocked" } : null;
  if (refused(who)) return refused(who)!;

  const signal = signalOf(e);
  const rules = config ? config.rules : await loadRules(tx, channel.workspace_id, channel.id);
  const replyRule = signal.kind === "text" ? firstMatch(rules, "auto_reply", signal.text) : null;
  const assignRule = signal.kind === "text" ? firstMatch(rules, "auto_assign", signal.text) : null;
  const isCommunityCode =
    signal.kind === "text" && /^\d{6}$/.test((signal.text ?? "").trim())
      ? (await tx.selectFrom("community_codes").select("code").where("workspace_id", "=", channel.workspace_id).where("code", "=", signal.text!.trim()).executeTakeFirst()) !== undefined
      : false;
  const row = classifyInbound(signal, { matchesKeywordReply: replyRule !== null, isCommunityCode });
  const assignee = assignRule?.assign_member_id ? await loadMemberFacts(tx, channel.workspace_id, assignRule.assign_member_id) : null;

  const message: NormalizedMessage = e.type === "message" ? e.message : { kind: "postback", text: e.title ?? e.data, extra: { data: e.data, source: e.source } };
  // Bot replies and media downloads follow their message: a message with either is stored here, one by one.
  const repliesIn = (state: Conversation["state"], queue: Conversation["queue"]) => (replyRule && replyApplies(replyRule, state, queue) ? replyRule.replies : null);
  const leftToBatch = (state: Conversation["state"], queue: Conversation["queue"]) => batch !== undefined && !repliesIn(state, queue) && !needsDownload(message);
  // A new customer whose first message needs nothing else: the batch opens every such conversation in one statement.
  if (!conv && !who && batch) {
    const routed = routeInbound(null, "individual", row, assignee);
    if (!routed.next.followerId && leftToBatch(routed.next.state, routed.next.queue)) {
      const rows = newCustomerRows(channel, e.sender, routed.next, at);
      const result = { status: "stored" as const, conversationId: rows.conversation.id!, messageId: null as string | null };
      const first = await customerMessageOf(tx, channel, e, message, at);
      batch.opens.push({ customer: { rows, next: routed.next, log: routed.log }, message: first, then: (m) => (result.messageId = m.id) });
      return result;
    }
  }

  let opened = false;
  // A new customer or one without a conversation: open it in the routed state. Losing the
  // race to a concurrent message of the same customer (unique identity, unique conversation
  // per identity) means theirs exists now: lock it (waiting for their commit) and route against it.
  for (let attempt = 0; !conv; attempt++) {
    if (attempt === 3) throw new Error("inbound: the customer's conversation could neither be opened nor found");
    const routed = routeInbound(null, "individual", row, assignee);
    const made = who
      ? await openConversation(tx, channel, who, routed.next, routed.log, at).then((c) => (c ? { who: who!, conv: c } : null))
      : await openCustomerConversation(tx, channel, e.sender, routed.next, routed.log, at);
    if (made) {
      ({ who, conv } = made);
      opened = true;
      if (routed.next.followerId) await applyUnread(tx, conv, { kind: "inherit", memberId: routed.next.followerId }, fx);
      fx.emit({ workspaceId: conv.workspace_id, name: "counts.changed", audience: { kind: "workspace" }, data: {} });
    } else {
      ({ who, conv } = await recordAndFind(tx, channel, e.sender.userId, null));
      if (refused(who)) return refused(who)!;
    }
  }
  if (!who) throw new Error("inbound: a conversation without its customer");
  if (!opened) {
    // PROF-31, PROF-32: the conversation's status switch is off: the message is discarded (the event stays recorded).
    if (!conv.active) return { status: "dropped", reason: "blocked" };
    const routed = routeInbound(toFacts(conv), "individual", row, assignee);
    if (routed.moved) conv = await applyOutcome(tx, fx, conv, routed, at);
  }

  const customerMessage = await customerMessageOf(tx, channel, e, message, at);
  // STAT-6, STAT-11: where the platform has no read receipt, a customer reply marks earlier replies read
  // (in the same statement as the message; a conversation just opened has none).
  const markRepliesRead = !opened && READ_SEMANTICS[channel.platform as Platform]?.read === "on_customer_reply";
  const c = conv;
  const name = who.displayName;
  // VIEW-28: the follower (and collaborators) get a push notification for each customer message.
  const notify = (stored: InsertedMessage) => {
    if (c.state !== "processing") return;
    fx.emit({
      workspaceId: c.workspace_id,
      name: "notification",
      audience: { kind: "members", memberIds: [c.follower_id!, ...c.collaborator_ids] },
      data: { kind: "customer_message", conversationId: c.id, contactName: name, text: stored.text.slice(0, 120), push: true },
    });
  };
  const replies = repliesIn(conv.state, conv.queue);
  if (batch && leftToBatch(conv.state, conv.queue)) {
    const result = { status: "stored" as const, conversationId: conv.id, messageId: null as string | null };
    batch.messages.push({ conv, message: customerMessage, markRepliesRead, then: (m) => ((result.messageId = m.id), notify(m)) });
    return result;
  }
  const stored = await appendMessage(tx, fx, conv, customerMessage, { markRepliesRead });
  if (!stored) throw new Duplicate();
  notify(stored);
  if (replies) await queueBotReplies(tx, fx, conv, replies, at);
  await queueMediaFetch(tx, fx, stored, message, at, channel.platform);
  return { status: "stored", conversationId: conv.id, messageId: stored.id };
}

/** The message row of a customer event (its quoted message looked up by platform id). */
async function customerMessageOf(tx: Tx, channel: ChannelRef, e: CustomerEvent, message: NormalizedMessage, at: Date): Promise<CustomerMessage["message"]> {
  const quoted = e.type === "message" && e.quotedPlatformMessageId
    ? await tx.selectFrom("messages").select("id").where("channel_id", "=", channel.id).where("platform_message_id", "=", e.quotedPlatformMessageId).executeTakeFirst()
    : undefined;
  return {
    direction: "in",
    senderKind: "customer",
    kind: message.kind,
    content: message as unknown as Record<string, unknown>,
    text: message.text ?? "",
    platformMessageId: e.type === "message" ? e.platformMessageId : null,
    quotedMessageId: quoted?.id ?? null,
    quotedPlatformMessageId: e.type === "message" ? (e.quotedPlatformMessageId ?? null) : null,
    at,
  };
}

/**
 * Runs the pipeline in its own transaction. A caller without a cached
 * configuration gets one here (and a fresh one if it changes meanwhile); a
 * caller that brought one gets StaleConfig back, to start over.
 */
export async function receiveCustomerEvent(ctx: AppContext, channel: ChannelRef, e: CustomerEvent, raw: unknown = e): Promise<InboundResult> {
  for (let attempt = 1; ; attempt++) {
    // The integrator API's channel comes from its route: its rules from the cache (an inactive channel has no entry: read in the transaction).
    const config = channel.config ?? (await ctx.configCache.get(ctx.db, channel.id)) ?? undefined;
    try {
      return await inTransaction(ctx, (tx, fx) => receiveCustomerEventInTx(tx, fx, ctx.configCache, ctx.clock.now(), { ...channel, config }, e, raw));
    } catch (err) {
      if (err instanceof Duplicate) return { status: "duplicate" };
      if (err instanceof StaleConfig && !channel.config && attempt < 3) continue;
      throw err;
    }
  }
}
