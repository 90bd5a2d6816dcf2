/**
 * WeChat Official Account customer-service (客服) message policy, checked by
 * the inbox before WeChat is called (pure: no I/O, no clock of its own).
 * - 48 h window: custom messages may be sent only within 48 hours after the
 *   customer's last message (WeChat answers 45015 outside it).
 * - At most 5 custom messages per customer message: the counter resets when
 *   the customer writes again (WeChat answers 45047 past it).
 * Texts are proposed (the spec names WeChat but states no limits for it).
 */

export const WECHAT_WINDOW_MS = 48 * 3_600_000;
export const WECHAT_MAX_SENDS_PER_CUSTOMER_MESSAGE = 5;

export const WECHAT_TEXT = {
  windowClosed: { zh: "已超過 48 小時回覆期限,無法傳送訊息", en: "More than 48 hours have passed since the customer's last message; the message cannot be sent" }, // proposed
  sendLimit: { zh: "客人每則訊息後最多可回覆 5 則訊息", en: "At most 5 messages can be sent after each customer message" }, // proposed
} as const;

export interface WeChatSendContext {
  /** When the customer last wrote (null: never). */
  lastCustomerMessageAt: Date | null;
  /** Custom messages already sent (or on their way) since that customer message. */
  sentSinceCustomerMessage: number;
  now: Date;
}

/** Shaped like a DomainError (code, zh-TW message, English message). */
export interface WeChatSendRefusal {
  code: "window_closed";
  message: string;
  messageEn: string;
}

const refusal = (t: { zh: string; en: string }): WeChatSendRefusal => ({ code: "window_closed", message: t.zh, messageEn: t.en });

/** null when one more custom message may be sent now, else the refusal to show. */
export function checkWeChatSend(ctx: WeChatSendContext): WeChatSendRefusal | null {
  const last = ctx.lastCustomerMessageAt?.getTime();
  // Never wrote, or an unreadable time: there is no window to answer in.
  if (last === undefined || !Number.isFinite(last)) return refusal(WECHAT_TEXT.windowClosed);
  // A customer time slightly ahead of ours (clock skew) counts as "just now".
  if (ctx.now.getTime() - last > WECHAT_WINDOW_MS) return refusal(WECHAT_TEXT.windowClosed);
  // `!(a < b)` also refuses a NaN count rather than letting it through.
  if (!(ctx.sentSinceCustomerMessage < WECHAT_MAX_SENDS_PER_CUSTOMER_MESSAGE)) return refusal(WECHAT_TEXT.sendLimit);
  return null;
}
