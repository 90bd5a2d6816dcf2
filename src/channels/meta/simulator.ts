/**
 * A local stand-in for Meta's Send API and webhooks, for Messenger (object
 * "page") and Instagram (object "instagram"). POST /v23.0/me/messages checks
 * the token, the body, that the recipient has written to the account, and
 * the 24 h window (7 days with the HUMAN_AGENT tag), answering with Graph's
 * error envelope. Webhooks are \u-escaped JSON signed with X-Hub-Signature-256.
 * Attachments customers send point at a CDN-like URL on the simulator
 * (GET /v/t1.15752-9/{id}?oh=…), served without a token like Meta's CDN.
 */
import { randomBytes } from "node:crypto";
import { SimulatorKit, TINY_PNG, bearer, hubSignature, isObj, metaJson, randomDigits, sniffMime, type DownloadFailure, type SimFailure, type SimRequest, type SimResponse, type WebhookResult } from "../simulator-kit.js";

export interface MetaSimOptions {
  platform: "messenger" | "instagram";
  appSecret: string;
  accessToken: string;
  pageId?: string;
  appId?: string;
  now?: () => Date;
}

const DAY = 86_400_000;
const CDN_PATH = "/v/t1.15752-9/";
const ATTACHMENTS = new Set(["image", "video", "audio", "file", "template"]);

function graphError(status: number, code: number, message: string, more: Record<string, unknown> = {}): SimResponse {
  return { status, body: { error: { message, type: "OAuthException", code, ...more, fbtrace_id: randomBytes(8).toString("base64url") } } };
}
const param = (message: string) => graphError(400, 100, `(#100) ${message}`);

export class MetaSimulator {
  readonly kit: SimulatorKit;
  readonly pageId: string;
  readonly appId: string;
  /** Last time each user wrote to the account: opens the messaging window. */
  private readonly lastInbound = new Map<string, number>();

  private constructor(readonly o: MetaSimOptions) {
    this.pageId = o.pageId ?? randomDigits(15);
    this.appId = o.appId ?? randomDigits(15); // stays a safe JSON number
    this.kit = new SimulatorKit((req) => this.handle(req), o.now);
  }

  static async start(o: MetaSimOptions): Promise<MetaSimulator> {
    const sim = new MetaSimulator(o);
    await sim.kit.start();
    return sim;
  }

  get baseUrl(): string { return this.kit.baseUrl; }
  get webhookUrl(): string { return this.kit.webhookUrl; }
  set webhookUrl(u: string) { this.kit.webhookUrl = u; }
  get sends() { return this.kit.requests.filter((r) => r.method === "POST" && /\/messages$/.test(r.path)); }
  get sent() { return this.kit.sent; }
  failNext(kind: SimFailure, n = 1, opts: { retryAfterSeconds?: number } = {}) { this.kit.failNext(kind, n, opts); }
  hold() { this.kit.hold(); }
  release() { this.kit.release(); }
  close() { return this.kit.close(); }
  /** PSID (Messenger) or IGSID (Instagram). */
  newUserId(): string { return randomDigits(16); }
  private mid(): string { return `${this.o.platform === "instagram" ? "aWdf" : "m_"}${randomBytes(24).toString("base64url")}`; }

  private windowError(): SimResponse {
    const subcode = this.o.platform === "instagram" ? 2534022 : 2018278;
    return graphError(400, 10, "(#10) This message is sent outside of allowed window.", { error_subcode: subcode });
  }

  /** Attachment downloads from the simulator's CDN, answered or not. */
  get downloads() { return this.kit.requests.filter((r) => r.method === "GET" && r.path.startsWith(CDN_PATH)); }
  /** The next `n` attachment downloads fail: server_error 500, rate_limited 429, not_found 404. */
  failNextDownload(kind: DownloadFailure, n = 1, opts: { retryAfterSeconds?: number } = {}) { this.kit.failNextDownload(kind, n, opts); }

  /** Serves `bytes` at a CDN-like URL of the simulator (what a customer's attachment points at). */
  cdnUrl(bytes: Buffer, mimeType = sniffMime(bytes), fileName?: string): string {
    const ext = mimeType.split("/")[1]?.replace(/[^a-z0-9]/gi, "") || "bin";
    const id = this.kit.putContent(`${randomDigits(15)}_${randomDigits(10)}_n.${ext}`, bytes, mimeType, fileName);
    return `${this.baseUrl}${CDN_PATH}${id}?_nc_cat=1&oh=${randomBytes(16).toString("hex")}&oe=${Math.floor(this.kit.now().getTime() / 1000 + 3 * 86_400).toString(16).toUpperCase()}`;
  }

