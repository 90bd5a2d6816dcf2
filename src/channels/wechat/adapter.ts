/**
 * WeChat Official Account (公众号) adapter (reference/channels/wechat.md).
 * Credentials: appId + appSecret (access token), token (webhook signature),
 * optional apiBaseUrl (simulator).
 * Webhooks: plaintext-mode XML pushes, signed in the URL's query
 * (verifyWeChatSignature, parseWeChatXml in webhook.ts).
 * Sending: the customer-service (客服) message API
 * POST /cgi-bin/message/custom/send?access_token=…, allowed within 48 h of
 * the customer's last message and at most 5 times per customer message
 * (checkSend refuses earlier, src/domain/wechat-window.ts).
 * The access token (GET /cgi-bin/token, ~7200 s) is cached in memory per
 * API host and appid, fetched once for concurrent sends, and refreshed once
 * when WeChat says it is invalid or expired (40001/40014/42001).
 * Trap: the API has no idempotency key and answers no message id, so a
 * response lost after WeChat accepted a message makes the retry send it
 * twice; the inbox's own message id stands in as platformMessageId.
 */
import type { ChannelAdapter, ChannelCredentials, NormalizedMessage, OutboundMessage, SendResult } from "../types.js";
import { PlatformError, type PlatformErrorKind } from "../types.js";
import { checkWeChatSend } from "../../domain/wechat-window.js";
import { parseWeChatXml, verifyWeChatSignature } from "./webhook.js";

export const WECHAT_API_BASE = "https://api.weixin.qq.com";
const TIMEOUT_MS = 15_000;
/** Refresh this long before WeChat's expiry (WeChat also keeps a replaced token valid ~5 min). */
const TOKEN_MARGIN_MS = 5 * 60_000;
const DEFAULT_TOKEN_TTL_S = 7200;

const cred = (c: ChannelCredentials, k: string): string => (typeof c[k] === "string" ? (c[k] as string) : "");
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** access token invalid (40001), invalid (40014), expired (42001), missing (41001): refresh once and retry. */
const TOKEN_ERRORS = new Set([40001, 40014, 41001, 42001]);

/** WeChat errcode of a custom/send answer → PlatformError kind (token errors are handled before). */
export function classifyWeChatSendError(errcode: number): PlatformErrorKind {
  switch (errcode) {
    case 45015: // response out of time limit (48 h) or subscription is canceled
    case 45047: // out of response count limit (5 per customer message)
      return "window_closed";
    case 45009: // reach max api daily quota limit
    case 45011: // api minute-quota reach limit
      return "rate_limited";
    case -1: // system busy
      return "temporary";
    case 40003: // invalid openid
    case 43004: // require subscribe
      return "invalid_recipient";
    case 40001:
    case 40014:
    case 41001:
    case 42001:
      return "auth_revoked";
    default:
      return "content_rejected";
  }
}

function reject(code: string, message: string): never {
  throw new PlatformError("content_rejected", code, message);
}

function mediaId(m: NormalizedMessage, what: string): string {
  const id = str(m.media?.platformMediaId);
  // WeChat sends media by media_id (uploaded through its media API) only, never by URL.
  if (!id) reject("missing_media", `微信${what}需要先上傳取得 media_id`);
  return id;
}

/** The typed part of a custom/send body: `msgtype` plus the object named after it. */
function typed(m: NormalizedMessage): Record<string, unknown> {
  const extra = (m.extra ?? {}) as Record<string, unknown>;
  // A link card: extra.news = { title, url, description?, picUrl? } (one article, as WeChat now allows).
  if (isObj(extra.news)) {
    const n = extra.news;
    if (!str(n.title) || !str(n.url)) reject("missing_news", "圖文訊息需要標題與網址");
    return { msgtype: "news", news: { articles: [{ title: n.title, ...(str(n.description) ? { description: n.description } : {}), url: n.url, ...(str(n.picUrl) ? { picurl: n.picUrl } : {}) }] } };
  }
  switch (m.kind) {
    case "text":
      if (!m.text) reject("empty_text", "文字訊息不可為空");
      return { msgtype: "text", text: { content: m.text } };
    case "image":
      return { msgtype: "image", image: { media_id: mediaId(m, "圖片") } };
    case "audio":
      return { msgtype: "voice", voice: { media_id: mediaId(m, "語音") } };
    case "video": {
      const media_id = mediaId(m, "影片");
      const thumb = str(extra.thumbMediaId), title = str(extra.title), description = str(extra.description);
      return { msgtype: "video", video: { media_id, ...(thumb ? { thumb_media_id: thumb } : {}), ...(title ? { title } : {}), ...(description ? { description } : {}) } };
    }
    case "file": {
      // No file message on official accounts: the customer gets a download link (as LINE, MEDIA-13).
      const url = str(m.media?.url);
      if (!url) reject("missing_media", "檔案需要網址");
      return { msgtype: "text", text: { content: [m.media?.fileName, url].filter(Boolean).join("\n") } };
    }
    default:
      return reject("unsupported_kind", `微信不支援傳送此類訊息 (${m.kind})`);
  }
}

/** The exact JSON body of POST /cgi-bin/message/custom/send. */
export function weChatSendBody(msg: OutboundMessage): Record<string, unknown> {
  if (!msg.recipientUserId) throw new PlatformError("invalid_recipient", "no_recipient", "WeChat OpenID is missing");
  return { touser: msg.recipientUserId, ...typed(msg.message) };
}

interface WeChatAnswer {
  errcode: number;
  errmsg: string;
  body: Record<string, unknown>;
}

