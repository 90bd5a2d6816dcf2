/**
 * WhatsApp Business Cloud API adapter (reference/channels/whatsapp.md §2-3).
 * Credentials: accessToken (system-user token), phoneNumberId (send path and
 * webhook routing), appSecret (signature), verifyToken (GET handshake),
 * optional graphBaseUrl (simulator).
 * Trap: outside the 24 h window Meta usually answers 200 with a wamid and
 * fails the message later through a `failed` status (131047): that arrives
 * as a webhook, the synchronous error is handled too.
 */
import type { ChannelAdapter, ChannelCredentials, FetchedMedia, InboundEvent, MediaRef, NormalizedMessage, OutboundMessage, SendResult } from "../types.js";
import { PlatformError } from "../types.js";
import { asArray, get, hashKey, idStr, isObj, str } from "../meta/common.js";
import { cred, graphBase, graphError, graphPost, GRAPH_VERSION, header, readGraphError, readJsonBody, type Classifier } from "../meta/graph.js";
import { downloadMedia, graphGetJson } from "../media-download.js";
import { parseWhatsAppWebhook, verifyMetaChallenge, verifyMetaSignature } from "./webhook.js";

export const classifyWhatsAppSendError: Classifier = (_status, e) => {
  if (e.code === 131047) return "window_closed";
  // 130429 throughput, 131056 pair rate, 131048 spam rate limit.
  if (e.code === 130429 || e.code === 131056 || e.code === 131048) return "rate_limited";
  if (e.code === 131000 || e.code === 131016) return "temporary"; // something went wrong / service unavailable
  // 131026 undeliverable, 131030 not in allowed list (test numbers), 131021 recipient = sender.
  if (e.code === 131026 || e.code === 131030 || e.code === 131021) return "invalid_recipient";
  // On WhatsApp #10 is "permission denied" (not Messenger's window error), #0 AuthException.
  if (e.code === 10 || e.code === 0 || e.code === 3) return "auth_revoked";
  return undefined;
};

function reject(code: string, message: string): never {
  throw new PlatformError("content_rejected", code, message);
}

/** Media by uploaded id when we have one, else by link. */
function mediaObject(m: NormalizedMessage, withCaption: boolean): Record<string, unknown> {
  const media = m.media;
  if (!media?.platformMediaId && !media?.url) reject("missing_media", "媒體需要網址或媒體 id");
  return {
    ...(media.platformMediaId ? { id: media.platformMediaId } : { link: media.url }),
    ...(withCaption && m.text ? { caption: m.text } : {}),
  };
}

function template(msg: OutboundMessage): { name: string; language: string; components?: unknown[] } | undefined {
  if (msg.template) return msg.template;
  const t = (msg.message.extra as Record<string, unknown> | undefined)?.template;
  if (isObj(t) && typeof t.name === "string" && typeof t.language === "string") return { name: t.name, language: t.language, ...(Array.isArray(t.components) ? { components: t.components } : {}) };
  return undefined;
}

/** The typed part of a send body: `type` plus the object named after it. */
function typed(msg: OutboundMessage): Record<string, unknown> {
  const m = msg.message;
  const tpl = template(msg);
  if (tpl || m.kind === "template") {
    if (!tpl) reject("missing_template", "範本訊息需要名稱與語言");
    return { type: "template", template: { name: tpl.name, language: { code: tpl.language }, ...(tpl.components ? { components: tpl.components } : {}) } };
  }
  switch (m.kind) {
    case "text":
      if (!m.text) reject("empty_text", "文字訊息不可為空");
      return { type: "text", text: { body: m.text, preview_url: false } };
    case "image":
    case "video":
      return { type: m.kind, [m.kind]: mediaObject(m, true) };
    case "audio":
      return { type: "audio", audio: mediaObject(m, false) }; // audio takes no caption
    case "sticker":
      return { type: "sticker", sticker: mediaObject(m, false) };
    case "file":
      return { type: "document", document: { ...mediaObject(m, true), ...(m.media?.fileName ? { filename: m.media.fileName } : {}) } };
    case "location": {
      const l = m.location;
      if (!l) reject("missing_location", "位置資料不完整");
      return { type: "location", location: { latitude: l.latitude, longitude: l.longitude, ...(l.title ? { name: l.title } : {}), ...(l.address ? { address: l.address } : {}) } };
    }
    default:
      return reject("unsupported_kind", `WhatsApp 不支援傳送此類訊息 (${m.kind})`);
  }
}

export function whatsAppSendBody(msg: OutboundMessage): Record<string, unknown> {
  return {
    messaging_product: "whatsapp",
    recipient_type: "individual",
    to: msg.recipientUserId,
    // ADV agent quoted reply: context.message_id = the wamid being answered.
    ...(msg.quotedPlatformMessageId ? { context: { message_id: msg.quotedPlatformMessageId } } : {}),
    ...typed(msg),
  };
}

