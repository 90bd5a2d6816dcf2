/**
 * LINE Messaging API webhook: signature check and event normalisation.
 * Wire format: /work/shared/reference/channels/line.md (and line-openapi/webhook.yml).
 * Pure functions only: no I/O, no clock except as a last-resort fallback for a missing timestamp.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { InboundEvent, MediaRef, NormalizedMessage, PostbackSource, Sender } from "../types.js";
import { lineStickerDisplayable, MEDIA_PLACEHOLDER, withPlaceholder } from "../../domain/inbound-media.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const idStr = (v: unknown): string => (typeof v === "string" ? v : typeof v === "number" && Number.isFinite(v) ? String(v) : "");
const int = (v: unknown): number | undefined => { const n = num(v); return n !== undefined && Number.isInteger(n) && n >= 0 ? n : undefined; };

/**
 * Group/room messages whose author did not consent to share a profile carry no
 * source.userId. Such a message is attributed to the group (sender.groupId), and
 * sender.userId is this empty marker — never invent a user id.
 */
export const LINE_UNKNOWN_MEMBER = "";

/**
 * x-line-signature = base64(HMAC-SHA256(channel secret, raw body)).
 * Trap: verify the exact raw bytes (re-serialised JSON changes escaping of emoji etc.).
 */
export function verifyLineSignature(rawBody: Buffer, signatureHeader: string | undefined, channelSecret: string): boolean {
  try {
    if (!Buffer.isBuffer(rawBody) || typeof signatureHeader !== "string" || typeof channelSecret !== "string" || channelSecret === "") return false;
    const sig = signatureHeader.trim();
    // Buffer.from(…, "base64") silently skips junk characters: insist on the canonical alphabet first.
    if (!/^[A-Za-z0-9+/]{43}=$/.test(sig)) return false;
    const given = Buffer.from(sig, "base64");
    const expected = createHmac("sha256", channelSecret).update(rawBody).digest();
    return given.length === expected.length && timingSafeEqual(given, expected);
  } catch {
    return false;
  }
}

/** LIFE-22: only postbacks from inbox-configured rich menus / bot cards change routing. */
export function classifyLinePostback(data: string): PostbackSource {
  if (data.startsWith("parley:bot_card")) return "rich_menu_bot_card";
  if (data.startsWith("parley:text_button")) return "rich_menu_text_inbox";
  if (data.startsWith("parley:human")) return "request_human";
  return "other";
}

/** Timestamps are int64 ms; a missing or bogus one must not yield an Invalid Date. */
function toDate(v: unknown, fallback: () => Date): Date {
  const n = num(v);
  if (n !== undefined && n > 0 && n < 8.64e15) return new Date(n);
  return fallback();
}

/** Stable JSON (sorted keys) so the fallback key does not depend on key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (isObj(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(",")}}`;
  return JSON.stringify(v) ?? "null";
}
const hashKey = (v: unknown): string => "line:" + createHash("sha256").update(canonical(v)).digest("hex").slice(0, 32);

interface Src { userId?: string; groupId?: string; groupType?: "group" | "room" }
function readSource(v: unknown): Src {
  if (!isObj(v)) return {};
  const userId = str(v.userId);
  if (v.type === "group" && str(v.groupId)) return { userId, groupId: str(v.groupId), groupType: "group" };
  if (v.type === "room" && str(v.roomId)) return { userId, groupId: str(v.roomId), groupType: "room" };
  return { userId };
}

/** null when the event cannot be attributed to anybody (no user and no group): it becomes `ignored`. */
function toSender(src: Src): Sender | null {
  if (src.groupId) return { userId: src.userId ?? LINE_UNKNOWN_MEMBER, groupId: src.groupId, groupType: src.groupType };
  if (src.userId) return { userId: src.userId };
  return null;
}

/** Keep only well-formed, in-range offsets: fixtures carry emoji indexes past the end of the text. */
function inRange(text: string, index: number, length: number): boolean {
  return length > 0 && index + length <= text.length;
}

function mediaRef(m: Obj): MediaRef {
  const cp = isObj(m.contentProvider) ? m.contentProvider : {};
  // contentProvider absent (legacy) or "line": the binary lives on api-data, fetched by message id.
  const media: MediaRef = cp.type === "external" ? {} : { platformMediaId: str(m.id) };
  const url = str(cp.originalContentUrl);
  if (url) media.url = url;
  const duration = num(m.duration);
  if (duration !== undefined) media.durationMs = duration;
  return media;
}

