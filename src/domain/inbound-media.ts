/**
 * Media customers send (pure rules, no I/O): which inbound messages have
 * content to download, the inbound size limit, what the console shows when
 * the content cannot be shown (MEDIA-16, MEDIA-20, MEDIA-21), and how a
 * message's content changes once its media is stored or found unavailable.
 */
import type { MediaRef, NormalizedMessage } from "../channels/types.js";
import type { MediaKind } from "./channel-capabilities.js";

const MB = 1024 * 1024;

/** The largest inbound file the inbox keeps a copy of (the largest any channel carries, MEDIA-7). */
export const MAX_INBOUND_MEDIA_BYTES = 100 * MB;

/** Message kinds whose content the inbox downloads (stickers are shown from the platform's references). */
export const FETCHED_KINDS: readonly string[] = ["image", "video", "audio", "file"];

export const MEDIA_PLACEHOLDER = {
  /** MEDIA-16: an Instagram photo sent in 允許重播 / 單次檢視 mode, whose content the API does not deliver. */
  instagramPhoto: {
    zh: "無法顯示此圖片,請顧客以「保留在聊天室中」模式重新傳送",
    en: "This image cannot be displayed; ask the customer to resend it in 'Keep in chat' mode",
  },
  /** MEDIA-20, MEDIA-21: shown with the 無法顯示的貼圖 icon. */
  lineSticker: { zh: "無法顯示的貼圖", en: "Sticker that cannot be displayed" },
} as const;

/**
 * LINE sticker resource types the inbox can show (a sticker image by package and
 * sticker id). Custom, message and name-text stickers carry the customer's own
 * text drawn into the sticker, and types LINE adds later (collages, MEDIA-21) are
 * unknown: those are 無法顯示的貼圖 (MEDIA-20).
 */
const LINE_DISPLAYABLE_STICKERS = new Set(["STATIC", "ANIMATION", "SOUND", "ANIMATION_SOUND", "POPUP", "POPUP_SOUND"]);

export function lineStickerDisplayable(resourceType: string): boolean {
  return LINE_DISPLAYABLE_STICKERS.has(resourceType);
}

/** The message marked as not displayable, with the console's placeholder text. */
export function withPlaceholder(m: NormalizedMessage, p: { zh: string; en: string }): NormalizedMessage {
  return { ...m, displayable: false, placeholder: p.zh, placeholderEn: p.en };
}

/** Whether a stored inbound message has content to download. */
export function needsDownload(m: NormalizedMessage): boolean {
  if (!FETCHED_KINDS.includes(m.kind) || m.displayable === false) return false;
  const media = m.media;
  if (!media || media.mediaFileId || media.downloadError) return false;
  return Boolean(media.platformMediaId || media.url);
}

export function mediaKindOfMime(mime: string): MediaKind {
  if (mime.startsWith("image/")) return "image";
  if (mime.startsWith("video/")) return "video";
  if (mime.startsWith("audio/")) return "audio";
  return "file";
}

/** Text files have no magic bytes; anything else the bytes do not name is an opaque binary. */
export function fallbackMime(bytes: Buffer, fileName: string | undefined): string {
  const textual = bytes.subarray(0, 4096).every((b) => b === 9 || b === 10 || b === 13 || b >= 32);
  if (textual) return fileName && /\.csv$/i.test(fileName) ? "text/csv" : "text/plain";
  return "application/octet-stream";
}

export interface StoredCopy {
  mediaFileId: string;
  url: string;
  mimeType: string;
  size: number;
  fileName?: string;
}

/** The content once the inbox has its own copy: `url` serves it, the platform's URL is kept as sourceUrl. */
export function withStoredMedia(m: NormalizedMessage, copy: StoredCopy): NormalizedMessage {
  const before: MediaRef = m.media ?? {};
  const { downloadError: _e, downloadErrorDetail: _d, ...rest } = before;
  const media: MediaRef = {
    ...rest,
    ...(before.url && before.url !== copy.url && !before.sourceUrl ? { sourceUrl: before.url } : {}),
    url: copy.url,
    mimeType: copy.mimeType,
    size: copy.size,
    mediaFileId: copy.mediaFileId,
    ...(copy.fileName && !before.fileName ? { fileName: copy.fileName } : {}),
  };
  return { ...m, media };
}

/**
 * too_large: over MAX_INBOUND_MEDIA_BYTES; not_found: the platform says gone (404/410);
 * auth: the channel's token was refused; rejected: any other refusal by the platform;
 * refused: the inbox would not download from that URL (not https, private host);
 * unavailable: still failing after the last retry.
 */
export type DownloadErrorKind = "too_large" | "not_found" | "auth" | "rejected" | "refused" | "unavailable";

/**
 * The content when its media cannot be downloaded: the platform reference stays,
 * `downloadError` says why. An Instagram photo whose content is not delivered is
 * the MEDIA-16 placeholder (it stays an image for routing, LIFE-14 row 9).
 */
export function withDownloadError(platform: string, m: NormalizedMessage, kind: DownloadErrorKind, detail?: string): NormalizedMessage {
  const media: MediaRef = { ...(m.media ?? {}), downloadError: kind, ...(detail ? { downloadErrorDetail: detail.slice(0, 300) } : {}) };
  const next: NormalizedMessage = { ...m, media };
  const notDelivered = kind === "not_found" || kind === "rejected" || kind === "unavailable";
  return platform === "instagram" && m.kind === "image" && notDelivered ? withPlaceholder(next, MEDIA_PLACEHOLDER.instagramPhoto) : next;
}
