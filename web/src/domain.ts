/**
 * The server's domain rules and user-visible texts, imported as they are
 * (never copied): role and view names, delivery statuses, waiting badges,
 * batch actions per view. Every text there is { zh, en }; `localized` picks
 * the one of the UI language. The tag export's day limit is the one rule
 * mirrored here (the server's lives in a use case, not in src/domain).
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

/**
 * PROF-19, PROF-22: one tag export covers at most this many days. The server
 * refuses longer ranges (MAX_EXPORT_DAYS in src/usecases/export-tags.ts, which
 * the console cannot import); the export dialog checks the same rule first.
 */
export const MAX_TAG_EXPORT_DAYS = 30;

/** 貼標統計數據 (one row per tag) or 貼標逐筆紀錄 (one row per tagging record), PROF-18, PROF-23. */
export const TAG_EXPORT_TYPES = ["statistics", "records"] as const;
export type TagExportType = (typeof TAG_EXPORT_TYPES)[number];

export function localized(text: Bilingual, language: string): string {
  return language.startsWith("en") ? text.en : text.zh;
}
