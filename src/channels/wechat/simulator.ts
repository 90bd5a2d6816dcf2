/**
 * A local stand-in for the WeChat Official Account API (tests, demos):
 * - GET /cgi-bin/token?grant_type=client_credential&appid=…&secret=… hands out
 *   access tokens (7200 s; a newly issued token leaves the previous one valid
 *   for 5 more minutes, as WeChat does);
 * - POST /cgi-bin/message/custom/send?access_token=… checks the token (41001,
 *   40001, 42001), the body (47001, 40008, 44004, 40007), the OpenID (40003:
 *   only users who have written to the account through the simulator exist),
 *   the 48 h window (45015, also after unsubscribe) and the 5 messages per
 *   customer message (45047), answering HTTP 200 with {errcode, errmsg} like WeChat;
 * - posts plaintext-mode XML pushes to the inbox, signed in the query
 *   (signature = sha1(sort([token, timestamp, nonce]).join(""))), and
 *   redelivers them as WeChat's retries do (same request, same MsgId).
 * Every request is recorded by the kit. Error texts follow WeChat's global
 * return codes; the "hint: […]" suffix mimics WeChat's request ids.
 */
import { createHash, randomBytes } from "node:crypto";
import { SimulatorKit, isObj, randomDigits, type SimFailure, type SimRequest, type SimResponse, type WebhookResult } from "../simulator-kit.js";

export interface WeChatSimOptions {
  appId: string;
  appSecret: string;
  /** The server-URL token configured on both sides (signs the pushes). */
  token: string;
  /** The official account's original id (ToUserName), gh_… */
  originalId?: string;
  tokenTtlSeconds?: number;
  now?: () => Date;
}

export type WeChatWebhookResult = WebhookResult & {
  /** The signed URL posted to (WeChat retries the same request). */
  url: string;
  openId: string;
  /** Messages only: WeChat's dedupe key. */
  msgId?: string;
};

const HOUR = 3_600_000;
export const WECHAT_SIM_WINDOW_MS = 48 * HOUR;
export const WECHAT_SIM_MAX_PER_MESSAGE = 5;
const REPLACED_TOKEN_GRACE_MS = 5 * 60_000;
const SEND_PATH = "/cgi-bin/message/custom/send";
const TOKEN_PATH = "/cgi-bin/token";
const MSGTYPES = new Set(["text", "image", "voice", "video", "music", "news", "mpnews", "mpnewsarticle", "msgmenu", "wxcard", "miniprogrampage"]);

const hint = () => ` hint: [${randomBytes(6).toString("base64url")}]`;
const wx = (errcode: number, errmsg: string): SimResponse => ({ status: 200, body: { errcode, errmsg: `${errmsg}${hint()}` } });

/** CDATA that may contain "]]>" (split into two sections). */
const cdata = (s: string): string => `<![CDATA[${s.split("]]>").join("]]]]><![CDATA[>")}]]>`;

export function weChatSignature(token: string, timestamp: string, nonce: string): string {
  return createHash("sha1").update([token, timestamp, nonce].sort().join("")).digest("hex");
}

interface UserState {
  /** Last time the user interacted (message, menu click, subscribe). */
  lastAt: number;
  /** Custom messages accepted since then. */
  sent: number;
  subscribed: boolean;
}

export class WeChatSimulator {
  readonly kit: SimulatorKit;
  readonly originalId: string;
  /** access token → when it stops being valid (ms, simulator clock). */
  private readonly tokens = new Map<string, number>();
  private readonly expiredCode = new Map<string, 40001 | 42001>();
  private readonly users = new Map<string, UserState>();

  private constructor(readonly o: WeChatSimOptions) {
    this.originalId = o.originalId ?? `gh_${randomBytes(6).toString("hex")}`;
    this.kit = new SimulatorKit((req) => this.handle(req), o.now);
  }

  static async start(o: WeChatSimOptions): Promise<WeChatSimulator> {
    const sim = new WeChatSimulator(o);
    await sim.kit.start();
    return sim;
  }

  get baseUrl(): string { return this.kit.baseUrl; }
  get webhookUrl(): string { return this.kit.webhookUrl; }
  set webhookUrl(u: string) { this.kit.webhookUrl = u; }
  /** Requests to custom/send, answered or not. */
  get sends() { return this.kit.requests.filter((r) => r.path === SEND_PATH); }
  /** Requests to the token endpoint. */
  get tokenRequests() { return this.kit.requests.filter((r) => r.path === TOKEN_PATH); }
  /** Custom messages WeChat accepted (what reached customers). */
  get sent() { return this.kit.sent; }
  failNext(kind: SimFailure, n = 1, opts: { retryAfterSeconds?: number } = {}) { this.kit.failNext(kind, n, opts); }
  hold() { this.kit.hold(); }
  release() { this.kit.release(); }
  close() { return this.kit.close(); }

  /** An OpenID: 28 characters, unique per official account. */
  newOpenId(): string { return `o${randomBytes(21).toString("base64url").slice(0, 27)}`; }

