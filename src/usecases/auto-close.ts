/**
 * Auto-close (LIFE-43, LIFE-45) and its reminder (LIFE-44): when the staff's
 * last reply is older than the workspace's duration and the customer has not
 * written since, the system closes the processing conversation. Each staff
 * reply schedules the jobs at reply time (+ duration, − reminder lead); the
 * jobs re-check the conversation, so a later reply or a customer message
 * makes them no-ops.
 */
import type { AppContext, Effects } from "../context.js";
import { inTransaction } from "../context.js";
import type { Tx } from "../store/db.js";
import { autoClose } from "../domain/lifecycle.js";
import { reminderDueAt, type AutoCloseSettings } from "../domain/automated-messages.js";
import { applyOutcome, lockConversation, toFacts, type Conversation } from "../store/conversations.js";
import { enqueue } from "../jobs/queue.js";
import { queueBotReplies } from "./send-message.js";
import { AppError } from "./errors.js";

export interface AutoCloseJob {
  conversationId: string;
  workspaceId: string;
  replyAt: string;
}

async function settingsOf(tx: Tx, workspaceId: string): Promise<AutoCloseSettings & { satisfactionSurveyText: string }> {
  const ws = await tx.selectFrom("workspaces").select("settings").where("id", "=", workspaceId).executeTakeFirst();
  const s = (ws?.settings ?? {}) as Record<string, unknown>;
  return {
    autoCloseMinutes: Number(s.autoCloseMinutes) > 0 ? Number(s.autoCloseMinutes) : null,
    autoCloseReminderMinutesBefore: Number(s.autoCloseReminderMinutesBefore) > 0 ? Number(s.autoCloseReminderMinutesBefore) : null,
    autoCloseReminderText: typeof s.autoCloseReminderText === "string" ? s.autoCloseReminderText : "",
    satisfactionSurveyText: typeof s.satisfactionSurveyText === "string" ? s.satisfactionSurveyText : "",
  };
}

export async function scheduleAutoClose(tx: Tx, fx: Effects, conv: Conversation, replyAt: Date): Promise<void> {
  const s = await settingsOf(tx, conv.workspace_id);
  if (!s.autoCloseMinutes) return;
  const payload: AutoCloseJob = { conversationId: conv.id, workspaceId: conv.workspace_id, replyAt: replyAt.toISOString() };
  await enqueue(tx, fx, "auto_close", { ...payload }, new Date(replyAt.getTime() + s.autoCloseMinutes * 60_000));
  const channel = await tx.selectFrom("channels").select("platform").where("id", "=", conv.channel_id).executeTakeFirst();
  const remindAt = reminderDueAt(s, channel?.platform ?? "", replyAt);
  if (remindAt) await enqueue(tx, fx, "auto_close_reminder", { ...payload }, remindAt);
}

/** The conversation, locked, if the reply that scheduled this job is still the last word. */
async function stillDue(tx: Tx, p: AutoCloseJob): Promise<Conversation | null> {
  let conv: Conversation;
  try {
    conv = await lockConversation(tx, p.workspaceId, p.conversationId);
  } catch (e) {
    if (e instanceof AppError) return null; // deleted meanwhile
    throw e;
  }
  const replyAt = new Date(p.replyAt).getTime();
  const lastStaff = conv.last_staff_reply_at ? new Date(conv.last_staff_reply_at).getTime() : 0;
  const lastCustomer = conv.last_customer_message_at ? new Date(conv.last_customer_message_at).getTime() : 0;
  // LIFE-45: the timer restarts at every staff reply and stops at every customer message.
  if (conv.state !== "processing" || lastStaff !== replyAt || lastCustomer > replyAt) return null;
  return conv;
}

export async function runAutoClose(ctx: AppContext, p: AutoCloseJob): Promise<boolean> {
  return inTransaction(ctx, async (tx, fx) => {
    const conv = await stillDue(tx, p);
    const outcome = conv && autoClose(toFacts(conv));
    if (!conv || !outcome) return false;
    await applyOutcome(tx, fx, conv, outcome, ctx.clock.now(), { closed_reason: "auto" });
    return true;
  });
}

export async function runAutoCloseReminder(ctx: AppContext, p: AutoCloseJob): Promise<boolean> {
  return inTransaction(ctx, async (tx, fx) => {
    const conv = await stillDue(tx, p);
    if (!conv) return false;
    const s = await settingsOf(tx, conv.workspace_id);
    if (!s.autoCloseReminderText.trim()) return false;
    await queueBotReplies(tx, fx, conv, [{ text: s.autoCloseReminderText }], ctx.clock.now());
    return true;
  });
}

/** LIFE-39: the satisfaction survey sent as the conversation closes, when the workspace has one. */
export async function queueSurvey(tx: Tx, fx: Effects, conv: Conversation, at: Date): Promise<boolean> {
  const s = await settingsOf(tx, conv.workspace_id);
  if (!s.satisfactionSurveyText.trim()) return false;
  await queueBotReplies(tx, fx, conv, [{ text: s.satisfactionSurveyText }], at);
  return true;
}
