/**
 * Where 「近期發送紀錄」 (MEDIA-22) is kept: localStorage, per member, so it
 * is not synchronised across devices. The list's rule (order, no duplicates,
 * at most 16) is the domain's (withRecent).
 */
import { RECENT_STICKERS_MAX, type StickerRef } from "../../src/domain/stickers.js";

const key = (memberId: string) => `parley.recentStickers.${memberId}`;

export function loadRecentStickers(memberId: string): StickerRef[] {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(key(memberId)) ?? "[]");
    if (!Array.isArray(v)) return [];
    return v
      .filter((x): x is StickerRef => typeof x?.packageId === "string" && typeof x?.stickerId === "string")
      .slice(0, RECENT_STICKERS_MAX);
  } catch {
    return []; // storage unavailable or damaged: start a new list
  }
}

export function saveRecentStickers(memberId: string, list: readonly StickerRef[]): void {
  try {
    localStorage.setItem(key(memberId), JSON.stringify(list));
  } catch {
    /* private mode or full storage: the list lives for this page only */
  }
}
