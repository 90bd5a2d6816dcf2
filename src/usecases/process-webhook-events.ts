/**
 * What the inbox does with each normalized platform event. Every event key
 * first goes through the webhook_events unique constraint (recordEvent), so a
 * redelivered webhook changes nothing. Customer messages take the inbound
 * pipeline (receive-inbound.ts); receipts move our messages' status forward
 * only (STAT-9); the rest updates what it names or is just recorded.
 * Events run one by one, each in its own transaction: if one fails the
 * caller answers 5xx, the platform redelivers, and the events already done
 * are no-ops the second time.
 */
import type { AppContext, Effects } from "../context.js";
import { inTransaction } from "../context.js";
import type { Tx } from "../store/db.js";
import type { InboundEvent } from "../channels/types.js";
import { READ_MOVES_FROM, type DeliveryStatus } from "../domain/message-status.js";
import { conversationAudience, toFacts } from "../store/conversations.js";
import { messageDto, type InsertedMessage } from "../store/messages.js";
import { receiveCustomerEvent, recordEvent, type ChannelRef, type CustomerEvent } from "./receive-inbound.js";
import { batchable } from "./ingest-batch.js";
import { setMessageStatusInTx } from "./update-message-status.js";

export type EventOutcome = "stored" | "updated" | "unmatched" | "ignored" | "duplicate" | "dropped";

export interface WebhookSummary {
  outcomes: { eventKey: string; type: InboundEvent["type"]; outcome: EventOutcome }[];
}

/** Receipts only move messages that the platform has accepted (a 發送中 message cannot be read yet). */
const MOVABLE_FROM: Record<"received" | "read", readonly DeliveryStatus[]> = { received: ["sent"], read: READ_MOVES_FROM };

async function markError(tx: Tx, channel: ChannelRef, eventKey: string, error: string): Promise<void> {
  await tx.updateTable("webhook_events").set({ error }).where("channel_id", "=", channel.id).where("event_key", "=", eventKey).execute();
}

async function emitUpdated(tx: Tx, fx: Effects, row: InsertedMessage): Promise<void> {
  const conv = await tx.selectFrom("conversations").select(["id", "workspace_id", "kind", "state", "queue", "follower_id", "last_handler_id", "reopenable"]).where("id", "=", row.conversation_id).executeTakeFirst();
  if (!conv) return;
  fx.emit({ workspaceId: row.workspace_id, name: "message.updated", audience: conversationAudience(conv.kind, toFacts(conv)), data: { conversationId: row.conversation_id, message: messageDto(row) } });
}

type StatusEvent = Extract<InboundEvent, { type: "status" }>;
type WatermarkEvent = Extract<InboundEvent, { type: "watermark" }>;

async function applyStatus(tx: Tx, fx: Effects, channel: ChannelRef, e: StatusEvent, now: Date): Promise<EventOutcome> {
  const m = await tx.selectFrom("messages").select("id").where("channel_id", "=", channel.id).where("platform_message_id", "=", e.platformMessageId).where("direction", "=", "out").executeTakeFirst();
  if (!m) {
    // Not ours (sent by another tool on the same account) or the receipt beat our send's commit.
    await markError(tx, channel, e.eventKey, "no outbound message with this platform id");
    return "unmatched";
  }
  // STAT-8, STAT-14: the platform's code and text, verbatim.
  const reason = e.status === "failed" ? (e.reason ? `${e.reason.code}: ${e.reason.message}` : "unknown: delivery failed") : undefined;
  const moved = await setMessageStatusInTx(tx, fx, m.id, { status: e.status, reason }, now);
  return moved ? "updated" : "ignored";
}

