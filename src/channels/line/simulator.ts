/**
 * A local stand-in for the LINE Messaging API (tests, demos): serves
 * POST /v2/bot/message/push at the root of its own origin (the SDK drops any
 * path prefix of baseURL), checks the token, the body and X-Line-Retry-Key
 * like LINE does (409 for a key already accepted), and sends webhooks signed
 * with x-line-signature = base64 HMAC-SHA256(channel secret, body).
 * The same origin plays api-data: GET /v2/bot/message/{id}/content serves the
 * bytes of the media customers sent (and /external/{id} the content of
 * contentProvider "external" messages).
 */
import { createHmac, randomBytes } from "node:crypto";
import { SimulatorKit, TINY_PNG, bearer, isObj, randomDigits, randomHex, sniffMime, type DownloadFailure, type SimFailure, type SimRequest, type SimResponse, type WebhookResult } from "../simulator-kit.js";

export interface LineSimOptions {
  channelSecret: string;
  channelAccessToken: string;
  botUserId?: string;
  now?: () => Date;
}

export type LineEvent = Record<string, unknown> & { webhookEventId: string };
export type LineWebhookResult = WebhookResult & { events: LineEvent[] };

const CONTENT = /^\/v2\/bot\/message\/([^/]+)\/content$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CHAT_ID = /^[UCR][0-9a-f]{32}$/;
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** webhookEventId is a ULID: 10 time characters + 16 random ones. */
function ulid(ms: number): string {
  let t = "";
  for (let i = 0, n = ms; i < 10; i++, n = Math.floor(n / 32)) t = CROCKFORD[n % 32] + t;
  return t + Array.from(randomBytes(16), (b) => CROCKFORD[b % 32]).join("");
}

const err = (status: number, message: string, details?: { message: string; property: string }[]): SimResponse => ({ status, body: { message, ...(details ? { details } : {}) } });
const bodyError = (property: string, message: string) => err(400, "The request body has 1 error(s)", [{ message, property }]);

/** The message-object checks LINE does on push (only the types the inbox sends). */
function checkMessage(m: unknown, at: string): SimResponse | null {
  if (!isObj(m)) return bodyError(at, "must be an object");
  const str = (k: string) => typeof m[k] === "string" && (m[k] as string) !== "";
  const https = (k: string) => str(k) && (m[k] as string).startsWith("https://");
  switch (m.type) {
    case "text":
      if (!str("text")) return bodyError(`${at}.text`, "must be specified");
      if ((m.text as string).length > 5000) return bodyError(`${at}.text`, "Length must be between 0 and 5000");
      return null;
    case "image":
    case "video":
      if (!https("originalContentUrl")) return bodyError(`${at}.originalContentUrl`, "must be a valid HTTPS URL");
      if (!https("previewImageUrl")) return bodyError(`${at}.previewImageUrl`, "must be a valid HTTPS URL");
      return null;
    case "audio":
      if (!https("originalContentUrl")) return bodyError(`${at}.originalContentUrl`, "must be a valid HTTPS URL");
      return typeof m.duration === "number" ? null : bodyError(`${at}.duration`, "must be specified");
    case "sticker":
      return str("packageId") && str("stickerId") ? null : bodyError(`${at}.packageId`, "must be specified");
    case "location":
      return str("title") && str("address") && typeof m.latitude === "number" && typeof m.longitude === "number" ? null : bodyError(`${at}.title`, "must be specified");
    default:
      return bodyError(`${at}.type`, "Type not supported");
  }
}

export class LineSimulator {
  readonly kit: SimulatorKit;
  readonly botUserId: string;
  /** X-Line-Retry-Key → what was sent under it (LINE keeps them 24 h). */
  private readonly accepted = new Map<string, { id: string; quoteToken: string }[]>();

  private constructor(readonly o: LineSimOptions) {
    this.botUserId = o.botUserId ?? `U${randomHex(16)}`;
    this.kit = new SimulatorKit((req) => this.handle(req), o.now);
  }

  static async start(o: LineSimOptions): Promise<LineSimulator> {
    const sim = new LineSimulator(o);
    await sim.kit.start();
    return sim;
  }

  get baseUrl(): string { return this.kit.baseUrl; }
  get webhookUrl(): string { return this.kit.webhookUrl; }
  set webhookUrl(u: string) { this.kit.webhookUrl = u; }
  /** Requests to the push endpoint, answered or not. */
  get pushes() { return this.kit.requests.filter((r) => r.path === "/v2/bot/message/push"); }
  /** Pushes LINE accepted (what reached customers). */
  get sent() { return this.kit.sent; }
  failNext(kind: Exclude<SimFailure, "window_closed">, n = 1, opts: { retryAfterSeconds?: number } = {}) { this.kit.failNext(kind, n, opts); }
  hold() { this.kit.hold(); }
  release() { this.kit.release(); }
  close() { return this.kit.close(); }
  newUserId(): string { return `U${randomHex(16)}`; }
  newGroupId(): string { return `C${randomHex(16)}`; }

