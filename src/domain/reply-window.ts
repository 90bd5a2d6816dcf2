/**
 * Platform reply windows, computed at send time on the server (ADV-24):
 * - Messenger (ADV-18..ADV-25): ≤ 24 h any reply; 24 h – 7 days only
 *   non-promotional, with the hint; > 7 days nothing can be sent. Human
 *   replies always carry the HUMAN_AGENT tag (ADV-19, ADV-26).
 * - Instagram: no window is enforced; platform errors surface as failed (ADV-26).
 * - WhatsApp (ADV-30, ADV-33): > 24 h since the customer's last message (or
 *   never) only an approved template may be sent.
 * Refusing here means the platform is never called with what it would refuse.
 */
import type { DomainError } from "./errors.js";

const HOUR = 3_600_000;

export const WINDOW_TEXT = {
  messengerHumanAgent: { zh: "此用戶的訊息已超過24小時,只能傳送「非推廣性質」的訊息", en: "This user's message is more than 24 hours old; only non-promotional messages can be sent" },
  // Kept verbatim from the source, typo included (「非推廣興致」), as the spec allows (ADV-20 note).
  messengerClosed: { zh: "無法傳送訊息,你已經超過Facebook的對話限制(客人最後一個訊息後7天內可傳送非推廣興致的訊息)", en: "Cannot send: you have exceeded Facebook's conversation limit (non-promotional messages can be sent within 7 days after the customer's last message)" },
  whatsappTemplateOnly: { zh: "顧客最後訊息已超過24小時,請使用訊息範本", en: "The customer's last message is more than 24 hours old; please use a message template" },
} as const;

export interface ReplyWindow {
  /** Whether a free-form message (text, media, saved reply) may be sent now. */
  freeForm: boolean;
  /** Whether promotional content (referral links) may be sent now (REF-24, ADV-25). */
  promotional: boolean;
  /** Whether a template may be sent (WhatsApp). */
  template: boolean;
  /** The composer hint to show, if any. */
  hint: { zh: string; en: string } | null;
  /** Messenger message tag for a human reply. */
  humanTag: "HUMAN_AGENT" | null;
}

const OPEN: ReplyWindow = { freeForm: true, promotional: true, template: false, hint: null, humanTag: null };

export function replyWindow(platform: string, lastCustomerMessageAt: Date | null, now: Date): ReplyWindow {
  const age = lastCustomerMessageAt ? now.getTime() - lastCustomerMessageAt.getTime() : Infinity;
  switch (platform) {
    case "messenger":
      if (age <= 24 * HOUR) return { ...OPEN, humanTag: "HUMAN_AGENT" };
      if (age <= 7 * 24 * HOUR) return { freeForm: true, promotional: false, template: false, hint: WINDOW_TEXT.messengerHumanAgent, humanTag: "HUMAN_AGENT" };
      return { freeForm: false, promotional: false, template: false, hint: WINDOW_TEXT.messengerClosed, humanTag: null };
    case "whatsapp":
      if (age <= 24 * HOUR) return { ...OPEN, template: true };
      return { freeForm: false, promotional: false, template: true, hint: WINDOW_TEXT.whatsappTemplateOnly, humanTag: null };
    default:
      return OPEN;
  }
}

/** The refusal for a free-form human reply outside the window, or null when it may go. */
export function checkFreeFormReply(platform: string, lastCustomerMessageAt: Date | null, now: Date): DomainError | null {
  const w = replyWindow(platform, lastCustomerMessageAt, now);
  if (w.freeForm) return null;
  return { code: "window_closed", message: w.hint!.zh, messageEn: w.hint!.en };
}
