/**
 * OMO binding rules (PROF-44..PROF-46): on teams on the OMO plan, a LINE or
 * WhatsApp customer can be bound to a sales member by the store integration;
 * the customer panel shows the binding only there.
 */
import type { Platform } from "./message-status.js";

/** PROF-44: the channels whose customers can be bound. */
export const OMO_PLATFORMS: readonly Platform[] = ["line", "whatsapp"];

/** PROF-44: whether customers of this channel can be bound. */
export function isOmoChannel(platform: string): boolean {
  return (OMO_PLATFORMS as readonly string[]).includes(platform);
}

/** PROF-44: whether a customer's binding exists (and is shown) at all on this team and channel. */
export function omoBindingApplies(teamIsOmo: boolean, platform: string): boolean {
  return teamIsOmo && isOmoChannel(platform);
}

/** What is stored on the channel identity. */
export interface OmoBinding {
  memberId: string;
  branchId: string | null;
  boundAt: string;
}

export const OMO_ERRORS = {
  notOmo: { zh: "此功能僅適用於 OMO 方案", en: "OMO plan only" },
  wrongChannel: { zh: "OMO 綁定僅適用於 LINE 與 WhatsApp", en: "OMO binding exists for LINE and WhatsApp only" },
} as const;