  /** Requests for message content (api-data and external URLs), answered or not. */
  get downloads() { return this.kit.requests.filter((r) => r.method === "GET" && (CONTENT.test(r.path) || r.path.startsWith("/external/"))); }
  /** The next `n` content downloads fail (server_error 500, rate_limited 429, not_found 404). */
  failNextDownload(kind: DownloadFailure, n = 1, opts: { retryAfterSeconds?: number } = {}) { this.kit.failNextDownload(kind, n, opts); }

  private download(id: string, fail: { kind: DownloadFailure; retryAfterSeconds?: number } | undefined): SimResponse {
    if (fail?.kind === "server_error") return err(500, "Internal server error");
    if (fail?.kind === "rate_limited") return { ...err(429, "The API rate limit has been exceeded. Try again later."), headers: fail.retryAfterSeconds !== undefined ? { "retry-after": String(fail.retryAfterSeconds) } : undefined };
    return (fail?.kind === "not_found" ? null : this.kit.contentResponse(id)) ?? err(404, "Not found");
  }

  private async handle(req: SimRequest): Promise<SimResponse> {
    const content = req.method === "GET" ? CONTENT.exec(req.path) : null;
    if (content) {
      if (bearer(req) !== this.o.channelAccessToken) return err(401, "Authentication failed. Confirm that the access token in the authorization header is valid.");
      return this.download(decodeURIComponent(content[1]), this.kit.takeDownloadFailure());
    }
    // contentProvider "external": the content lives on someone else's server, fetched without LINE's token.
    if (req.method === "GET" && req.path.startsWith("/external/")) return this.download(`external:${decodeURIComponent(req.path.slice(10))}`, this.kit.takeDownloadFailure());
    if (req.method !== "POST" || req.path !== "/v2/bot/message/push") return err(404, "Not found");
    if (bearer(req) !== this.o.channelAccessToken) return err(401, "Authentication failed. Confirm that the access token in the authorization header is valid.");
    const key = req.headers["x-line-retry-key"];
    if (key !== undefined && (typeof key !== "string" || !UUID.test(key))) return err(400, "The retry key is invalid");
    if (typeof key === "string" && this.accepted.has(key)) {
      return { status: 409, body: { message: "The retry key is already accepted", sentMessages: this.accepted.get(key) }, headers: { "x-line-accepted-request-id": randomHex(16) } };
    }
    const b = req.body;
    if (!isObj(b)) return bodyError("", "The request body is not valid JSON");
    if (typeof b.to !== "string" || !CHAT_ID.test(b.to)) return bodyError("to", "The property, 'to', in the request body is invalid (line: -, column: -)");
    if (!Array.isArray(b.messages) || b.messages.length < 1 || b.messages.length > 5) return bodyError("messages", "Size must be between 1 and 5");
    for (let i = 0; i < b.messages.length; i++) {
      const bad = checkMessage(b.messages[i], `messages[${i}]`);
      if (bad) return bad;
    }
    await this.kit.gate();
    const fail = this.kit.takeFailure();
    const retryAfter = fail?.retryAfterSeconds !== undefined ? { "retry-after": String(fail.retryAfterSeconds) } : undefined;
    if (fail?.kind === "rate_limited") return { ...err(429, "The API rate limit has been exceeded. Try again later."), headers: retryAfter };
    if (fail?.kind === "server_error") return err(500, "Internal server error");
    if (fail?.kind === "invalid_recipient") return bodyError("to", "The property, 'to', in the request body is invalid (line: -, column: -)");
    const sentMessages = b.messages.map(() => ({ id: randomDigits(18), quoteToken: randomHex(24) }));
    if (typeof key === "string") this.accepted.set(key, sentMessages);
    if (fail?.kind === "lost_response") return { ...err(500, "Internal server error"), platformMessageId: sentMessages[0].id };
    return { status: 200, body: { sentMessages }, headers: { "x-line-request-id": randomHex(16) }, platformMessageId: sentMessages[0].id };
  }

  // ---- webhooks -------------------------------------------------------------

  private base(type: string, userId: string, groupId?: string): LineEvent {
    const now = this.kit.now().getTime();
    return {
      type,
      mode: "active",
      timestamp: now,
      source: groupId ? { type: "group", groupId, userId } : { type: "user", userId },
      webhookEventId: ulid(now),
      deliveryContext: { isRedelivery: false },
    };
  }