  private cdn(req: SimRequest): SimResponse {
    const fail = this.kit.takeDownloadFailure();
    if (fail?.kind === "server_error") return { status: 500, body: "Internal Server Error" };
    if (fail?.kind === "rate_limited") return { status: 429, body: "Too Many Requests", headers: fail.retryAfterSeconds !== undefined ? { "retry-after": String(fail.retryAfterSeconds) } : undefined };
    const found = fail?.kind === "not_found" ? null : this.kit.contentResponse(decodeURIComponent(req.path.slice(CDN_PATH.length)));
    return found ?? { status: 404, body: "Not Found" };
  }

  private async handle(req: SimRequest): Promise<SimResponse> {
    if (req.method === "GET" && req.path.startsWith(CDN_PATH)) return this.cdn(req);
    if (req.method !== "POST" || (req.path !== "/v23.0/me/messages" && req.path !== `/v23.0/${this.pageId}/messages`)) {
      return graphError(400, 100, "Unsupported post request.", { type: "GraphMethodException", error_subcode: 33 });
    }
    const token = bearer(req) ?? req.query.get("access_token") ?? undefined;
    if (token !== this.o.accessToken) return graphError(401, 190, "Invalid OAuth access token - Cannot parse access token");
    const b = req.body;
    if (!isObj(b)) return param("The parameter recipient is required");
    const to = isObj(b.recipient) && typeof b.recipient.id === "string" ? b.recipient.id : undefined;
    if (!to) return param("The parameter recipient is required");
    const type = b.messaging_type;
    if (type !== "RESPONSE" && type !== "UPDATE" && type !== "MESSAGE_TAG") return param("param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}");
    if (type === "MESSAGE_TAG" && typeof b.tag !== "string") return param("param tag is required when messaging_type is MESSAGE_TAG");
    if (type === "MESSAGE_TAG" && this.o.platform === "instagram" && b.tag !== "HUMAN_AGENT") return param("Only the HUMAN_AGENT tag is supported on Instagram");
    const m = b.message;
    const maxText = this.o.platform === "instagram" ? 1000 : 2000;
    if (!isObj(m)) return param("Must send either message or state");
    if (m.text !== undefined && (typeof m.text !== "string" || m.text === "" || m.text.length > maxText)) return param(`param message[text] must be a UTF-8 encoded string of at most ${maxText} characters`);
    const att = isObj(m.attachment) ? m.attachment : undefined;
    if (att && (!ATTACHMENTS.has(String(att.type)) || !isObj(att.payload))) return param("param message[attachment][type] must be one of {image, audio, video, file, template}");
    if (!att && typeof m.text !== "string") return param("Must send either message text or attachment");

    const last = this.lastInbound.get(to);
    if (last === undefined) return graphError(400, 100, "(#100) No matching user found", { error_subcode: 2018001 });
    const age = this.kit.now().getTime() - last;
    if (age > (type === "MESSAGE_TAG" && b.tag === "HUMAN_AGENT" ? 7 * DAY : DAY)) return this.windowError();

    await this.kit.gate();
    const fail = this.kit.takeFailure();
    const retryAfter = fail?.retryAfterSeconds !== undefined ? { "retry-after": String(fail.retryAfterSeconds) } : undefined;
    if (fail?.kind === "rate_limited") return { ...graphError(400, 613, "(#613) Calls to this api have exceeded the rate limit."), headers: retryAfter };
    if (fail?.kind === "server_error") return graphError(500, 2, "An unexpected error has occurred. Please retry your request later.", { is_transient: true });
    if (fail?.kind === "window_closed") return this.windowError();
    if (fail?.kind === "invalid_recipient") return graphError(400, 551, "(#551) This person isn't available right now.", { error_subcode: 1545041 });
    const mid = this.mid();
    if (fail?.kind === "lost_response") return { ...graphError(500, 2, "An unexpected error has occurred. Please retry your request later.", { is_transient: true }), platformMessageId: mid };
    return { status: 200, body: { recipient_id: to, message_id: mid }, platformMessageId: mid };
  }

  // ---- webhooks -------------------------------------------------------------

