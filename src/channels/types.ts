/**
 * The contract between platform adapters and the inbox. An adapter turns a
 * platform's webhook into normalized inbound events and turns an outbound
 * message into the platform's send request; nothing outside
 * src/channels/<platform>/ knows a platform's wire format.
 */
import type { Platform } from "../domain/message-status.js";

export type { Platform };

export type MessageKind =
  | "text"
  | "image"
  | "video"
  | "audio"
  | "file"
  | "sticker"
  | "location"
  | "contact"
  | "template"
  | "product_links"
  | "postback"
  | "unsupported";

export interface MediaRef {
  /** Platform id to download the content later (LINE message id, WhatsApp media id). */
  platformMediaId?: string;
  url?: string;
  mimeType?: string;
  fileName?: string;
  size?: number;
  durationMs?: number;
  /**
   * Inbound media: the platform's own URL (LINE external content, Meta CDN) kept when
   * `url` is replaced by the inbox's stored copy.
   */
  sourceUrl?: string;
  /** Inbound media: the inbox's stored copy (media_files.id) once downloaded; `url` then serves it. */
  mediaFileId?: string;
  /**
   * Inbound media that could not be downloaded (the platform reference is kept):
   * too_large | not_found | auth | rejected | refused | unavailable (see domain/inbound-media.ts).
   */
  downloadError?: string;
  /** The platform's code and text for downloadError, for the record. */
  downloadErrorDetail?: string;
}

/** A message as the inbox stores it, whatever the platform. */
export interface NormalizedMessage {
  kind: MessageKind;
  text?: string;
  media?: MediaRef;
  sticker?: { packageId: string; stickerId: string; animated?: boolean; displayable?: boolean };
  location?: { latitude: number; longitude: number; title?: string; address?: string };
  mentions?: { userId?: string; index: number; length: number; isSelf?: boolean }[];
  emojis?: { index: number; length: number; productId: string; emojiId: string }[];
  /** Anything else worth keeping for display (contact cards, story replies, referral). */
  extra?: Record<string, unknown>;
  /**
   * false: the content cannot be shown (an Instagram photo whose content is not
   * delivered, MEDIA-16; a LINE sticker the inbox cannot display, MEDIA-20/21); the
   * console shows `placeholder` (zh-TW; `placeholderEn` in English) instead.
   */
  displayable?: boolean;
  placeholder?: string;
  placeholderEn?: string;
}

export type PostbackSource = "rich_menu_bot_card" | "rich_menu_text_inbox" | "fb_get_started" | "fb_persistent_menu" | "request_human" | "other";

interface Base {
  /** Unique per channel: the idempotency key (webhookEventId, mid, wamid+status…). */
  eventKey: string;
  at: Date;
  /** True when the platform says it is a redelivery (LINE deliveryContext.isRedelivery). */
  redelivery?: boolean;
}

export interface Sender {
  userId: string;
  displayName?: string;
  phone?: string; // WhatsApp wa_id
  /** Set when the message was posted in a group/room (LINE). */
  groupId?: string;
  groupType?: "group" | "room";
}

export type InboundEvent =
  | (Base & { type: "message"; sender: Sender; platformMessageId: string; message: NormalizedMessage; quotedPlatformMessageId?: string; replyToken?: string })
  | (Base & { type: "postback"; sender: Sender; data: string; source: PostbackSource; title?: string; replyToken?: string })
  | (Base & { type: "follow" | "unfollow"; sender: Sender })
  | (Base & { type: "echo"; recipientUserId: string; platformMessageId: string; message: NormalizedMessage; appId?: string })
  | (Base & { type: "status"; platformMessageId: string; status: "sent" | "received" | "read" | "failed"; reason?: { code: string; message: string }; recipientUserId?: string })
  | (Base & { type: "watermark"; recipientUserId: string; kind: "delivery" | "read"; watermark: Date; platformMessageIds?: string[] })
  | (Base & { type: "unsend"; sender: Sender; platformMessageId: string })
  | (Base & { type: "edit"; sender: Sender; platformMessageId: string; message: NormalizedMessage })
  | (Base & { type: "group_join" | "group_leave"; groupId: string; groupType: "group" | "room" })
  | (Base & { type: "members_joined" | "members_left"; groupId: string; groupType: "group" | "room"; userIds: string[] })
  | (Base & { type: "ignored"; reason: string });