  private withReply(e: LineEvent): LineEvent {
    return { ...e, replyToken: randomHex(16) };
  }

  textEvent(userId: string, text: string, o: { groupId?: string; quotedMessageId?: string } = {}): LineEvent {
    const message = { id: randomDigits(18), type: "text", text, quoteToken: randomHex(24), ...(o.quotedMessageId ? { quotedMessageId: o.quotedMessageId } : {}) };
    return { ...this.withReply(this.base("message", userId, o.groupId)), message };
  }

  /** Posts the events signed; `secret` overrides the channel secret (a forged request). */
  async send(events: LineEvent[], o: { secret?: string } = {}): Promise<LineWebhookResult> {
    const raw = JSON.stringify({ destination: this.botUserId, events });
    const signature = createHmac("sha256", o.secret ?? this.o.channelSecret).update(raw).digest("base64");
    // LINE labels its body with a charset; the inbox's raw-body parser must accept that.
    return { ...(await this.kit.postWebhook(raw, { "content-type": "application/json; charset=utf-8", "x-line-signature": signature })), events };
  }

  text(userId: string, text: string, o: { groupId?: string; quotedMessageId?: string; secret?: string } = {}) {
    return this.send([this.textEvent(userId, text, o)], o);
  }
  /**
   * A customer's image (a tiny PNG unless `bytes` are given): its content is served at
   * /v2/bot/message/{id}/content, or, with `external`, at an originalContentUrl of the simulator.
   */
  image(userId: string, bytes: Buffer = TINY_PNG, o: { external?: boolean; mimeType?: string } = {}) {
    return this.media(userId, "image", bytes, o);
  }
  /** A customer's image, video, audio or file whose bytes the simulator serves. */
  media(userId: string, type: "image" | "video" | "audio" | "file", bytes: Buffer, o: { external?: boolean; mimeType?: string; fileName?: string; durationMs?: number } = {}) {
    const id = randomDigits(18);
    const mimeType = o.mimeType ?? sniffMime(bytes);
    let provider: Record<string, unknown> = {};
    if (type !== "file") {
      if (o.external) {
        const url = `${this.baseUrl}/external/${id}`;
        this.kit.putContent(`external:${id}`, bytes, mimeType);
        provider = { contentProvider: { type: "external", originalContentUrl: url, ...(type === "audio" ? {} : { previewImageUrl: url }) } };
      } else {
        this.kit.putContent(id, bytes, mimeType);
        provider = { contentProvider: { type: "line" } };
      }
    } else {
      this.kit.putContent(id, bytes, mimeType, o.fileName ?? "file.bin");
    }
    const message = {
      id,
      type,
      ...provider,
      ...(type === "video" || type === "audio" ? { duration: o.durationMs ?? 1000 } : {}),
      ...(type === "file" ? { fileName: o.fileName ?? "file.bin", fileSize: bytes.length } : {}),
      ...(type !== "audio" && type !== "file" ? { quoteToken: randomHex(24) } : {}),
    };
    return this.send([{ ...this.withReply(this.base("message", userId)), message }]);
  }
  /** `resourceType` MESSAGE/CUSTOM/… are stickers the inbox cannot display (MEDIA-20, MEDIA-21). */
  sticker(userId: string, packageId = "446", stickerId = "1988", o: { resourceType?: string; text?: string } = {}) {
    const message = { id: randomDigits(18), type: "sticker", packageId, stickerId, stickerResourceType: o.resourceType ?? "STATIC", keywords: ["Hello"], ...(o.text ? { text: o.text } : {}), quoteToken: randomHex(24) };
    return this.send([{ ...this.withReply(this.base("message", userId)), message }]);
  }
  postback(userId: string, data: string) {
    return this.send([{ ...this.withReply(this.base("postback", userId)), postback: { data } }]);
  }
  follow(userId: string) {
    return this.send([{ ...this.withReply(this.base("follow", userId)), follow: { isUnblocked: false } }]);
  }
  unfollow(userId: string) {
    return this.send([this.base("unfollow", userId)]);
  }
  unsend(userId: string, messageId: string) {
    return this.send([{ ...this.base("unsend", userId), unsend: { messageId } }]);
  }

  /** LINE redelivers an event it got no 2xx for: same webhookEventId, isRedelivery true, new signature. */
  redeliver(events: LineEvent[]) {
    return this.send(events.map((e) => ({ ...e, deliveryContext: { isRedelivery: true } })));
  }
}
