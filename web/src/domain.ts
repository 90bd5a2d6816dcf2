/**
 * The server's domain rules and user-visible texts, imported as they are
 * (never copied): role and view names, delivery statuses, waiting badges,
 * batch actions per view. Every text there is { zh, en }; `localized` picks
 * the one of the UI language.
 */
export { ROLES, ROLE_NAMES, can, type Role, type Capability } from "../../src/domain/roles.js";
export { VIEWS, VIEW_NAMES, type ViewKey } from "../../src/domain/conversation.js";
export { STATUS_TEXT, type DeliveryStatus, type Platform } from "../../src/domain/message-status.js";
export { WAITING_TOOLTIP, waitingLevel, type WaitingLevel } from "../../src/domain/waiting.js";
export { BATCH_BY_VIEW, MAX_BATCH_TRANSFER, batchAllowedForRole, type BatchAction } from "../../src/domain/batch.js";
export { TEXT } from "../../src/domain/errors.js";
export type { ChannelCapabilities, MediaKind, MediaRule } from "../../src/domain/channel-capabilities.js";
export type { ReplyWindow } from "../../src/domain/reply-window.js";

export interface Bilingual {
  zh: string;
  en: string;
}

export function localized(text: Bilingual, language: string): string {
  return language.startsWith("en") ? text.en : text.zh;
}