  /** Every token issued so far stops working: 42001 (expired) or 40001 (invalid / not latest). */
  expireAccessTokens(code: 40001 | 42001 = 42001): void {
    for (const t of this.tokens.keys()) {
      this.tokens.set(t, Number.NEGATIVE_INFINITY);
      this.expiredCode.set(t, code);
    }
  }

  /** The simulator's view of a user's window: last interaction and messages sent since. */
  user(openId: string): Readonly<UserState> | undefined {
    return this.users.get(openId);
  }

  private now(): number {
    return this.kit.now().getTime();
  }

  private async handle(req: SimRequest): Promise<SimResponse> {
    if (req.path === TOKEN_PATH && req.method === "GET") return this.issueToken(req.query);
    if (req.path === SEND_PATH && req.method === "POST") return this.customSend(req);
    return { status: 404, body: { errcode: 40066, errmsg: `invalid url${hint()}` } };
  }

  private issueToken(q: URLSearchParams): SimResponse {
    if (q.get("grant_type") !== "client_credential") return wx(40002, "invalid grant_type");
    if (q.get("appid") !== this.o.appId) return wx(40013, "invalid appid");
    if (q.get("secret") !== this.o.appSecret) return wx(40125, "invalid appsecret");
    const now = this.now();
    // The previous token stays valid for 5 minutes after a new one is issued.
    for (const [t, until] of this.tokens) {
      if (until <= now + REPLACED_TOKEN_GRACE_MS) continue;
      this.tokens.set(t, now + REPLACED_TOKEN_GRACE_MS);
      this.expiredCode.set(t, 40001); // then "invalid credential, access_token is invalid or not latest"
    }
    const ttl = this.o.tokenTtlSeconds ?? 7200;
    const token = randomBytes(48).toString("base64url");
    this.tokens.set(token, now + ttl * 1000);
    return { status: 200, body: { access_token: token, expires_in: ttl } };
  }

  private checkToken(token: string | null): SimResponse | null {
    if (!token) return wx(41001, "access_token missing");
    const until = this.tokens.get(token);
    if (until === undefined) return wx(40001, "invalid credential, access_token is invalid or not latest");
    if (until <= this.now()) {
      return this.expiredCode.get(token) === 40001 ? wx(40001, "invalid credential, access_token is invalid or not latest") : wx(42001, "access_token expired");
    }
    return null;
  }

  /** The per-type checks WeChat does on the body (only the types the inbox sends are checked deeply). */
  private checkBody(b: Record<string, unknown>): SimResponse | null {
    const type = b.msgtype;
    if (typeof type !== "string" || !MSGTYPES.has(type)) return wx(40008, "invalid message type");
    const part = b[type];
    if (!isObj(part)) return wx(47001, "data format error");
    const nonEmpty = (v: unknown) => typeof v === "string" && v !== "";
    switch (type) {
      case "text":
        return nonEmpty(part.content) ? null : wx(44004, "empty content");
      case "image":
      case "voice":
      case "video":
        return nonEmpty(part.media_id) ? null : wx(40007, "invalid media_id");
      case "news": {
        const a = Array.isArray(part.articles) ? part.articles : [];
        if (a.length !== 1) return wx(45008, "article size out of limit");
        return isObj(a[0]) && nonEmpty(a[0].title) && nonEmpty(a[0].url) ? null : wx(47001, "data format error");
      }
      default:
        return null;
    }
  }

  private async customSend(req: SimRequest): Promise<SimResponse> {
    const bad = this.checkToken(req.query.get("access_token"));
    if (bad) return bad;
    const b = req.body;
    if (!isObj(b)) return wx(47001, "data format error");
    const touser = b.touser;
    if (typeof touser !== "string" || touser === "") return wx(40003, "invalid openid");
    const badBody = this.checkBody(b);
    if (badBody) return badBody;
    const u = this.users.get(touser);
    if (!u) return wx(40003, "invalid openid");
    if (!u.subscribed || this.now() - u.lastAt > WECHAT_SIM_WINDOW_MS) return wx(45015, "response out of time limit or subscription is canceled");
    if (u.sent >= WECHAT_SIM_MAX_PER_MESSAGE) return wx(45047, "out of response count limit");

    await this.kit.gate();
    const fail = this.kit.takeFailure();
    if (fail?.kind === "rate_limited") return wx(45009, "reach max api daily quota limit");
    if (fail?.kind === "server_error") return wx(-1, "system error");
    if (fail?.kind === "window_closed") return wx(45015, "response out of time limit or subscription is canceled");
    if (fail?.kind === "invalid_recipient") return wx(40003, "invalid openid");
    u.sent++;
    // WeChat answers no message id; this one only marks the request as accepted in the record.
    const accepted = `wxsim-${randomDigits(16)}`;
    if (fail?.kind === "lost_response") return { status: 502, body: { message: "Bad Gateway" }, platformMessageId: accepted };
    return { status: 200, body: { errcode: 0, errmsg: "ok" }, platformMessageId: accepted };
  }

