/**
 * Auto-close (LIFE-43, LIFE-45): when the staff's last reply is older than
 * the workspace's duration and the customer has not written since, the
 * system closes the processing conversation. Each staff reply schedules a
 * job at reply time + duration; the job re-checks the conversation, so a
 * later reply or a customer message simply makes it a no-op.
 */
import type { AppContext, Effects } from "../context.js";
import { inTransaction } from "../context.js";
import type { Tx } from "../store/db.js";
import { autoClose } from "../domain/lifecycle.js";
import { applyOutcome, lockConversation, toFacts, type Conversation } from "../store/conversations.js";
import { enqueue } from "../jobs/queue.js";
import { AppError } from "./errors.js";

export async function scheduleAutoClose(tx: Tx, fx: Effects, conv: Conversation, replyAt: Date): Promise<void> {
  const ws = await tx.selectFrom("workspaces").select("settings").where("id", "=", conv.workspace_id).executeTakeFirst();
  const minutes = Number((ws?.settings as Record<string, unknown> | undefined)?.autoCloseMinutes ?? 0);
  if (!minutes || minutes <= 0) return;
  await enqueue(tx, fx, "auto_close", { conversationId: conv.id, workspaceId: conv.workspace_id, replyAt: replyAt.toISOString() }, new Date(replyAt.getTime() + minutes * 60_000));
}

export async function runAutoClose(ctx: AppContext, p: { conversationId: string; workspaceId: string; replyAt: string }): Promise<boolean> {
  return inTransaction(ctx, async (tx, fx) => {
    let conv: Conversation;
    try {
      conv = await lockConversation(tx, p.workspaceId, p.conversationId);
    } catch (e) {
      if (e instanceof AppError) return false; // deleted meanwhile
      throw e;
    }
    const replyAt = new Date(p.replyAt).getTime();
    const lastStaff = conv.last_staff_reply_at ? new Date(conv.last_staff_reply_at).getTime() : 0;
    const lastCustomer = conv.last_customer_message_at ? new Date(conv.last_customer_message_at).getTime() : 0;
    // LIFE-45: the timer restarts at every staff reply and stops at every customer message.
    if (lastStaff !== replyAt || lastCustomer > replyAt) return false;
    const outcome = autoClose(toFacts(conv));
    if (!outcome) return false;
    await applyOutcome(tx, fx, conv, outcome, ctx.clock.now(), { closed_reason: "auto" });
    return true;
  });
}