  private item(psid: string, fields: Record<string, unknown>, fromPage = false): Record<string, unknown> {
    const page = { id: this.pageId }, user = { id: psid };
    return { sender: fromPage ? page : user, recipient: fromPage ? user : page, timestamp: this.kit.now().getTime(), ...fields };
  }

  /** Posts messaging items in one entry, signed; `secret` overrides the app secret (a forged request). */
  send(items: Record<string, unknown>[], o: { secret?: string } = {}): Promise<WebhookResult> {
    const object = this.o.platform === "instagram" ? "instagram" : "page";
    const raw = metaJson({ object, entry: [{ id: this.pageId, time: this.kit.now().getTime(), messaging: items }] });
    return this.kit.postWebhook(raw, { "x-hub-signature-256": hubSignature(o.secret ?? this.o.appSecret, raw) });
  }

  private customer(psid: string, message: Record<string, unknown>, o: { secret?: string } = {}) {
    this.lastInbound.set(psid, this.kit.now().getTime());
    const mid = this.mid();
    return this.send([this.item(psid, { message: { mid, ...message } })], o).then((r) => ({ ...r, mid }));
  }

  text(psid: string, text: string, o: { secret?: string; replyToMid?: string } = {}) {
    return this.customer(psid, { text, ...(o.replyToMid ? { reply_to: { mid: o.replyToMid } } : {}) }, o);
  }
  /** A customer's image: at `url` when given, else `bytes` (a tiny PNG by default) served by the simulator. */
  image(psid: string, urlOrBytes: string | Buffer = TINY_PNG) {
    const url = typeof urlOrBytes === "string" ? urlOrBytes : this.cdnUrl(urlOrBytes);
    return this.customer(psid, { attachments: [{ type: "image", payload: { url } }] });
  }
  /** A customer's image, video, audio or file whose bytes the simulator serves. */
  attachment(psid: string, type: "image" | "video" | "audio" | "file", bytes: Buffer, o: { mimeType?: string; fileName?: string } = {}) {
    return this.customer(psid, { attachments: [{ type, payload: { url: this.cdnUrl(bytes, o.mimeType, o.fileName) } }] });
  }
  /**
   * An Instagram customer's photo in one of the camera's modes (MEDIA-14): 保留在聊天室中
   * (keep_in_chat) is a normal image; 允許重播 / 單次檢視 (allow_replay / view_once) come
   * without their content (MEDIA-15), modelled as an "ephemeral" attachment with no URL.
   */
  photo(psid: string, mode: "keep_in_chat" | "allow_replay" | "view_once", bytes: Buffer = TINY_PNG) {
    if (mode === "keep_in_chat") return this.image(psid, bytes);
    return this.customer(psid, { attachments: [{ type: "ephemeral", payload: {} }] });
  }
  /** Messenger stickers (incl. the thumbs-up) are image attachments with a sticker_id. */
  sticker(psid: string, stickerId = 369239263222822) {
    return this.customer(psid, { attachments: [{ type: "image", payload: { url: "https://scontent.example/sticker.png", sticker_id: stickerId } }] });
  }
  postback(psid: string, payload: string, title = "Get Started") {
    this.lastInbound.set(psid, this.kit.now().getTime());
    return this.send([this.item(psid, { postback: { mid: this.mid(), title, payload } })]);
  }
  /** Messenger delivery receipt: real ones carry timestamp 0; the watermark is the time. */
  delivery(psid: string, o: { mids?: string[]; watermark?: number } = {}) {
    const watermark = o.watermark ?? this.kit.now().getTime();
    return this.send([{ ...this.item(psid, {}), timestamp: 0, delivery: { ...(o.mids ? { mids: o.mids } : {}), watermark } }]);
  }
  /** Messenger read receipt (watermark) or, with `mid`, Instagram's messaging_seen. */
  read(psid: string, o: { watermark?: number; mid?: string } = {}) {
    return this.send([this.item(psid, { read: o.mid ? { mid: o.mid } : { watermark: o.watermark ?? this.kit.now().getTime() } })]);
  }
  /** The echo Meta sends for a message the Page sent (is_echo, sender/recipient swapped). */
  echo(psid: string, mid: string, text: string) {
    return this.send([this.item(psid, { message: { is_echo: true, app_id: Number(this.appId), mid, text } }, true)]);
  }
  /** Instagram unsend: the original mid with is_deleted. */
  unsend(psid: string, mid: string) {
    return this.send([this.item(psid, { message: { mid, is_deleted: true } })]);
  }
}