/** GET or POST JSON; WeChat answers HTTP 200 with {errcode, errmsg} for its own errors. */
async function call(url: string, init: RequestInit): Promise<WeChatAnswer> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (e) {
    // The URL may hold the secret or the token: never put it in the message.
    throw new PlatformError("temporary", "network", e instanceof Error && e.name === "TimeoutError" ? "WeChat did not answer in time" : `WeChat unreachable: ${e instanceof Error ? e.message : String(e)}`);
  }
  const text = await res.text().catch(() => "");
  if (!res.ok) throw new PlatformError(res.status === 429 ? "rate_limited" : "temporary", `http_${res.status}`, `WeChat answered HTTP ${res.status}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new PlatformError("temporary", "bad_response", `WeChat answered a non-JSON body: ${text.slice(0, 200)}`);
  }
  if (!isObj(body)) throw new PlatformError("temporary", "bad_response", "WeChat answered a non-object body");
  const code = typeof body.errcode === "number" ? body.errcode : typeof body.errcode === "string" && /^-?\d+$/.test(body.errcode) ? Number(body.errcode) : 0;
  return { errcode: code, errmsg: typeof body.errmsg === "string" ? body.errmsg : "", body };
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

/** Per (API host, appid) access tokens, with one fetch in flight per key. */
export class WeChatTokenCache {
  private readonly tokens = new Map<string, CachedToken>();
  private readonly inflight = new Map<string, Promise<CachedToken>>();

  constructor(private readonly now: () => number = Date.now) {}

  private key(base: string, appId: string): string {
    return `${base}\n${appId}`;
  }

  /** A valid token; `stale` is one WeChat just refused, never to be handed out again. */
  async get(base: string, appId: string, secret: string, stale?: string): Promise<string> {
    const key = this.key(base, appId);
    const cached = this.tokens.get(key);
    if (cached && cached.token !== stale && cached.expiresAt > this.now()) return cached.token;
    if (cached) this.tokens.delete(key);
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.fetch(base, appId, secret).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return (await pending).token;
  }

  drop(base: string, appId: string): void {
    this.tokens.delete(this.key(base, appId));
  }

  clear(): void {
    this.tokens.clear();
  }

  private async fetch(base: string, appId: string, secret: string): Promise<CachedToken> {
    const q = new URLSearchParams({ grant_type: "client_credential", appid: appId, secret });
    const r = await call(`${base}/cgi-bin/token?${q}`, { method: "GET" });
    const token = str(r.body.access_token);
    if (r.errcode !== 0 || !token) {
      const kind: PlatformErrorKind = r.errcode === -1 ? "temporary" : r.errcode === 45009 || r.errcode === 45011 ? "rate_limited" : "auth_revoked";
      // 40013 invalid appid, 40125 invalid appsecret, 40164 caller IP not whitelisted…: nothing can be sent.
      throw new PlatformError(kind, String(r.errcode || "no_token"), r.errmsg || "WeChat answered without an access_token");
    }
    const ttl = typeof r.body.expires_in === "number" && r.body.expires_in > 0 ? r.body.expires_in * 1000 : DEFAULT_TOKEN_TTL_S * 1000;
    const t = { token, expiresAt: this.now() + ttl - Math.min(TOKEN_MARGIN_MS, ttl / 2) };
    this.tokens.set(this.key(base, appId), t);
    return t;
  }
}

export function createWeChatAdapter(tokens = new WeChatTokenCache()): ChannelAdapter & { readonly tokens: WeChatTokenCache } {
  const post = (base: string, token: string, body: unknown) =>
    call(`${base}/cgi-bin/message/custom/send?access_token=${encodeURIComponent(token)}`, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      // Plain JSON.stringify keeps Chinese as UTF-8 (WeChat shows \u escapes literally).
      body: JSON.stringify(body),
    });

  return {
    platform: "wechat",
    tokens,
    verify: (req, creds) => verifyWeChatSignature(req.query ?? {}, cred(creds, "token")),
    parse: (req) => parseWeChatXml(req.rawBody.toString("utf8")),
    /** GET server-URL check: echo `echostr` verbatim when the query is signed with the channel's token. */
    challenge(query, creds) {
      const echostr = query.echostr;
      if (typeof echostr !== "string" || echostr === "") return null;
      return verifyWeChatSignature(query, cred(creds, "token")) ? echostr : null;
    },
    checkSend: (ctx) => checkWeChatSend(ctx),
    async send(msg: OutboundMessage, creds: ChannelCredentials, baseUrl?: string): Promise<SendResult> {
      const appId = cred(creds, "appId"), secret = cred(creds, "appSecret");
      if (!appId || !secret) throw new PlatformError("auth_revoked", "no_credentials", "WeChat appId / appSecret are not set");
      const base = (baseUrl ?? (cred(creds, "apiBaseUrl") || WECHAT_API_BASE)).replace(/\/+$/, "");
      const body = weChatSendBody(msg); // refused content never costs a token request
      let token = await tokens.get(base, appId, secret);
      let r = await post(base, token, body);
      if (TOKEN_ERRORS.has(r.errcode)) {
        // Expired early, or replaced by another client fetching a token for the same appid.
        token = await tokens.get(base, appId, secret, token);
        r = await post(base, token, body);
        if (TOKEN_ERRORS.has(r.errcode)) tokens.drop(base, appId);
      }
      if (r.errcode !== 0) throw new PlatformError(classifyWeChatSendError(r.errcode), String(r.errcode), r.errmsg || `errcode ${r.errcode}`);
      const id = r.body.msgid;
      return { platformMessageId: typeof id === "string" || typeof id === "number" ? String(id) : msg.id };
    },
  };
}

export const weChatAdapter = createWeChatAdapter();
