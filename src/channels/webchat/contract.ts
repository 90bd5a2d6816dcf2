/**
 * The website widget's wire contract, defined once for the server
 * (src/api/routes/widget.ts, src/realtime/widget-namespace.ts) and the
 * widget bundle (widget/src/frame.ts) — guides/architecture.md principle 9.
 * Types and constants only: no Node or DOM imports, so both sides can use it.
 */

import { CAPABILITIES, MEDIA_TEXT } from "../../domain/channel-capabilities.js";

/** The Socket.IO namespace the frame connects to (same path as the console's stream). */
export const WIDGET_NAMESPACE = "/widget";

/** MEDIA-3, MEDIA-6, MEDIA-7: what a visitor may send, from the channel capability table (JPG/JPEG/PNG up to 10 MB). */
const IMAGE_RULE = CAPABILITIES.webchat.media.image ?? { maxBytes: 0, mimeTypes: [] };
export const WIDGET_IMAGE_LIMIT_BYTES = IMAGE_RULE.maxBytes;
export const WIDGET_IMAGE_TYPES: readonly string[] = IMAGE_RULE.mimeTypes ?? [];
/** The types the server recognises by their magic bytes. */
export type WidgetImageType = "image/png" | "image/jpeg";

const tooLarge = MEDIA_TEXT.tooLarge(`${Math.round(WIDGET_IMAGE_LIMIT_BYTES / (1024 * 1024))}MB`);
/** MEDIA-7 (proposed texts), with the codes the widget endpoints answer. */
export const WIDGET_ERRORS = {
  tooLarge: { code: "file_too_large", zh: tooLarge.zh, en: tooLarge.en },
  badType: { code: "unsupported_file_type", zh: MEDIA_TEXT.unsupported.zh, en: MEDIA_TEXT.unsupported.en },
  badName: { code: "invalid_file_name", zh: "檔案名稱不合法", en: "Invalid file name" },
} as const;

/** A visitor's anonymous id: random, kept by the frame in localStorage. */
export const VISITOR_ID_RE = /^[A-Za-z0-9_-]{16,64}$/;
/** The frame's id for one message it sends (idempotency key of a retry). */
export const CLIENT_MESSAGE_ID_RE = /^[A-Za-z0-9_-]{8,100}$/;

export interface SessionRequest {
  channelId: string;
  visitorId?: string;
  /** The embedding page's origin, as the loader told the frame. */
  origin?: string;
}

export interface SessionResponse {
  token: string;
  visitorId: string;
  expiresAt: string;
  channel: { id: string; name: string };
}

/** One message as the visitor sees it: nothing internal (no member ids, no system messages, no failure reasons). */
export interface VisitorMessage {
  id: string;
  from: "visitor" | "agent";
  kind: "text" | "image";
  text: string;
  /** Same-origin path of an image (kind "image"). */
  imageUrl?: string;
  /** Agent messages: the delivery status the inbox shows for it (STAT-1). */
  status?: "sent" | "received" | "read";
  /** Visitor messages: the frame's id for it. */
  clientMessageId?: string;
  createdAt: string;
}

export interface SendMessageRequest {
  text: string;
  clientMessageId: string;
  pageUrl?: string;
  pageTitle?: string;
}

/** Socket events, server → frame. */
export const WIDGET_EVENTS = {
  ready: "ready",
  /** A message for the visitor (an agent's reply, or their own from another tab). */
  message: "message",
  /** A status change of an agent's message (received / read). */
  status: "message.status",
  /** frame → server: these agent messages reached the visitor (STAT-4, STAT-10); answered with an ack. */
  received: "received",
} as const;

export interface StatusPush {
  id: string;
  status: "sent" | "received" | "read";
}

/** Page ↔ frame postMessage protocol: every message is an object whose type starts with "parley:". */
export type PageToFrame =
  | { type: "parley:context"; url: string; title: string }
  | { type: "parley:open"; open: boolean }
  | { type: "parley:page-state"; visible: boolean; focused: boolean };

export type FrameToPage =
  | { type: "parley:ready" }
  | { type: "parley:close" }
  | { type: "parley:unread"; count: number };

export function isParleyMessage(data: unknown): data is { type: string } {
  return typeof data === "object" && data !== null && typeof (data as { type?: unknown }).type === "string" && (data as { type: string }).type.startsWith("parley:");
}