  // ---- webhooks -------------------------------------------------------------

  /** Signs and posts one push. `token` overrides the server-URL token (a forged request). */
  async push(openId: string, fields: string, o: { token?: string; msgId?: string } = {}): Promise<WeChatWebhookResult> {
    const url = this.signedUrl(o.token ?? this.o.token, { openid: openId });
    const xml =
      `<xml><ToUserName>${cdata(this.originalId)}</ToUserName><FromUserName>${cdata(openId)}</FromUserName>` +
      `<CreateTime>${Math.floor(this.now() / 1000)}</CreateTime>${fields}${o.msgId ? `<MsgId>${o.msgId}</MsgId>` : ""}</xml>`;
    const r = await this.kit.postWebhook(xml, { "content-type": "text/xml" }, url);
    return { ...r, url, openId, ...(o.msgId ? { msgId: o.msgId } : {}) };
  }

  private signedUrl(token: string, extra: Record<string, string> = {}): string {
    if (!this.webhookUrl) throw new Error("simulator: webhookUrl is not set");
    const timestamp = String(Math.floor(this.now() / 1000));
    const nonce = randomDigits(10);
    const q = new URLSearchParams({ signature: weChatSignature(token, timestamp, nonce), timestamp, nonce, ...extra });
    return `${this.webhookUrl}${this.webhookUrl.includes("?") ? "&" : "?"}${q}`;
  }

  /** A customer message (or interaction): opens the 48 h window and resets the count. */
  private interact(openId: string, subscribed = true): void {
    this.users.set(openId, { lastAt: this.now(), sent: 0, subscribed });
  }

  private message(openId: string, type: string, fields: string, o: { token?: string } = {}) {
    this.interact(openId);
    return this.push(openId, `<MsgType>${cdata(type)}</MsgType>${fields}`, { ...o, msgId: randomDigits(17) });
  }

  text(openId: string, content: string, o: { token?: string } = {}) {
    return this.message(openId, "text", `<Content>${cdata(content)}</Content>`, o);
  }
  image(openId: string, o: { picUrl?: string; mediaId?: string } = {}) {
    return this.message(openId, "image", `<PicUrl>${cdata(o.picUrl ?? "http://mmbiz.qpic.cn/sim/0")}</PicUrl><MediaId>${cdata(o.mediaId ?? randomBytes(24).toString("base64url"))}</MediaId>`);
  }
  voice(openId: string, o: { format?: string; recognition?: string; mediaId?: string } = {}) {
    return this.message(openId, "voice", `<MediaId>${cdata(o.mediaId ?? randomBytes(24).toString("base64url"))}</MediaId><Format>${cdata(o.format ?? "amr")}</Format>${o.recognition !== undefined ? `<Recognition>${cdata(o.recognition)}</Recognition>` : ""}`);
  }
  location(openId: string, latitude: number, longitude: number, label = "", scale = 15) {
    return this.message(openId, "location", `<Location_X>${latitude}</Location_X><Location_Y>${longitude}</Location_Y><Scale>${scale}</Scale><Label>${cdata(label)}</Label>`);
  }

  private event(openId: string, event: string, more = "") {
    return this.push(openId, `<MsgType>${cdata("event")}</MsgType><Event>${cdata(event)}</Event>${more}`);
  }

  /** Follow (also through a parametric QR code: EventKey "qrscene_<scene>" and a Ticket). */
  subscribe(openId: string, o: { scene?: string } = {}) {
    this.interact(openId);
    return this.event(openId, "subscribe", o.scene ? `<EventKey>${cdata(`qrscene_${o.scene}`)}</EventKey><Ticket>${cdata(randomBytes(16).toString("hex"))}</Ticket>` : "");
  }
  unsubscribe(openId: string) {
    const u = this.users.get(openId);
    if (u) u.subscribed = false;
    return this.event(openId, "unsubscribe");
  }
  /** A custom-menu CLICK button. */
  click(openId: string, eventKey: string) {
    this.interact(openId);
    return this.event(openId, "CLICK", `<EventKey>${cdata(eventKey)}</EventKey>`);
  }

  /** WeChat's retry of a push it got no answer for: the same request again (same body, same MsgId). */
  async redeliver(w: WeChatWebhookResult): Promise<WeChatWebhookResult> {
    const r = await this.kit.postWebhook(w.raw, w.headers, w.url);
    return { ...r, url: w.url, openId: w.openId, ...(w.msgId ? { msgId: w.msgId } : {}) };
  }

  /** The GET server-URL check: returns the inbox's answer (it must echo `echostr`). */
  async verifyServer(o: { token?: string; echostr?: string } = {}): Promise<{ status: number; body: string; contentType: string | null; echostr: string }> {
    const echostr = o.echostr ?? randomDigits(19);
    const res = await fetch(this.signedUrl(o.token ?? this.o.token, { echostr }));
    return { status: res.status, body: await res.text(), contentType: res.headers.get("content-type"), echostr };
  }
}
