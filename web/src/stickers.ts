/**
 * 「近期發送紀錄」 (MEDIA-19, MEDIA-22): the stickers this member sent from
 * this browser, newest first, without duplicates (sending one again moves it
 * to the front), at most 16. Kept in localStorage per member: it is not
 * synchronised across devices.
 */
export interface StickerRef {
  packageId: string;
  stickerId: string;
}

export const RECENT_STICKERS_MAX = 16;
const key = (memberId: string) => `parley.recentStickers.${memberId}`;

export function withRecent(list: readonly StickerRef[], s: StickerRef): StickerRef[] {
  return [s, ...list.filter((x) => x.packageId !== s.packageId || x.stickerId !== s.stickerId)].slice(0, RECENT_STICKERS_MAX);
}

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