/** Normalises a LINE message object (also used for messageEdited). */
export function normalizeLineMessage(m: Obj): NormalizedMessage {
  const type = str(m.type) ?? "";
  const extra: Obj = {};
  for (const k of ["quoteToken", "markAsReadToken"] as const) if (str(m[k])) extra[k] = m[k];
  const withExtra = (msg: NormalizedMessage): NormalizedMessage => (Object.keys(extra).length ? { ...msg, extra: { ...extra, ...msg.extra } } : msg);
  switch (type) {
    case "text": {
      const text = typeof m.text === "string" ? m.text : "";
      const msg: NormalizedMessage = { kind: "text", text };
      const emojis = (Array.isArray(m.emojis) ? m.emojis : []).filter(isObj).flatMap((e) => {
        const index = int(e.index), length = int(e.length), productId = str(e.productId), emojiId = str(e.emojiId);
        return index !== undefined && length !== undefined && productId && emojiId && inRange(text, index, length) ? [{ index, length, productId, emojiId }] : [];
      });
      if (emojis.length) msg.emojis = emojis;
      const mentionees = isObj(m.mention) && Array.isArray(m.mention.mentionees) ? m.mention.mentionees.filter(isObj) : [];
      const mentions = mentionees.flatMap((x) => {
        const index = int(x.index), length = int(x.length);
        if (index === undefined || length === undefined || !inRange(text, index, length)) return [];
        // type "all" and "user without consent" both lack userId; only the former sets mentionsAll.
        return [{ index, length, ...(str(x.userId) && x.type !== "all" ? { userId: str(x.userId) } : {}), ...(x.isSelf === true ? { isSelf: true } : {}) }];
      });
      if (mentions.length) msg.mentions = mentions;
      if (mentionees.some((x) => x.type === "all")) extra.mentionsAll = true;
      return withExtra(msg);
    }
    case "image": {
      if (isObj(m.imageSet)) extra.imageSet = { id: str(m.imageSet.id), index: int(m.imageSet.index), total: int(m.imageSet.total) };
      return withExtra({ kind: "image", media: mediaRef(m) });
    }
    case "video":
    case "audio":
      return withExtra({ kind: type, media: mediaRef(m) });
    case "file": {
      const media: MediaRef = { platformMediaId: str(m.id) };
      if (str(m.fileName)) media.fileName = str(m.fileName);
      if (int(m.fileSize) !== undefined) media.size = int(m.fileSize);
      return withExtra({ kind: "file", media });
    }
    case "sticker": {
      const rt = str(m.stickerResourceType) ?? "STATIC";
      // MEDIA-20, MEDIA-21: stickers the inbox cannot show (custom/message text drawn in, collages and
      // types LINE adds later) are kept, marked for the 無法顯示的貼圖 icon.
      const displayable = lineStickerDisplayable(rt);
      const msg: NormalizedMessage = {
        kind: "sticker",
        sticker: { packageId: idStr(m.packageId), stickerId: idStr(m.stickerId), animated: /ANIMATION|POPUP/.test(rt), ...(displayable ? {} : { displayable: false }) },
      };
      if (typeof m.text === "string" && m.text !== "") msg.text = m.text; // message stickers carry user-typed text
      extra.stickerResourceType = rt;
      if (Array.isArray(m.keywords)) extra.keywords = m.keywords.filter((k) => typeof k === "string");
      return withExtra(displayable ? msg : withPlaceholder(msg, MEDIA_PLACEHOLDER.lineSticker));
    }
    case "location": {
      const latitude = num(m.latitude), longitude = num(m.longitude);
      if (latitude === undefined || longitude === undefined) return withExtra({ kind: "unsupported", extra: { lineType: type } });
      return withExtra({ kind: "location", location: { latitude, longitude, title: str(m.title), address: str(m.address) } });
    }
    default:
      // Forward compatibility: an unknown message type is a placeholder bubble, not an error.
      return withExtra({ kind: "unsupported", extra: { lineType: type } });
  }
}

export interface ParseOptions {
  /** Used only when an event has no usable timestamp. */
  now?: () => Date;
}

