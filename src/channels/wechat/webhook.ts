/**
 * WeChat Official Account server-URL push (plain-text mode).
 * Wire format and traps: /work/shared/reference/channels/wechat.md.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { InboundEvent, NormalizedMessage } from "../types.js";
import { parseFlatXml } from "./xml.js";

export { parseFlatXml } from "./xml.js";

/**
 * signature = hex SHA-1 of the lexicographically sorted [token, timestamp, nonce], concatenated
 * with no separator. Used for the GET check (then echo `echostr`) and for every POST.
 */
export function verifyWeChatSignature(query: { signature?: unknown; timestamp?: unknown; nonce?: unknown }, token: string): boolean {
  try {
    if (typeof query !== "object" || query === null || typeof token !== "string" || token === "") return false;
    const { signature, timestamp, nonce } = query;
    // Repeated query params arrive as arrays: reject rather than guess.
    if (typeof signature !== "string" || typeof timestamp !== "string" || typeof nonce !== "string") return false;
    if (!/^[0-9a-fA-F]{40}$/.test(signature)) return false;
    const expected = createHash("sha1").update([token, timestamp, nonce].sort().join("")).digest();
    return timingSafeEqual(Buffer.from(signature, "hex"), expected);
  } catch {
    return false;
  }
}

export interface ParseOptions {
  /** Used only when CreateTime is missing or invalid. */
  now?: () => Date;
}

function wechatTime(v: string | undefined, now: () => Date): Date {
  if (v && /^\d{1,12}$/.test(v)) {
    const n = Number(v);
    if (n > 0) return new Date(n * 1000); // CreateTime is Unix seconds
  }
  return now();
}

function num(v: string | undefined): number | undefined {
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function normalize(type: string, f: Map<string, string>): NormalizedMessage {
  const g = (k: string): string | undefined => (f.get(k) || undefined);
  switch (type) {
    case "text":
      return { kind: "text", text: f.get("Content") ?? "" };
    case "image":
      return { kind: "image", media: { platformMediaId: g("MediaId"), url: g("PicUrl") } };
    case "voice": {
      const extra: Record<string, unknown> = {};
      if (g("Format")) extra.format = g("Format");
      if (g("Recognition")) extra.recognition = g("Recognition"); // speech-to-text, only when enabled
      return { kind: "audio", media: { platformMediaId: g("MediaId") }, ...(Object.keys(extra).length ? { extra } : {}) };
    }
    case "video":
    case "shortvideo":
      return { kind: "video", media: { platformMediaId: g("MediaId") }, extra: { thumbMediaId: g("ThumbMediaId"), ...(type === "shortvideo" ? { shortVideo: true } : {}) } };
    case "location": {
      // Location_X is the latitude, Location_Y the longitude.
      const latitude = num(f.get("Location_X")), longitude = num(f.get("Location_Y"));
      if (latitude === undefined || longitude === undefined) return { kind: "unsupported", extra: { wechatType: type } };
      return { kind: "location", location: { latitude, longitude, address: g("Label") }, extra: { scale: num(f.get("Scale")) } };
    }
    case "link": {
      // No "link" kind in the contract: shown as text (title + URL), details kept in extra.
      const title = g("Title"), url = g("Url");
      return { kind: "text", text: [title, url].filter(Boolean).join("\n"), extra: { link: { title, description: g("Description"), url } } };
    }
    default:
      // Unknown MsgType: placeholder bubble, never a crash.
      return { kind: "unsupported", extra: { wechatType: type || "(none)" } };
  }
}

/**
 * Normalises one WeChat push body. Never throws; a body without an <xml> root yields [].
 * Dedupe: messages on MsgId; events carry none, so FromUserName + CreateTime (+ Event name,
 * so that two different events in the same second do not collide) — WeChat retries 3× within 15 s.
 */
export function parseWeChatXml(xml: string, opts: ParseOptions = {}): InboundEvent[] {
  const now = opts.now ?? (() => new Date());
  try {
    const f = parseFlatXml(xml);
    if (!f) return [];
    const from = f.get("FromUserName") || undefined;
    const createTime = f.get("CreateTime") ?? "";
    const type = f.get("MsgType") ?? "";
    const event = f.get("Event") ?? "";
    const at = wechatTime(createTime, now);
    const key = f.get("MsgId") || `${from ?? "?"}:${createTime}${type === "event" ? `:${event}` : ""}`;
    const ignored = (reason: string): InboundEvent[] => [{ eventKey: key, at, type: "ignored", reason }];
    // Safe mode wraps everything in <Encrypt>; decrypting is out of scope here.
    if (f.has("Encrypt") && !type) return ignored("wechat encrypted (safe mode) message");
    if (!from) return ignored("wechat message without FromUserName");
    const sender = { userId: from }; // OpenID, unique per official account
    if (type === "event") {
      switch (event) {
        case "subscribe": // also via a parametric QR code (EventKey "qrscene_<scene>", Ticket)
          return [{ eventKey: key, at, type: "follow", sender }];
        case "unsubscribe":
          return [{ eventKey: key, at, type: "unfollow", sender }];
        case "CLICK":
          return [{ eventKey: key, at, type: "postback", sender, data: f.get("EventKey") ?? "", source: "other" }];
        default:
          return ignored(`wechat event ${event || "(none)"}`); // SCAN, LOCATION, VIEW, TEMPLATESENDJOBFINISH…
      }
    }
    return [{ eventKey: key, at, type: "message", sender, platformMessageId: f.get("MsgId") || key, message: normalize(type, f) }];
  } catch (err) {
    return [{ eventKey: `wechat:error:${typeof xml === "string" ? xml.length : 0}`, at: now(), type: "ignored", reason: `unparseable: ${err instanceof Error ? err.message : "error"}` }];
  }
}
