/**
 * Attachments before upload (MEDIA-2, MEDIA-7, MEDIA-8): the kinds a
 * channel offers, the file picker's accept list, and the same checks the
 * server makes, so a file that cannot go is refused before its bytes travel.
 * The server still decides from the bytes; this only spares the wait.
 */
import type { ChannelCapabilities, MediaKind, MediaRule } from "./domain";
import { stickerImageUrl } from "../../src/domain/stickers.js";
import type { MessageContent } from "./types";

export const MEDIA_KINDS: readonly MediaKind[] = ["image", "video", "audio", "file"];
const MB = 1024 * 1024;
const EXECUTABLE = /\.(exe|bat|cmd|com|msi|scr|ps1|sh|dll)$/i;

/** Types browsers leave empty or name differently, by extension. */
const BY_EXTENSION: Record<string, string> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  mp4: "video/mp4",
  mov: "video/quicktime",
  "3gp": "video/3gpp",
  mp3: "audio/mpeg",
  m4a: "audio/mp4",
  aac: "audio/aac",
  ogg: "audio/ogg",
  amr: "audio/amr",
};

/** The kinds the 「+」 menu offers for a channel, in the spec's order. */
export function offeredKinds(caps: ChannelCapabilities | undefined): MediaKind[] {
  return caps ? MEDIA_KINDS.filter((k) => caps.media[k]) : [];
}

/** The file picker's accept attribute for a kind. */
export function acceptFor(kind: MediaKind, rule: MediaRule): string | undefined {
  if (rule.mimeTypes) return rule.mimeTypes.join(",");
  return kind === "file" ? undefined : `${kind}/*`;
}

/** The limit as the server writes it in its message (e.g. 8MB). */
export function formatLimit(bytes: number): string {
  return `${Math.round(bytes / MB)}MB`;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < MB) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / MB).toFixed(1)} MB`;
}

function mimeOf(file: File): string {
  if (file.type) return file.type;
  const ext = /\.([a-z0-9]+)$/i.exec(file.name)?.[1]?.toLowerCase() ?? "";
  return BY_EXTENSION[ext] ?? "";
}

export type FileProblem = { kind: "unsupported" } | { kind: "empty" } | { kind: "tooLarge"; limit: string };

/** MEDIA-7: the reason a file may not be sent as this kind on this channel, or null. */
export function fileProblem(kind: MediaKind, rule: MediaRule | undefined, file: File): FileProblem | null {
  if (!rule) return { kind: "unsupported" };
  const mime = mimeOf(file);
  if (rule.mimeTypes ? !rule.mimeTypes.includes(mime) : EXECUTABLE.test(file.name) || mime === "application/x-msdownload") return { kind: "unsupported" };
  if (kind !== "file" && !mime.startsWith(`${kind}/`)) return { kind: "unsupported" };
  if (file.size === 0) return { kind: "empty" };
  if (file.size > rule.maxBytes) return { kind: "tooLarge", limit: formatLimit(rule.maxBytes) };
  return null;
}

/** MEDIA-7: Facebook images over 1 MB go, with a hint. */
export function imageHint(kind: MediaKind, caps: ChannelCapabilities | undefined, file: File): boolean {
  return kind === "image" && !!caps?.imageHintBytes && file.size > caps.imageHintBytes;
}

/** 「下載期限:MM/DD HH:mm」 in the viewer's local time (MEDIA-12). */
export function expiryLabel(iso: string): string {
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getMonth() + 1)}/${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** Only our own relative URLs and http(s) links are rendered (never javascript: or data:). */
export function safeMediaUrl(url: string | undefined): string | null {
  if (!url) return null;
  if (/^https?:\/\//i.test(url)) return url;
  if (/^\/(?![/\\])/.test(url)) return url;
  return null;
}

/**
 * A LINE sticker carries its package and sticker ids, not a file: its picture
 * is LINE's own (the same as the stickers agents send). Stickers the inbox
 * cannot display (MEDIA-20, MEDIA-21) keep their placeholder.
 */
export function stickerPicture(content: MessageContent | undefined): string | null {
  const s = content?.sticker as { stickerId?: unknown; displayable?: unknown } | undefined;
  if (!s || typeof s.stickerId !== "string" || !/^\d{1,12}$/.test(s.stickerId) || s.displayable === false || content?.displayable === false) return null;
  return stickerImageUrl(s.stickerId);
}
