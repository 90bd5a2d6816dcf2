/**
 * Messenger and Instagram adapters (Messenger API for Instagram: same Send API
 * on graph.facebook.com with the Page token, reference/channels/meta-messenger-instagram.md).
 * Credentials: accessToken (Page access token), appSecret (webhook signature),
 * verifyToken (GET handshake), optional pageId (drop other accounts' entries)
 * and graphBaseUrl (simulator).
 */
import type { ChannelAdapter, ChannelCredentials, FetchedMedia, MediaRef, NormalizedMessage, OutboundMessage, SendResult } from "../types.js";
import { PlatformError } from "../types.js";
import { downloadMedia } from "../media-download.js";
import { get, idStr } from "./common.js";
import { parseMetaWebhook, verifyMetaChallenge, verifyMetaSignature } from "./webhook.js";
import { cred, graphBase, graphPost, GRAPH_VERSION, header, readJsonBody, splitForeignEntries, type Classifier } from "./graph.js";

type MetaPlatform = "messenger" | "instagram";
const OBJECT: Record<MetaPlatform, string> = { messenger: "page", instagram: "instagram" };

/** Window subcodes: Messenger 2018278, Instagram 2534022 ("sent outside of allowed window"). */
const WINDOW_SUBCODES = new Set([2018278, 2534022]);

export const classifyMetaSendError: Classifier = (_status, e) => {
  // Sent as code #10 (permission) with the subcode; #10 alone (e.g. News Messaging) is not about the window.
  if (e.subcode !== undefined && WINDOW_SUBCODES.has(e.subcode)) return "window_closed";
  // #551 "This person isn't available right now"; #100/2018001 "No matching user found"; 2018108 user blocked messages.
  if (e.code === 551 || e.subcode === 2018001 || e.subcode === 2018108) return "invalid_recipient";
  return undefined;
};

function reject(code: string, message: string): never {
  throw new PlatformError("content_rejected", code, message);
}

/** The Send API `message` object. Stickers cannot be sent by a Page (MEDIA-17). */
export function toMetaMessage(m: NormalizedMessage, platform: MetaPlatform): Record<string, unknown> {
  switch (m.kind) {
    case "text":
      if (!m.text) reject("empty_text", "文字訊息不可為空");
      return { text: m.text };
    case "image":
    case "video":
    case "audio":
    case "file": {
      if (!m.media?.url) reject("missing_media", "附件需要網址");
      if (platform === "instagram" && m.kind === "file") reject("unsupported_kind", "Instagram 不支援傳送檔案");
      return { attachment: { type: m.kind, payload: { url: m.media.url, is_reusable: true } } };
    }
    default:
      return reject("unsupported_kind", `${platform} 不支援傳送此類訊息 (${m.kind})`);
  }
}

/**
 * Inside the 24 h window a reply is messaging_type RESPONSE; outside it only a
 * message tag (HUMAN_AGENT, 7 days, ADV) is allowed.
 */
export function metaSendBody(msg: OutboundMessage, platform: MetaPlatform): Record<string, unknown> {
  return {
    recipient: { id: msg.recipientUserId },
    ...(msg.messageTag ? { messaging_type: "MESSAGE_TAG", tag: msg.messageTag } : { messaging_type: "RESPONSE" }),
    message: toMetaMessage(msg.message, platform),
  };
}

/**
 * An inbound attachment's content: its payload.url is a signed CDN link that
 * expires (meta-messenger-instagram.md: "download promptly"), fetched without the Page token.
 * An expired or refused link (403/404/410) is gone for good.
 */
export async function fetchMetaMedia(ref: MediaRef, creds: ChannelCredentials, baseUrl?: string): Promise<FetchedMedia> {
  const url = ref.sourceUrl ?? ref.url;
  if (!url) throw new PlatformError("content_rejected", "no_media", "the attachment has no URL");
  return downloadMedia(url, { trustedOrigins: [graphBase(creds, baseUrl)] });
}

export function createMetaAdapter(platform: MetaPlatform): ChannelAdapter {
  return {
    platform,
    verify: (req, creds) => verifyMetaSignature(req.rawBody, header(req.headers, "x-hub-signature-256"), cred(creds, "appSecret")),
    parse(req, creds) {
      const raw = readJsonBody(req);
      if (raw === null) return [];
      const pageId = cred(creds, "pageId");
      const { body, foreign } = pageId ? splitForeignEntries(raw, (e) => idStr(get(e, "id")) === undefined || idStr(get(e, "id")) === pageId, "meta") : { body: raw, foreign: [] };
      const object = get(body, "object");
      // The other family's object on this URL is a dashboard misconfiguration, not our customers.
      if (object !== OBJECT[platform] && (object === "page" || object === "instagram")) {
        return [...foreign, ...parseMetaWebhook(body).map((e) => ({ eventKey: e.eventKey, at: e.at, type: "ignored" as const, reason: `${String(object)} event on a ${platform} channel` }))];
      }
      return [...foreign, ...parseMetaWebhook(body)];
    },
    challenge: (query, creds) => verifyMetaChallenge(query, cred(creds, "verifyToken")),
    async send(msg: OutboundMessage, creds: ChannelCredentials, baseUrl?: string): Promise<SendResult> {
      const url = `${graphBase(creds, baseUrl)}/${GRAPH_VERSION}/me/messages`;
      const res = await graphPost(url, cred(creds, "accessToken"), metaSendBody(msg, platform), classifyMetaSendError);
      const id = idStr(get(res, "message_id"));
      if (!id) throw new PlatformError("temporary", "no_id", "Meta answered without a message_id");
      return { platformMessageId: id };
    },
    fetchMedia: fetchMetaMedia,
  };
}

export const messengerAdapter = createMetaAdapter("messenger");
export const instagramAdapter = createMetaAdapter("instagram");
