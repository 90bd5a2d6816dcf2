/**
 * Automated messages tied to the lifecycle and the channels that can carry
 * them (COLLAB-70 table): the satisfaction survey on close (LIFE-39, all
 * channels) and the auto-close reminder (LIFE-44: LINE, Facebook, WhatsApp,
 * Instagram only).
 */
import type { Platform } from "./message-status.js";

export const SURVEY_CHANNELS: readonly Platform[] = ["line", "messenger", "instagram", "whatsapp", "wechat", "webchat", "api"];
export const AUTO_CLOSE_REMINDER_CHANNELS: readonly Platform[] = ["line", "messenger", "whatsapp", "instagram"];

export function canSendSurvey(platform: string): boolean {
  return (SURVEY_CHANNELS as readonly string[]).includes(platform);
}

export function canSendAutoCloseReminder(platform: string): boolean {
  return (AUTO_CLOSE_REMINDER_CHANNELS as readonly string[]).includes(platform);
}

export interface AutoCloseSettings {
  autoCloseMinutes: number | null;
  /** Minutes before the auto-close at which the reminder goes out; null = no reminder. */
  autoCloseReminderMinutesBefore: number | null;
  autoCloseReminderText: string;
}

/** When the reminder is due for a staff reply at `replyAt`, or null when none applies. */
export function reminderDueAt(s: AutoCloseSettings, platform: string, replyAt: Date): Date | null {
  if (!s.autoCloseMinutes || !s.autoCloseReminderMinutesBefore || !s.autoCloseReminderText.trim()) return null;
  if (!canSendAutoCloseReminder(platform)) return null;
  const lead = Math.min(s.autoCloseReminderMinutesBefore, s.autoCloseMinutes);
  return new Date(replyAt.getTime() + (s.autoCloseMinutes - lead) * 60_000);
}