/** What the inbox asks a platform to send. */
export interface OutboundMessage {
  /** The inbox's message id, used for idempotency (LINE X-Line-Retry-Key). */
  id: string;
  recipientUserId: string;
  groupId?: string;
  message: NormalizedMessage;
  /** Meta message tag outside the 24 h window (ADV), e.g. HUMAN_AGENT. */
  messageTag?: string;
  quotedPlatformMessageId?: string;
  template?: { name: string; language: string; components?: unknown[] };
}

export type PlatformErrorKind = "temporary" | "rate_limited" | "auth_revoked" | "invalid_recipient" | "window_closed" | "content_rejected";

/** The one error vocabulary for platforms (guides/architecture.md principle 8). */
export class PlatformError extends Error {
  constructor(
    readonly kind: PlatformErrorKind,
    readonly code: string,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
  get retryable(): boolean {
    return this.kind === "temporary" || this.kind === "rate_limited";
  }
}

/** A Retry-After header (seconds or an HTTP date) in milliseconds, for a rate_limited PlatformError. */
export function retryAfterMs(h: Headers): number | undefined {
  const v = h.get("retry-after");
  if (!v) return undefined;
  const s = Number(v);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

export interface SendResult {
  platformMessageId: string;
}

export interface WebhookRequest {
  rawBody: Buffer;
  headers: Record<string, string | string[] | undefined>;
  /** The URL's query parameters, for platforms that sign there (WeChat: signature, timestamp, nonce). */
  query?: Record<string, unknown>;
}

/** What the inbox knows about a conversation when an agent is about to reply (see ChannelAdapter.checkSend). */
export interface SendCheckContext {
  /** When the customer last wrote in this conversation (null: never). */
  lastCustomerMessageAt: Date | null;
  /** Outbound messages not failed since that customer message (the reply being checked not included). */
  sentSinceCustomerMessage: number;
  now: Date;
}

export interface ChannelCredentials {
  [k: string]: unknown;
}

/** The bytes of an inbound message's media, as downloaded from the platform. */
export interface FetchedMedia {
  bytes: Buffer;
  /** What the platform says the type is (the inbox trusts the bytes, not this). */
  mimeType?: string;
  fileName?: string;
}

export interface ChannelAdapter {
  readonly platform: Platform;
  /** Constant-time signature check on the raw bytes. */
  verify(req: WebhookRequest, credentials: ChannelCredentials): boolean;
  /** Never throws on odd payloads: unknown parts become `ignored` events. */
  parse(req: WebhookRequest, credentials: ChannelCredentials): InboundEvent[];
  send(msg: OutboundMessage, credentials: ChannelCredentials, baseUrl?: string): Promise<SendResult>;
  /**
   * Subscription handshake (Meta's GET hub.challenge): the body to echo, or null
   * to refuse. Absent on platforms without one.
   */
  challenge?(query: Record<string, unknown>, credentials: ChannelCredentials): string | null;
  /**
   * The platform's own sending policy (WeChat: 48 h window, 5 messages per customer
   * message), checked before a reply is stored so the platform is never called with
   * what it would refuse: a refusal (DomainError-shaped, zh-TW message) or null.
   * Absent on platforms without one.
   */
  checkSend?(ctx: SendCheckContext): { code: string; message: string; messageEn: string } | null;
  /**
   * Downloads the content of an inbound message's media (LINE content API,
   * WhatsApp media id, Meta attachment URL). Errors are PlatformErrors: gone
   * (404/410) is content_rejected, 5xx/429 are retryable; a file over the inbound
   * limit is content_rejected with code "too_large". Absent on platforms whose
   * inbound media the inbox does not download.
   */
  fetchMedia?(ref: MediaRef, credentials: ChannelCredentials, baseUrl?: string): Promise<FetchedMedia>;
}