function parseEvent(e: Obj, now: () => Date): InboundEvent {
  const type = str(e.type) ?? "";
  const at = toDate(e.timestamp, now);
  const src = readSource(e.source);
  const sender = toSender(src);
  const redelivery = isObj(e.deliveryContext) && e.deliveryContext.isRedelivery === true;
  const msg = isObj(e.message) ? e.message : undefined;
  // webhookEventId is the idempotency key; legacy payloads lack it, so fall back to
  // the message id (unique per message) or a hash of the event itself.
  const key = str(e.webhookEventId) ?? (type === "message" && msg && str(msg.id) ? `line:message:${str(msg.id)}` : hashKey(e));
  const base = { eventKey: key, at, ...(redelivery ? { redelivery: true } : {}) };
  // Reply tokens: standby mode means another channel module owns the chat (must not reply);
  // a redelivered event's token is almost certainly expired (1 min). Both → push only.
  const replyToken = e.mode !== "standby" && !redelivery ? str(e.replyToken) : undefined;
  const rt = replyToken ? { replyToken } : {};
  const ignored = (reason: string): InboundEvent => ({ ...base, type: "ignored", reason });

  switch (type) {
    case "message": {
      if (!msg || !str(msg.id)) return ignored("message event without message.id");
      if (!sender) return ignored("message from an unattributable source");
      const quoted = str(msg.quotedMessageId);
      return { ...base, type: "message", sender, platformMessageId: str(msg.id)!, message: normalizeLineMessage(msg), ...(quoted ? { quotedPlatformMessageId: quoted } : {}), ...rt };
    }
    case "messageEdited": {
      // Newer than the copied webhook.yml; edits may arrive out of order (largest timestamp wins downstream).
      if (!msg || !str(msg.id) || !sender) return ignored("messageEdited without message id or source");
      return { ...base, type: "edit", sender, platformMessageId: str(msg.id)!, message: normalizeLineMessage(msg) };
    }
    case "follow":
    case "unfollow":
      if (!src.userId || src.groupId) return ignored(`${type} without a user source`);
      return { ...base, type, sender: { userId: src.userId } };
    case "postback": {
      if (!sender) return ignored("postback from an unattributable source");
      const data = isObj(e.postback) && typeof e.postback.data === "string" ? e.postback.data : "";
      return { ...base, type: "postback", sender, data, source: classifyLinePostback(data), ...rt };
    }
    case "unsend": {
      const id = isObj(e.unsend) ? str(e.unsend.messageId) : undefined;
      if (!id || !sender) return ignored("unsend without messageId or source");
      return { ...base, type: "unsend", sender, platformMessageId: id };
    }
    case "join":
    case "leave":
      if (!src.groupId || !src.groupType) return ignored(`${type} outside a group/room`);
      return { ...base, type: type === "join" ? "group_join" : "group_leave", groupId: src.groupId, groupType: src.groupType };
    case "memberJoined":
    case "memberLeft": {
      if (!src.groupId || !src.groupType) return ignored(`${type} outside a group/room`);
      const holder = type === "memberJoined" ? e.joined : e.left;
      const members = isObj(holder) && Array.isArray(holder.members) ? holder.members : [];
      const userIds = members.filter(isObj).map((m) => str(m.userId)).filter((u): u is string => u !== undefined);
      return { ...base, type: type === "memberJoined" ? "members_joined" : "members_left", groupId: src.groupId, groupType: src.groupType, userIds };
    }
    default:
      // beacon, accountLink, videoPlayComplete, membership, module, activated, … and future types.
      return ignored(`line event ${type || "(no type)"}`);
  }
}

/**
 * Normalises a parsed LINE webhook body. Never throws: a bad event becomes `ignored`,
 * a body without an `events` array (or the console "Verify" `{"events":[]}`) yields [].
 * `destination` is optional (old fixtures omit it) and key order is irrelevant.
 */
export function parseLineWebhook(body: unknown, opts: ParseOptions = {}): InboundEvent[] {
  const now = opts.now ?? (() => new Date());
  if (!isObj(body) || !Array.isArray(body.events)) return [];
  return body.events.map((e: unknown, i: number): InboundEvent => {
    try {
      if (!isObj(e)) return { eventKey: hashKey({ invalidEventAt: i, e }), at: now(), type: "ignored", reason: "event is not an object" };
      return parseEvent(e, now);
    } catch (err) {
      let key: string;
      try { key = hashKey(e); } catch { key = `line:error:${i}`; }
      return { eventKey: key, at: now(), type: "ignored", reason: `unparseable event: ${err instanceof Error ? err.message : "error"}` };
    }
  });
}
