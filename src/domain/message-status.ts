/**
 * Delivery status of outbound messages (spec/message-status.md).
 * STAT-9: statuses only move forward; failed is reachable from sending or sent.
 */
export const DELIVERY_STATUSES = ["sending", "sent", "received", "read", "failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const STATUS_TEXT: Record<DeliveryStatus, { zh: string; en: string }> = {
  sending: { zh: "發送中", en: "Sending" },
  sent: { zh: "已送出", en: "Sent" },
  received: { zh: "已收到", en: "Received" },
  read: { zh: "已讀", en: "Read" },
  failed: { zh: "傳送失敗", en: "Failed" },
};

const RANK: Record<Exclude<DeliveryStatus, "failed">, number> = { sending: 0, sent: 1, received: 2, read: 3 };

export function canMoveStatus(from: DeliveryStatus, to: DeliveryStatus): boolean {
  if (from === to) return false;
  if (from === "failed") return false;
  if (to === "failed") return from === "sending" || from === "sent"; // STAT-9, STAT-13
  return RANK[to] > RANK[from];
}

/**
 * STAT-6, STAT-11: the replies that become 已讀 when the customer is known to
 * have seen them (a read receipt, a later customer message, the widget
 * opened). Only replies the platform accepted: a 發送中 reply has not reached
 * anyone yet, and a failed one never will (STAT-9). Queries write these as
 * literals, so the partial index messages_out_unread, whose predicate is this
 * same list, stays usable by prepared statements.
 */
export const READ_MOVES_FROM = ["sent", "received"] as const satisfies readonly DeliveryStatus[];

export type Platform = "line" | "messenger" | "instagram" | "whatsapp" | "wechat" | "webchat" | "api";

/** STAT-5, STAT-6, STAT-7, STAT-10: how read/received are learnt per channel. */
export const READ_SEMANTICS: Record<Platform, { reportsDelivery: boolean; read: "receipt" | "on_customer_reply" | "on_widget_open" | "none" }> = {
  line: { reportsDelivery: false, read: "on_customer_reply" },
  messenger: { reportsDelivery: true, read: "receipt" },
  instagram: { reportsDelivery: false, read: "receipt" },
  whatsapp: { reportsDelivery: true, read: "receipt" },
  wechat: { reportsDelivery: false, read: "none" },
  webchat: { reportsDelivery: true, read: "on_widget_open" },
  api: { reportsDelivery: true, read: "receipt" },
};
