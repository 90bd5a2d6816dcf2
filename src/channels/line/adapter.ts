/**
 * LINE Messaging API adapter. Webhooks: verify/parse delegate to webhook.ts.
 * Sending: always push through the official SDK client, never reply — reply
 * tokens expire within a minute and agents answer minutes later
 * (reference/channels/line.md §2). X-Line-Retry-Key = our message id, so a
 * retry after a lost response is answered 409 by LINE instead of sending twice.
 */
import { HTTPFetchError, messagingApi } from "@line/bot-sdk";
import type { ChannelAdapter, ChannelCredentials, FetchedMedia, MediaRef, NormalizedMessage, OutboundMessage, SendResult, WebhookRequest } from "../types.js";
import { PlatformError, retryAfterMs } from "../types.js";
import { downloadMedia } from "../media-download.js";
import { parseLineWebhook, verifyLineSignature } from "./webhook.js";

export const LINE_API_BASE = "https://api.line.me";
/** Content endpoints live on their own host (reference/channels/line.md §3). */
export const LINE_DATA_API_BASE = "https://api-data.line.me";
/** Without a deadline a hung connection would hold the delivery worker; the retry key makes retrying safe. */
const SEND_TIMEOUT_MS = 15_000;

const cred = (c: ChannelCredentials, k: string): string => (typeof c[k] === "string" ? (c[k] as string) : "");
const header = (h: WebhookRequest["headers"], name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

function reject(code: string, message: string): never {
  throw new PlatformError("content_rejected", code, message);
}

/** One NormalizedMessage → one LINE message object (the push API takes up to five). */
export function toLineMessage(m: NormalizedMessage): messagingApi.Message {
  const url = m.media?.url;
  const extra = (m.extra ?? {}) as Record<string, unknown>;
  const preview = typeof extra.previewImageUrl === "string" ? extra.previewImageUrl : undefined;
  switch (m.kind) {
    case "text":
      if (!m.text) reject("empty_text", "文字訊息不可為空");
      return { type: "text", text: m.text } as messagingApi.TextMessage;
    case "image":
      if (!url) reject("missing_media", "圖片需要網址");
      return { type: "image", originalContentUrl: url, previewImageUrl: preview ?? url } as messagingApi.ImageMessage;
    case "video":
      // LINE refuses a video without a preview image; better to say so than to send a broken bubble.
      if (!url || !preview) reject("missing_media", "影片需要網址與預覽圖");
      return { type: "video", originalContentUrl: url, previewImageUrl: preview } as messagingApi.VideoMessage;
    case "audio":
      if (!url || !m.media?.durationMs) reject("missing_media", "音訊需要網址與長度");
      return { type: "audio", originalContentUrl: url, duration: m.media.durationMs } as messagingApi.AudioMessage;
    case "file":
      // MEDIA-13: LINE has no file message; the customer gets a download link.
      if (!url) reject("missing_media", "檔案需要網址");
      return { type: "text", text: [m.media?.fileName, url].filter(Boolean).join("\n") } as messagingApi.TextMessage;
    case "sticker":
      if (!m.sticker) reject("missing_sticker", "貼圖資料不完整");
      return { type: "sticker", packageId: m.sticker.packageId, stickerId: m.sticker.stickerId } as messagingApi.StickerMessage;
    case "location": {
      const l = m.location;
      if (!l) reject("missing_location", "位置資料不完整");
      // title and address are both required by LINE.
      return { type: "location", title: l.title || "位置", address: l.address || `${l.latitude},${l.longitude}`, latitude: l.latitude, longitude: l.longitude } as messagingApi.LocationMessage;
    }
    default:
      return reject("unsupported_kind", `LINE 不支援傳送此類訊息 (${m.kind})`);
  }
}

interface LineErrorBody { message?: string; details?: { message?: string; property?: string }[]; sentMessages?: { id: string }[] }

/** HTTP error → PlatformError; 409 (retry key already accepted) is a success and handled by the caller. */
export function lineError(status: number, headers: Headers, body: LineErrorBody): PlatformError {
  const details = (body.details ?? []).map((d) => [d.property, d.message].filter(Boolean).join(": ")).filter(Boolean);
  const text = [body.message ?? `HTTP ${status}`, ...details].join("; ");
  if (status === 429) return new PlatformError("rate_limited", "429", text, retryAfterMs(headers));
  if (status >= 500) return new PlatformError("temporary", String(status), text);
  if (status === 401 || status === 403) return new PlatformError("auth_revoked", String(status), text);
  if ((body.details ?? []).some((d) => d.property === "to")) return new PlatformError("invalid_recipient", String(status), text);
  return new PlatformError("content_rejected", String(status), text);
}

function parseBody(s: string): LineErrorBody {
  try {
    const v = JSON.parse(s) as unknown;
    return typeof v === "object" && v !== null ? (v as LineErrorBody) : {};
  } catch {
    return { message: s.slice(0, 300) || undefined };
  }
}

/**
 * Where message content is fetched: explicit argument (tests), dataApiBaseUrl, then
 * apiBaseUrl — a channel pointed at another API host (the simulator) has its content
 * there too — then LINE's api-data host.
 */
export function lineDataBase(creds: ChannelCredentials, baseUrl?: string): string {
  return (baseUrl ?? (cred(creds, "dataApiBaseUrl") || cred(creds, "apiBaseUrl") || LINE_DATA_API_BASE)).replace(/\/+$/, "");
}

/**
 * An inbound message's content: contentProvider "line" (platformMediaId) from
 * GET api-data /v2/bot/message/{id}/content with the channel token; "external"
 * from its originalContentUrl, without the token. A video or audio LINE is still
 * preparing answers 202: retried later.
 */
export async function fetchLineMedia(ref: MediaRef, creds: ChannelCredentials, baseUrl?: string): Promise<FetchedMedia> {
  const trusted = [lineDataBase(creds, baseUrl), cred(creds, "apiBaseUrl")].filter(Boolean);
  if (ref.platformMediaId) {
    const token = cred(creds, "channelAccessToken");
    if (!token) throw new PlatformError("auth_revoked", "no_token", "LINE channel access token is not set");
    const url = `${lineDataBase(creds, baseUrl)}/v2/bot/message/${encodeURIComponent(ref.platformMediaId)}/content`;
    return downloadMedia(url, { headers: { authorization: `Bearer ${token}` }, trustedOrigins: trusted, classify: (status, headers, body) => lineError(status, headers, parseBody(body)) });
  }
  const external = ref.sourceUrl ?? ref.url;
  if (external) return downloadMedia(external, { trustedOrigins: trusted });
  throw new PlatformError("content_rejected", "no_media", "the message has no content to download");
}

export const lineAdapter: ChannelAdapter = {
  platform: "line",
  verify: (req, creds) => verifyLineSignature(req.rawBody, header(req.headers, "x-line-signature"), cred(creds, "channelSecret")),
  parse(req) {
    let body: unknown;
    try {
      body = JSON.parse(req.rawBody.toString("utf8"));
    } catch {
      return [];
    }
    return parseLineWebhook(body);
  },
  async send(msg: OutboundMessage, creds: ChannelCredentials, baseUrl?: string): Promise<SendResult> {
    const token = cred(creds, "channelAccessToken");
    if (!token) throw new PlatformError("auth_revoked", "no_token", "LINE channel access token is not set");
    const client = new messagingApi.MessagingApiClient({ channelAccessToken: token, baseURL: baseUrl ?? (cred(creds, "apiBaseUrl") || LINE_API_BASE) });
    const request: messagingApi.PushMessageRequest = { to: msg.groupId ?? msg.recipientUserId, messages: [toLineMessage(msg.message)] };
    let timer: NodeJS.Timeout | undefined;
    try {
      const res = await Promise.race([
        client.pushMessage(request, msg.id),
        new Promise<never>((_, rej) => {
          timer = setTimeout(() => rej(new PlatformError("temporary", "timeout", "LINE did not answer in time")), SEND_TIMEOUT_MS);
        }),
      ]);
      const id = res.sentMessages?.[0]?.id;
      if (!id) throw new PlatformError("temporary", "no_id", "LINE answered without a message id");
      return { platformMessageId: id };
    } catch (e) {
      if (e instanceof PlatformError) throw e;
      if (e instanceof HTTPFetchError) {
        const body = parseBody(e.body);
        // 409 on push means only: an earlier attempt with this retry key was accepted (its
        // response got lost). The message is out; LINE normally repeats its id in sentMessages.
        if (e.status === 409) return { platformMessageId: body.sentMessages?.[0]?.id ?? msg.id };
        throw lineError(e.status, e.headers, body);
      }
      throw new PlatformError("temporary", "network", e instanceof Error ? e.message : String(e));
    } finally {
      clearTimeout(timer);
    }
  },
  fetchMedia: fetchLineMedia,
};
