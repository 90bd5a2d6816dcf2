/**
 * Messenger (object "page") and Instagram (object "instagram") webhooks.
 * Wire format and traps: /work/shared/reference/channels/meta-messenger-instagram.md.
 * The signature and GET handshake are shared with WhatsApp (same Meta transport).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { InboundEvent, NormalizedMessage, PostbackSource, Sender } from "../types.js";
import { asArray, get, hashKey, idStr, isObj, metaTime, num, str, type Obj } from "./common.js";
import { MEDIA_PLACEHOLDER, withPlaceholder } from "../../domain/inbound-media.js";

/**
 * X-Hub-Signature-256: "sha256=" + lowercase hex HMAC-SHA256(app secret, raw body).
 * Trap: Meta signs the \uXXXX-escaped bytes it sent; re-serialised JSON never matches.
 */
export function verifyMetaSignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  try {
    if (!Buffer.isBuffer(rawBody) || typeof header !== "string" || typeof appSecret !== "string" || appSecret === "") return false;
    const m = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
    if (!m) return false;
    const given = Buffer.from(m[1], "hex");
    const expected = createHmac("sha256", appSecret).update(rawBody).digest();
    return given.length === expected.length && timingSafeEqual(given, expected);
  } catch {
    return false;
  }
}

function constantTimeEquals(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8"), y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Reads `hub.mode` from a flat query, or from `{hub:{mode}}` if a qs-style parser nested it. */
function hubParam(query: Record<string, unknown>, name: string): string | undefined {
  const v = query[`hub.${name}`] ?? get(query, "hub", name);
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  return typeof v === "string" ? v : undefined; // repeated params (arrays) are rejected
}

/**
 * GET handshake: returns the challenge to echo as the raw 200 body, or null (→ 403).
 */
export function verifyMetaChallenge(query: Record<string, unknown>, verifyToken: string): string | null {
  try {
    if (!isObj(query) || typeof verifyToken !== "string" || verifyToken === "") return null;
    const mode = hubParam(query, "mode"), token = hubParam(query, "verify_token"), challenge = hubParam(query, "challenge");
    if (mode !== "subscribe" || token === undefined || challenge === undefined || challenge === "") return null;
    return constantTimeEquals(token, verifyToken) ? challenge : null;
  } catch {
    return null;
  }
}

const GET_STARTED_TITLES = new Set(["get started", "開始使用"]);

/**
 * LIFE-22 rows 5/6. Get Started, persistent-menu items and ordinary buttons are wire-identical
 * postbacks, so classification relies on the payloads Parley configures in the Messenger
 * Profile API ("GET_STARTED", "parley:menu…"/"MENU…") plus two payload-independent hints:
 * the Get Started button's title, and `referral`, which Meta attaches to a postback only
 * when the user entered through an m.me link / ad / QR and tapped Get Started.
 */
export function classifyMetaPostback(payload: string, title?: string, hasReferral = false): PostbackSource {
  if (payload === "GET_STARTED" || payload.startsWith("parley:get_started") || hasReferral) return "fb_get_started";
  if (title !== undefined && GET_STARTED_TITLES.has(title.trim().toLowerCase())) return "fb_get_started";
  if (payload.startsWith("parley:menu") || payload.startsWith("MENU")) return "fb_persistent_menu";
  return "other";
}

/** One normalized message per attachment (Meta lets a user send several images under one mid). */
function normalizeMetaMessage(m: Obj, instagram = false): NormalizedMessage[] {
  const text = typeof m.text === "string" && m.text !== "" ? m.text : undefined;
  const extra: Obj = {};
  const qr = str(get(m, "quick_reply", "payload"));
  if (qr) extra.quickReplyPayload = qr;
  const story = get(m, "reply_to", "story");
  if (isObj(story)) extra.storyReply = { id: idStr(story.id), url: str(story.url) }; // IG story reply: not a quote of a message
  if (isObj(m.referral)) extra.referral = m.referral;
  if (str(m.metadata)) extra.metadata = m.metadata; // echoes: what we set on send
  const withExtra = (msg: NormalizedMessage): NormalizedMessage => (Object.keys(extra).length ? { ...msg, extra: { ...extra, ...msg.extra } } : msg);

  // Instagram flags gifs/stickers it cannot deliver through the API.
  if (m.is_unsupported === true) return [withExtra({ kind: "unsupported", ...(text ? { text } : {}) })];
  const attachments = asArray(m.attachments).filter(isObj);
  if (attachments.length === 0) return [withExtra(text ? { kind: "text", text } : { kind: "unsupported" })];

  return attachments.map((a, i) => {
    const type = str(a.type) ?? "";
    const payload = isObj(a.payload) ? a.payload : {};
    const url = str(payload.url);
    const media = url ? { url } : {};
    const t = i === 0 && text ? { text } : {};
    switch (type) {
      case "image":
        // Messenger stickers (incl. the thumbs-up "like") are image attachments with sticker_id.
        if (idStr(payload.sticker_id)) return withExtra({ kind: "sticker", media, ...t, extra: { stickerId: idStr(payload.sticker_id) } });
        // MEDIA-16: an Instagram photo without its content (允許重播 / 單次檢視 modes) is a placeholder bubble,
        // still an image for routing (LIFE-14 row 9).
        if (instagram && !url) return withExtra(withPlaceholder({ kind: "image", media, ...t }, MEDIA_PLACEHOLDER.instagramPhoto));
        return withExtra({ kind: "image", media, ...t });
      case "ephemeral":
        // Instagram's disappearing photos; treated like a photo without content (MEDIA-16).
        if (instagram) return withExtra(withPlaceholder({ kind: "image", media: {}, ...t, extra: { attachmentType: type } }, MEDIA_PLACEHOLDER.instagramPhoto));
        return withExtra({ kind: "unsupported", media, ...t, extra: { attachmentType: type } });
      case "video":
      case "audio":
      case "file":
        return withExtra({ kind: type, media, ...t });
      case "sticker":
        return withExtra({ kind: "sticker", media, ...t });
      case "location": {
        const lat = num(get(payload, "coordinates", "lat")), long = num(get(payload, "coordinates", "long"));
        if (lat === undefined || long === undefined) return withExtra({ kind: "unsupported", ...t, extra: { attachmentType: type } });
        return withExtra({ kind: "location", location: { latitude: lat, longitude: long, title: str(a.title) }, ...t });
      }
      case "fallback": {
        // Link shares Meta cannot render; "a fallback with no payload might be sent".
        const title = str(a.title) ?? str(payload.title);
        const link = str(a.url) ?? url;
        const shown = text ?? ([title, link].filter(Boolean).join("\n") || undefined);
        return withExtra(shown ? { kind: "text", text: shown, extra: { fallback: { title, url: link } } } : { kind: "unsupported", extra: { attachmentType: type } });
      }
      case "template":
        return withExtra({ kind: "template", ...t, extra: { template: payload } });
      default:
        // share, ig_reel, reel, post, ig_post, story_mention, appointment_booking, future types.
        return withExtra({ kind: "unsupported", media, ...t, extra: { attachmentType: type || "(none)" } });
    }
  });
}

interface Ctx { now: () => Date; entryTime?: Date; instagram: boolean }

function parseMessaging(item: unknown, ctx: Ctx): InboundEvent[] {
  if (!isObj(item)) return [{ eventKey: hashKey("meta", item), at: ctx.now(), type: "ignored", reason: "messaging item is not an object" }];
  const senderId = idStr(get(item, "sender", "id"));
  const recipientId = idStr(get(item, "recipient", "id"));
  const at = metaTime(item.timestamp) ?? ctx.entryTime ?? ctx.now();
  const ignored = (reason: string, key = hashKey("meta", item)): InboundEvent[] => [{ eventKey: key, at, type: "ignored", reason }];
  const sender: Sender | undefined = senderId ? { userId: senderId } : undefined;

  if (isObj(item.message)) {
    const m = item.message;
    const mid = idStr(m.mid);
    if (!mid) return ignored("message without mid");
    if (m.is_echo === true) {
      // Sent by the Page/IG account (our app, another app or a human in Business Suite):
      // sender/recipient are swapped — the customer is the recipient. Never a customer message.
      if (!recipientId) return ignored("echo without recipient", mid);
      const appId = idStr(m.app_id);
      return [{ eventKey: mid, at, type: "echo", recipientUserId: recipientId, platformMessageId: mid, message: normalizeMetaMessage(m, ctx.instagram)[0], ...(appId ? { appId } : {}) }];
    }
    if (!sender) return ignored("message without sender", mid);
    if (m.is_deleted === true) return [{ eventKey: `${mid}:deleted`, at, type: "unsend", sender, platformMessageId: mid }];
    const quoted = idStr(get(m, "reply_to", "mid"));
    return normalizeMetaMessage(m, ctx.instagram).map((message, i) => {
      // unique (channel, platform_message_id): extra attachments get "#i" suffixes; the first keeps the mid
      // so quotes and deletes that reference the mid land on it.
      const id = i === 0 ? mid : `${mid}#${i}`;
      return { eventKey: id, at, type: "message" as const, sender, platformMessageId: id, message, ...(quoted ? { quotedPlatformMessageId: quoted } : {}) };
    });
  }

  if (isObj(item.postback)) {
    const pb = item.postback;
    if (!sender) return ignored("postback without sender");
    const payload = typeof pb.payload === "string" ? pb.payload : "";
    const title = str(pb.title);
    // postback.mid identifies the message holding the button and is reused for every tap:
    // the key adds sender, payload and the event timestamp.
    const key = `postback:${senderId}:${idStr(pb.mid) ?? ""}:${payload}:${idStr(item.timestamp) ?? ""}`;
    return [{ eventKey: key, at, type: "postback", sender, data: payload, source: classifyMetaPostback(payload, title, isObj(pb.referral)), ...(title ? { title } : {}) }];
  }

  if (isObj(item.delivery)) {
    const d = item.delivery;
    const mids = asArray(d.mids).map(idStr).filter((x): x is string => x !== undefined);
    const watermark = metaTime(d.watermark);
    if (!senderId) return ignored("delivery without sender");
    if (watermark) {
      // timestamp is 0 on real delivery receipts: the receipt time is the watermark.
      return [{ eventKey: `delivery:${senderId}:${idStr(d.watermark)}`, at: metaTime(item.timestamp) ?? watermark, type: "watermark", recipientUserId: senderId, kind: "delivery", watermark, ...(mids.length ? { platformMessageIds: mids } : {}) }];
    }
    if (mids.length) return mids.map((mid) => ({ eventKey: `${mid}:received`, at, type: "status" as const, platformMessageId: mid, status: "received" as const, recipientUserId: senderId }));
    return ignored("delivery without watermark or mids");
  }

  if (isObj(item.read)) {
    const r = item.read;
    if (!senderId) return ignored("read without sender");
    const watermark = metaTime(r.watermark);
    if (watermark) return [{ eventKey: `read:${senderId}:${idStr(r.watermark)}`, at, type: "watermark", recipientUserId: senderId, kind: "read", watermark }];
    // Instagram messaging_seen names one message instead of a watermark.
    const mid = idStr(r.mid);
    if (mid) return [{ eventKey: `${mid}:read`, at, type: "status", platformMessageId: mid, status: "read", recipientUserId: senderId }];
    return ignored("read without watermark or mid");
  }

  if (isObj(item.reaction)) return ignored("reaction (not a message bubble)");
  const kind = Object.keys(item).find((k) => !["sender", "recipient", "timestamp"].includes(k));
  // referral, optin, account_linking, handover (pass/take_thread_control), policy_enforcement, …
  return ignored(`meta messaging ${kind ?? "(empty)"}`);
}

export interface ParseOptions {
  /** Used only when neither the event nor its entry has a usable timestamp. */
  now?: () => Date;
}

/**
 * Normalises a parsed Messenger/Instagram webhook body. Never throws.
 * Reads entry[].messaging[] and entry[].standby[] (handover: events for an app that is not
 * thread owner), and entry[].changes[] with field "messages" (the IG dashboard "Test" shape).
 */
export function parseMetaWebhook(body: unknown, opts: ParseOptions = {}): InboundEvent[] {
  const now = opts.now ?? (() => new Date());
  try {
    if (!isObj(body)) return [];
    if (body.object !== "page" && body.object !== "instagram") {
      return [{ eventKey: hashKey("meta", body), at: now(), type: "ignored", reason: `meta object ${String(str(body.object) ?? "(none)")}` }];
    }
    const out: InboundEvent[] = [];
    for (const entry of asArray(body.entry)) {
      if (!isObj(entry)) continue;
      const ctx: Ctx = { now, entryTime: metaTime(entry.time), instagram: body.object === "instagram" };
      const guarded = (item: unknown): InboundEvent[] => {
        try {
          return parseMessaging(item, ctx);
        } catch (err) {
          return [{ eventKey: hashKey("meta", item), at: now(), type: "ignored", reason: `unparseable item: ${err instanceof Error ? err.message : "error"}` }];
        }
      };
      for (const item of [...asArray(entry.messaging), ...asArray(entry.standby)]) out.push(...guarded(item));
      for (const change of asArray(entry.changes)) {
        const field = str(get(change, "field"));
        const value = get(change, "value");
        if (field === "messages" && isObj(value)) out.push(...guarded(value));
        else out.push({ eventKey: hashKey("meta", change), at: ctx.entryTime ?? now(), type: "ignored", reason: `meta change ${field ?? "(none)"}` });
      }
    }
    return out;
  } catch (err) {
    return [{ eventKey: hashKey("meta", body), at: now(), type: "ignored", reason: `unparseable body: ${err instanceof Error ? err.message : "error"}` }];
  }
}