/**
 * One app sends every number's events to its one callback URL: changes whose
 * metadata.phone_number_id is another number's are not this channel's.
 */
function dropForeignNumbers(body: unknown, phoneNumberId: string): { body: unknown; foreign: InboundEvent[] } {
  if (!phoneNumberId || !isObj(body) || !Array.isArray(body.entry)) return { body, foreign: [] };
  const foreign: InboundEvent[] = [];
  const entry = asArray(body.entry).map((e) => {
    if (!isObj(e) || !Array.isArray(e.changes)) return e;
    const changes = e.changes.filter((c) => {
      const id = idStr(get(c, "value", "metadata", "phone_number_id"));
      if (id === undefined || id === phoneNumberId) return true;
      foreign.push({ eventKey: hashKey("wa", c), at: new Date(), type: "ignored", reason: `change for another number ${id}` });
      return false;
    });
    return { ...e, changes };
  });
  return { body: { ...body, entry }, foreign };
}

/** Hosts Meta serves WhatsApp media from (lookaside.fbsbx.com): the only ones the token is sent to. */
const MEDIA_HOSTS = /(^|\.)(fbsbx\.com|facebook\.com|fbcdn\.net|whatsapp\.net)$/i;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { error: { message: text.slice(0, 300) } };
  }
}

/**
 * An inbound media id → GET /{media-id} {url, mime_type} → GET url with the Bearer
 * token (the URL lives 5 minutes, so each attempt asks for a fresh one). The token
 * goes to Meta's media hosts or the configured Graph host only.
 */
export async function fetchWhatsAppMedia(ref: MediaRef, creds: ChannelCredentials, baseUrl?: string): Promise<FetchedMedia> {
  const base = graphBase(creds, baseUrl);
  if (!ref.platformMediaId) {
    if (ref.url) return downloadMedia(ref.url, { trustedOrigins: [base] });
    throw new PlatformError("content_rejected", "no_media", "the message has no media id");
  }
  const token = cred(creds, "accessToken");
  const info = await graphGetJson(`${base}/${GRAPH_VERSION}/${encodeURIComponent(ref.platformMediaId)}`, token, (status, headers, body) =>
    graphError(status, headers, readGraphError(parseJson(body)), classifyWhatsAppSendError),
  );
  const url = str(get(info, "url"));
  if (!url) throw new PlatformError("temporary", "no_url", "WhatsApp answered without a media URL");
  let host: string;
  let origin: string;
  try {
    ({ hostname: host, origin } = new URL(url));
  } catch {
    throw new PlatformError("content_rejected", "bad_url", "WhatsApp answered with an invalid media URL");
  }
  if (origin !== new URL(base).origin && !MEDIA_HOSTS.test(host)) throw new PlatformError("content_rejected", "untrusted_media_host", `not sending the token to ${host}`);
  const got = await downloadMedia(url, { headers: { authorization: `Bearer ${token}` }, trustedOrigins: [base] });
  const mime = str(get(info, "mime_type"));
  return { ...got, ...(mime ? { mimeType: mime } : {}) };
}

export const whatsAppAdapter: ChannelAdapter = {
  platform: "whatsapp",
  verify: (req, creds) => verifyMetaSignature(req.rawBody, header(req.headers, "x-hub-signature-256"), cred(creds, "appSecret")),
  parse(req, creds) {
    const raw = readJsonBody(req);
    if (raw === null) return [];
    const { body, foreign } = dropForeignNumbers(raw, cred(creds, "phoneNumberId"));
    return [...foreign, ...parseWhatsAppWebhook(body)];
  },
  challenge: (query, creds) => verifyMetaChallenge(query, cred(creds, "verifyToken")),
  async send(msg: OutboundMessage, creds: ChannelCredentials, baseUrl?: string): Promise<SendResult> {
    const phoneNumberId = cred(creds, "phoneNumberId");
    if (!phoneNumberId) throw new PlatformError("auth_revoked", "no_phone_number_id", "WhatsApp phoneNumberId is not set");
    const url = `${graphBase(creds, baseUrl)}/${GRAPH_VERSION}/${encodeURIComponent(phoneNumberId)}/messages`;
    const res = await graphPost(url, cred(creds, "accessToken"), whatsAppSendBody(msg), classifyWhatsAppSendError);
    const id = idStr(get(asArray(get(res, "messages"))[0], "id"));
    if (!id) throw new PlatformError("temporary", "no_id", "WhatsApp answered without a message id");
    return { platformMessageId: id };
  },
  fetchMedia: fetchWhatsAppMedia,
};
