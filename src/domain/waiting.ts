/**
 * Waiting-time badges (VIEW-19..VIEW-22): computed from when the customer
 * started waiting for a human; only a human reply or closing clears it.
 */
import type { ConversationState, Queue } from "./conversation.js";

export const WAITING_THRESHOLDS_MIN = [30, 60, 120] as const;
export type WaitingLevel = 0 | 30 | 60 | 120;

export const WAITING_TOOLTIP: Record<Exclude<WaitingLevel, 0>, { zh: string; en: string }> = {
  30: { zh: "已等候 30 分鐘", en: "Waiting 30 min" },
  60: { zh: "已等候 1 小時", en: "Waiting 1 h" },
  120: { zh: "已等候 2 小時", en: "Waiting 2 h" },
};

export function waitingLevel(
  c: { state: ConversationState; queue: Queue | null; waitingSince: Date | null },
  now: Date,
): WaitingLevel {
  if (!c.waitingSince || c.state === "closed") return 0;
  if (c.state === "pending" && c.queue === "bot") return 0; // VIEW-20
  const minutes = (now.getTime() - c.waitingSince.getTime()) / 60_000;
  let level: WaitingLevel = 0;
  for (const t of WAITING_THRESHOLDS_MIN) if (minutes >= t) level = t; // inclusive (VIEW-21)
  return level;
}

export type SenderKind = "customer" | "bot" | "agent" | "system";

/** VIEW-21: the next waiting-since after a message of this sender. */
export function nextWaitingSince(current: Date | null, sender: SenderKind, at: Date): Date | null {
  if (sender === "customer") return current ?? at;
  if (sender === "agent") return null;
  return current; // bot, system and broadcasts do not answer the customer
}
