/**
 * Stickers an agent can send (MEDIA-17..MEDIA-19, MEDIA-23): on LINE, the
 * official stickers the Messaging API accepts (LINE's "Sticker list": these
 * packages and sticker-id ranges, nothing else); on WhatsApp only with the
 * sticker add-on and the team's own packs, which this release does not
 * store yet, so no WhatsApp sticker can be sent; no other channel sends
 * stickers.
 */
import { capabilitiesOf } from "./channel-capabilities.js";
import type { DomainError } from "./errors.js";

export interface StickerPack {
  packageId: string;
  /** Sticker ids, in LINE's order; the first is the pack's tab picture. */
  stickerIds: readonly string[];
}

const pack = (packageId: number, first: number, count: number): StickerPack => ({
  packageId: String(packageId),
  stickerIds: Array.from({ length: count }, (_, i) => String(first + i)),
});

/** MEDIA-18: 「LINE 官方貼圖」, the packages LINE lets a Messaging API bot send, in LINE's list order. */
export const LINE_OFFICIAL_PACKS: readonly StickerPack[] = [
  pack(446, 1988, 40),
  pack(789, 10855, 40),
  pack(1070, 17839, 40),
  pack(6136, 10551376, 24),
  pack(6325, 10979904, 24),
  pack(6359, 11069848, 24),
  pack(6362, 11087920, 24),
  pack(6370, 11088016, 24),
  pack(6632, 11825374, 24),
  pack(8515, 16581242, 24),
  pack(8522, 16581266, 24),
  pack(8525, 16581290, 24),
  pack(11537, 52002734, 40),
  pack(11538, 51626494, 40),
  pack(11539, 52114110, 40),
];

const LINE_OFFICIAL = new Map(LINE_OFFICIAL_PACKS.map((p) => [p.packageId, new Set(p.stickerIds)]));

/** The picture LINE serves for a sticker id (what LINE's own apps show). */
export function stickerImageUrl(stickerId: string): string {
  return `https://stickershop.line-scdn.net/stickershop/v1/sticker/${encodeURIComponent(stickerId)}/android/sticker.png`;
}

export const STICKER_TEXT = {
  notOnChannel: { zh: "此渠道不支援傳送貼圖", en: "Stickers cannot be sent on this channel" }, // MEDIA-17 (proposed)
  noPacks: { zh: "尚未開通 WhatsApp 貼圖包加購功能", en: "The WhatsApp sticker add-on is not enabled" }, // MEDIA-18, MEDIA-23 (proposed)
  notOfficial: { zh: "僅支援 LINE 官方貼圖", en: "Only LINE official stickers can be sent" }, // MEDIA-18 (proposed)
} as const;

const refusal = (t: { zh: string; en: string }): DomainError => ({ code: "validation", message: t.zh, messageEn: t.en });

/** The packs an agent may pick from in a conversation of this channel (empty: no sticker button, MEDIA-23). */
export function stickerPacksFor(platform: string): readonly StickerPack[] {
  return capabilitiesOf(platform).stickers === "line_official" ? LINE_OFFICIAL_PACKS : [];
}

/** MEDIA-17, MEDIA-18: whether this sticker may be sent in a conversation of this channel. */
export function checkStickerSend(platform: string, sticker: { packageId: string; stickerId: string }): DomainError | null {
  const kind = capabilitiesOf(platform).stickers;
  if (kind === "add_on") return refusal(STICKER_TEXT.noPacks);
  if (kind !== "line_official") return refusal(STICKER_TEXT.notOnChannel);
  if (!LINE_OFFICIAL.get(sticker.packageId)?.has(sticker.stickerId)) return refusal(STICKER_TEXT.notOfficial);
  return null;
}

export interface StickerRef {
  packageId: string;
  stickerId: string;
}

/** MEDIA-19, MEDIA-22: 「近期發送紀錄」 holds at most this many stickers. */
export const RECENT_STICKERS_MAX = 16;

/** MEDIA-22: the recent list after sending `s`: newest first, each sticker once (sending one again moves it to the front). */
export function withRecent(list: readonly StickerRef[], s: StickerRef): StickerRef[] {
  return [s, ...list.filter((x) => x.packageId !== s.packageId || x.stickerId !== s.stickerId)].slice(0, RECENT_STICKERS_MAX);
}
