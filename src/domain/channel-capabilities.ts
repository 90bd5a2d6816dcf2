/**
 * What each channel can carry (MEDIA-3, MEDIA-6..MEDIA-8, MEDIA-17, MEDIA-18,
 * STAT-5, STAT-10): the media kinds an agent may send, their size limits and
 * types, stickers, and how delivery/read are learnt. The API validates a send
 * against this before it leaves; the console offers only what it allows.
 */
import { READ_SEMANTICS, type Platform } from "./message-status.js";
import type { DomainError } from "./errors.js";

export type MediaKind = "image" | "video" | "audio" | "file";
const MB = 1024 * 1024;

export interface MediaRule {
  maxBytes: number;
  /** Allowed MIME types; null = any type except executables. */
  mimeTypes: readonly string[] | null;
}

export interface ChannelCapabilities {
  media: Partial<Record<MediaKind, MediaRule>>;
  /** Sticker sending: "line_official" (MEDIA-18), "add_on" (WhatsApp packs, needs the workspace add-on), or none. */
  stickers: "line_official" | "add_on" | null;
  reportsDelivery: boolean;
  read: (typeof READ_SEMANTICS)[Platform]["read"];
  /** MEDIA-7: a non-blocking hint when an image is larger than this. */
  imageHintBytes?: number;
}

const IMAGES = ["image/jpeg", "image/png"] as const; // MEDIA-6, MEDIA-8
const LINE_VIDEO = ["video/mp4", "video/quicktime"] as const; // MEDIA-5
const AUDIO = ["audio/mpeg", "audio/mp4", "audio/aac", "audio/ogg", "audio/x-m4a", "audio/amr"] as const;
const VIDEO = ["video/mp4", "video/3gpp", "video/quicktime"] as const;

export const CAPABILITIES: Record<Platform, ChannelCapabilities> = {
  webchat: { media: { image: { maxBytes: 10 * MB, mimeTypes: IMAGES } }, stickers: null, reportsDelivery: true, read: "on_widget_open" },
  messenger: {
    media: {
      image: { maxBytes: 8 * MB, mimeTypes: IMAGES },
      video: { maxBytes: 8 * MB, mimeTypes: VIDEO },
      audio: { maxBytes: 8 * MB, mimeTypes: AUDIO },
      file: { maxBytes: 8 * MB, mimeTypes: null },
    },
    stickers: null,
    reportsDelivery: true,
    read: "receipt",
    imageHintBytes: 1 * MB,
  },
  instagram: { media: { image: { maxBytes: 8 * MB, mimeTypes: IMAGES } }, stickers: null, reportsDelivery: false, read: "receipt" },
  line: {
    media: {
      image: { maxBytes: 50 * MB, mimeTypes: IMAGES },
      video: { maxBytes: 50 * MB, mimeTypes: LINE_VIDEO },
      audio: { maxBytes: 50 * MB, mimeTypes: AUDIO },
      file: { maxBytes: 64 * MB, mimeTypes: null },
    },
    stickers: "line_official",
    reportsDelivery: false,
    read: "on_customer_reply",
  },
  whatsapp: {
    media: {
      image: { maxBytes: 5 * MB, mimeTypes: IMAGES },
      video: { maxBytes: 16 * MB, mimeTypes: VIDEO },
      audio: { maxBytes: 16 * MB, mimeTypes: AUDIO },
      file: { maxBytes: 100 * MB, mimeTypes: null },
    },
    stickers: "add_on",
    reportsDelivery: true,
    read: "receipt",
  },
  wechat: { media: {}, stickers: null, reportsDelivery: false, read: "none" }, // MEDIA-8: no media in this release
  api: {
    media: { image: { maxBytes: 10 * MB, mimeTypes: IMAGES }, video: { maxBytes: 50 * MB, mimeTypes: VIDEO }, audio: { maxBytes: 50 * MB, mimeTypes: AUDIO }, file: { maxBytes: 64 * MB, mimeTypes: null } },
    stickers: null,
    reportsDelivery: true,
    read: "receipt",
  },
};

export function capabilitiesOf(platform: string): ChannelCapabilities {
  return CAPABILITIES[platform as Platform] ?? { media: {}, stickers: null, reportsDelivery: false, read: "none" };
}

const EXECUTABLE = /\.(exe|bat|cmd|com|msi|scr|ps1|sh|dll)$/i;

export const MEDIA_TEXT = {
  tooLarge: (limit: string) => ({ zh: `檔案超過大小限制(${limit})`, en: `File exceeds the size limit (${limit})` }),
  unsupported: { zh: "不支援此檔案類型", en: "This file type is not supported" },
  imageHint: { zh: "建議圖片小於等於 1 MB", en: "Images of at most 1 MB are recommended" },
} as const;

const human = (bytes: number) => `${Math.round(bytes / MB)}MB`;

/** MEDIA-7: checks one attachment before it is stored or sent. */
export function checkMedia(
  platform: string,
  kind: MediaKind,
  file: { bytes: number; mimeType: string; fileName: string },
): { error: DomainError | null; hint: { zh: string; en: string } | null } {
  const caps = capabilitiesOf(platform);
  const rule = caps.media[kind];
  const unsupported = { code: "validation" as const, message: MEDIA_TEXT.unsupported.zh, messageEn: MEDIA_TEXT.unsupported.en };
  if (!rule) return { error: unsupported, hint: null };
  if (rule.mimeTypes ? !rule.mimeTypes.includes(file.mimeType) : EXECUTABLE.test(file.fileName) || file.mimeType === "application/x-msdownload")
    return { error: unsupported, hint: null };
  if (file.bytes > rule.maxBytes) {
    const t = MEDIA_TEXT.tooLarge(human(rule.maxBytes));
    return { error: { code: "validation", message: t.zh, messageEn: t.en }, hint: null };
  }
  const hint = kind === "image" && caps.imageHintBytes && file.bytes > caps.imageHintBytes ? MEDIA_TEXT.imageHint : null;
  return { error: null, hint };
}

/** MEDIA-10..MEDIA-12: a LINE file sent 1:1 expires 30 days after the upload time rounded up to 00:00 UTC. */
export function lineFileExpiry(uploadedAt: Date): Date {
  const d = new Date(uploadedAt.getTime());
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const start = midnight === d.getTime() ? midnight : midnight + 86_400_000;
  return new Date(start + 30 * 86_400_000);
}
