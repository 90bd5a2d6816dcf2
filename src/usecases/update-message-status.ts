/**
 * Delivery status changes of outbound messages (STAT-1..STAT-17). Statuses
 * only move forward (STAT-9): the UPDATE itself carries the allowed
 * predecessors, so out-of-order or redelivered receipts are no-ops even
 * under concurrency. A customer reply marking earlier replies read (STAT-11)
 * is part of storing the message (store/messages.ts, repliesReadUpdate).
 */
import type { AppContext, Effects } from "../context.js";
import { inTransaction } from "../context.js";
import type { Tx } from "../store/db.js";
import { DELIVERY_STATUSES, canMoveStatus, type DeliveryStatus } from "../domain/message-status.js";
import { conversationAudience, toFacts } from "../store/conversations.js";
import { messageDto } from "../store/messages.js";

function predecessors(to: DeliveryStatus): DeliveryStatus[] {
  return DELIVERY_STATUSES.filter((from) => canMoveStatus(from, to));
}

export interface StatusChange {
  status: DeliveryStatus;
  reason?: string | null;
  platformMessageId?: string;
}

/** Moves one message's status if the move is forward; returns whether it moved. */
export async function setMessageStatusInTx(tx: Tx, fx: Effects, messageId: string, change: StatusChange, at: Date): Promise<boolean> {
  const row = await tx
    .updateTable("messages")
    .set({
      status: change.status,
      status_at: at,
      ...(change.status === "failed" ? { status_reason: change.reason ?? null } : {}),
      ...(change.platformMessageId ? { platform_message_id: change.platformMessageId } : {}),
    })
    .where("id", "=", messageId)
    .where("direction", "=", "out")
    .where("status", "in", predecessors(change.status))
    .returningAll()
    .executeTakeFirst();
  if (!row) return false;
  const conv = await tx.selectFrom("conversations").select(["id", "workspace_id", "kind", "state", "queue", "follower_id", "last_handler_id", "reopenable"]).where("id", "=", row.conversation_id).executeTakeFirst();
  if (conv) {
    fx.emit({
      workspaceId: row.workspace_id,
      name: "message.updated",
      audience: conversationAudience(conv.kind, toFacts(conv)),
      data: { conversationId: row.conversation_id, message: messageDto(row) },
    });
  }
  return true;
}

export async function setMessageStatus(ctx: AppContext, messageId: string, change: StatusChange): Promise<boolean> {
  return inTransaction(ctx, (tx, fx) => setMessageStatusInTx(tx, fx, messageId, change, ctx.clock.now()));
}