/** Messenger watermarks: every message we sent to that customer up to the watermark is delivered/read. */
async function applyWatermark(tx: Tx, fx: Effects, channel: ChannelRef, e: WatermarkEvent, now: Date): Promise<EventOutcome> {
  const conv = await tx
    .selectFrom("conversations as c")
    .innerJoin("contact_identities as i", "i.id", "c.identity_id")
    .select("c.id")
    .where("i.channel_id", "=", channel.id)
    .where("i.platform_user_id", "=", e.recipientUserId)
    .executeTakeFirst();
  if (!conv) {
    await markError(tx, channel, e.eventKey, "no conversation for this recipient");
    return "unmatched";
  }
  const to = e.kind === "delivery" ? "received" : "read";
  const mids = e.platformMessageIds ?? [];
  const rows = await tx
    .selectFrom("messages")
    .select("id")
    .where("conversation_id", "=", conv.id)
    .where("direction", "=", "out")
    .where("status", "in", MOVABLE_FROM[to])
    .where((eb) => eb.or([eb("created_at", "<=", e.watermark), ...(mids.length ? [eb("platform_message_id", "in", mids)] : [])]))
    .orderBy("created_at")
    .execute();
  let moved = 0;
  for (const r of rows) if (await setMessageStatusInTx(tx, fx, r.id, { status: to }, now)) moved++;
  return moved ? "updated" : "ignored";
}

async function applyOther(tx: Tx, fx: Effects, channel: ChannelRef, e: InboundEvent, now: Date): Promise<EventOutcome> {
  switch (e.type) {
    case "status":
      return applyStatus(tx, fx, channel, e, now);
    case "watermark":
      return applyWatermark(tx, fx, channel, e, now);
    case "unsend": {
      // The customer took the message back: kept for the record, hidden by the UI (LINE guidelines).
      const rows = await tx
        .updateTable("messages")
        .set({ unsent_at: now })
        .where("channel_id", "=", channel.id)
        .where("platform_message_id", "=", e.platformMessageId)
        .where("direction", "=", "in")
        .where("unsent_at", "is", null)
        .returningAll()
        .execute();
      for (const row of rows) await emitUpdated(tx, fx, row);
      if (!rows.length) await markError(tx, channel, e.eventKey, "no inbound message with this platform id");
      return rows.length ? "updated" : "unmatched";
    }
    case "follow":
    case "unfollow": {
      // No identity yet (a follow before any message): the first message creates it, followed by default.
      const r = await tx
        .updateTable("contact_identities")
        .set({ followed: e.type === "follow" })
        .where("channel_id", "=", channel.id)
        .where("platform_user_id", "=", e.sender.userId)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0 ? "updated" : "ignored";
    }
    default:
      // echo (our own or another tool's send, never a customer message), edit, group events, ignored.
      return "ignored";
  }
}

/** Group conversations are a later issue: their messages are recorded, not routed. */
const isGroupEvent = (e: InboundEvent): boolean => (e.type === "message" || e.type === "postback") && e.sender.groupId !== undefined;

export async function processWebhookEvent(ctx: AppContext, channel: ChannelRef, e: InboundEvent): Promise<EventOutcome> {
  if ((e.type === "message" || e.type === "postback") && !isGroupEvent(e)) {
    const res = await receiveCustomerEvent(ctx, channel, e);
    return res.status;
  }
  return inTransaction(ctx, async (tx, fx) => {
    const now = ctx.clock.now();
    const payload = isGroupEvent(e) ? { ...e, ignoredReason: "group conversations are not supported yet" } : e;
    if (!(await recordEvent(tx, ctx.configCache, channel, e.eventKey, payload, now))) return "duplicate";
    if (isGroupEvent(e)) return "ignored";
    return applyOther(tx, fx, channel, e, now);
  });
}

/**
 * Processes a webhook's events in order; throws (→ 5xx, platform retries) if
 * one cannot be stored. Customer messages of distinct customers go with other
 * webhooks' in a batch (ingest-batch.ts) when the process batches.
 */
export async function processWebhookEvents(ctx: AppContext, channel: ChannelRef, events: InboundEvent[]): Promise<WebhookSummary> {
  const oneByOne = async () => {
    const outcomes: EventOutcome[] = [];
    for (const e of events) outcomes.push(await processWebhookEvent(ctx, channel, e));
    return outcomes;
  };
  const outcomes =
    ctx.ingest && batchable(events)
      ? await ctx.ingest.submit(channel, events as CustomerEvent[], oneByOne)
      : await oneByOne();
  return { outcomes: outcomes.map((outcome, i) => ({ eventKey: events[i].eventKey, type: events[i].type, outcome })) };
}
