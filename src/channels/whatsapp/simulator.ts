/**
 * A local stand-in for the WhatsApp Cloud API: POST /v23.0/{phone-number-id}/messages
 * with Graph's token and parameter checks, answering {messaging_product, contacts,
 * messages:[{id: wamid}]}; webhooks (customer messages, statuses) in the real
 * envelope, \u-escaped and signed with X-Hub-Signature-256.
 * Like Meta, a free-form message outside the 24 h window is accepted (200) and
 * only fails later: reportWindowFailures() sends those `failed` (131047) statuses.
 * Media customers send: GET /v23.0/{media-id} answers {url, mime_type, sha256,
 * file_size}; the URL (on the simulator, valid 5 minutes) serves the bytes to a
 * request with the Bearer token.
 */
import { createHash, randomBytes } from "node:crypto";
import { SimulatorKit, TINY_PNG, bearer, hubSignature, isObj, metaJson, randomDigits, sniffMime, type DownloadFailure, type SimFailure, type SimRequest, type SimResponse, type WebhookResult } from "../simulator-kit.js";

export interface WhatsAppSimOptions {
  appSecret: string;
  accessToken: string;
  phoneNumberId?: string;
  displayPhoneNumber?: string;
  wabaId?: string;
  now?: () => Date;
}

export type WaStatus = "sent" | "delivered" | "read" | "failed";
export interface WaError { code: number; title: string; message?: string; details?: string }

const DAY = 86_400_000;
const MEDIA = new Set(["image", "video", "audio", "document", "sticker"]);
export const WINDOW_ERROR: WaError = {
  code: 131047,
  title: "Re-engagement message",
  details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
};

function graphError(status: number, code: number, message: string, details?: string, type = "OAuthException"): SimResponse {
  return { status, body: { error: { message, type, code, ...(details ? { error_data: { messaging_product: "whatsapp", details } } : {}), fbtrace_id: randomBytes(8).toString("base64url") } } };
}
const param = (what: string) => graphError(400, 100, `(#100) The parameter ${what} is required.`);

export class WhatsAppSimulator {
  readonly kit: SimulatorKit;
  readonly phoneNumberId: string;
  readonly displayPhoneNumber: string;
  readonly wabaId: string;
  private readonly lastInbound = new Map<string, number>();
  /** wamid → recipient wa_id, for statuses. */
  private readonly recipients = new Map<string, string>();
  private readonly outsideWindow: string[] = [];
  /** Download URLs handed out: hash → media id and expiry (ms). */
  private readonly mediaUrls = new Map<string, { id: string; expires: number }>();

  private constructor(readonly o: WhatsAppSimOptions) {
    this.phoneNumberId = o.phoneNumberId ?? randomDigits(15);
    this.displayPhoneNumber = o.displayPhoneNumber ?? `1555${randomDigits(7)}`;
    this.wabaId = o.wabaId ?? randomDigits(15);
    this.kit = new SimulatorKit((req) => this.handle(req), o.now);
  }

  static async start(o: WhatsAppSimOptions): Promise<WhatsAppSimulator> {
    const sim = new WhatsAppSimulator(o);
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
  /** A customer's wa_id (digits, no +). */
  newUserId(): string { return `8869${randomDigits(8)}`; }
  private wamid(): string { return `wamid.${randomBytes(30).toString("base64")}`; }
  private secs(): string { return String(Math.floor(this.kit.now().getTime() / 1000)); }

  private checkTyped(b: Record<string, unknown>): SimResponse | null {
    const type = b.type ?? "text"; // Cloud API defaults to text
    const obj = b[String(type)];
    if (type === "text") {
      if (!isObj(obj) || typeof obj.body !== "string" || obj.body === "") return param("text['body']");
      return obj.body.length > 4096 ? graphError(400, 100, "(#100) Param text['body'] must be at most 4096 characters long.") : null;
    }
    if (MEDIA.has(String(type))) {
      if (!isObj(obj) || (typeof obj.id !== "string" && typeof obj.link !== "string")) return param(`${String(type)}['id'] or ${String(type)}['link']`);
      if (typeof obj.link === "string" && !/^https?:\/\//.test(obj.link)) return graphError(400, 131009, "(#131009) Parameter value is not valid", `${String(type)}['link'] is not a valid URL`);
      return null;
    }
    if (type === "template") {
      if (!isObj(obj) || typeof obj.name !== "string") return param("template['name']");
      return isObj(obj.language) && typeof obj.language.code === "string" ? null : param("template['language']['code']");
    }
    if (type === "location") return isObj(obj) && typeof obj.latitude === "number" && typeof obj.longitude === "number" ? null : param("location['latitude']");
    return graphError(400, 100, `(#100) Param type must be one of {TEXT, IMAGE, VIDEO, AUDIO, DOCUMENT, STICKER, LOCATION, TEMPLATE} - got "${String(type)}".`);
  }

  /** Media lookups and downloads, answered or not. */
  get downloads() { return this.kit.requests.filter((r) => r.method === "GET"); }
  /** The next `n` media downloads (the URL step) fail: server_error 500, rate_limited 429, not_found 404. */
  failNextDownload(kind: DownloadFailure, n = 1, opts: { retryAfterSeconds?: number } = {}) { this.kit.failNextDownload(kind, n, opts); }

  private mediaGet(req: SimRequest): SimResponse {
    if (bearer(req) !== this.o.accessToken) return graphError(401, 190, "Invalid OAuth access token - Cannot parse access token");
    if (req.path === "/whatsapp_business/attachments/") {
      const fail = this.kit.takeDownloadFailure();
      if (fail?.kind === "server_error") return graphError(500, 131000, "(#131000) Something went wrong");
      if (fail?.kind === "rate_limited") return { ...graphError(429, 80007, "(#80007) Rate limit issues"), headers: fail.retryAfterSeconds !== undefined ? { "retry-after": String(fail.retryAfterSeconds) } : undefined };
      const issued = this.mediaUrls.get(req.query.get("hash") ?? "");
      const live = issued && issued.id === req.query.get("mid") && this.kit.now().getTime() <= issued.expires;
      return (fail?.kind !== "not_found" && live ? this.kit.contentResponse(issued.id) : null) ?? { status: 404, body: { error: { message: "Not found", code: 404 } } };
    }
    const id = decodeURIComponent(req.path.slice("/v23.0/".length));
    const c = this.kit.content.get(id);
    if (!c) return graphError(400, 100, `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, undefined, "GraphMethodException");
    const hash = randomBytes(16).toString("base64url");
    this.mediaUrls.set(hash, { id, expires: this.kit.now().getTime() + 5 * 60_000 });
    return {
      status: 200,
      body: {
        messaging_product: "whatsapp",
        url: `${this.baseUrl}/whatsapp_business/attachments/?mid=${encodeURIComponent(id)}&ext=${Math.floor(this.kit.now().getTime() / 1000)}&hash=${hash}`,
        mime_type: c.mimeType,
        sha256: createHash("sha256").update(c.bytes).digest("hex"),
        file_size: c.bytes.length,
        id,
      },
    };
  }

  private async handle(req: SimRequest): Promise<SimResponse> {
    if (req.method === "GET" && (req.path === "/whatsapp_business/attachments/" || /^\/v23\.0\/[^/]+$/.test(req.path))) return this.mediaGet(req);
    const m = /^\/v23\.0\/([^/]+)\/messages$/.exec(req.path);
    if (req.method !== "POST" || !m || m[1] !== this.phoneNumberId) {
      return graphError(400, 100, `Unsupported post request. Object with ID '${m?.[1] ?? ""}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, undefined, "GraphMethodException");
    }
    if (bearer(req) !== this.o.accessToken) return graphError(401, 190, "Invalid OAuth access token - Cannot parse access token");
    const b = req.body;
    if (!isObj(b) || b.messaging_product !== "whatsapp") return param("messaging_product");
    if (typeof b.to !== "string" || !/^\+?\d{6,15}$/.test(b.to)) return param("to");
    if (b.context !== undefined && !(isObj(b.context) && typeof b.context.message_id === "string")) return param("context['message_id']");
    const bad = this.checkTyped(b);
    if (bad) return bad;

    await this.kit.gate();
    const fail = this.kit.takeFailure();
    const retryAfter = fail?.retryAfterSeconds !== undefined ? { "retry-after": String(fail.retryAfterSeconds) } : undefined;
    if (fail?.kind === "rate_limited") return { ...graphError(400, 130429, "(#130429) Rate limit hit", "Cloud API message throughput has been reached."), headers: retryAfter };
    if (fail?.kind === "server_error") return graphError(500, 131000, "(#131000) Something went wrong", "Something went wrong");
    if (fail?.kind === "window_closed") return graphError(400, WINDOW_ERROR.code, `(#${WINDOW_ERROR.code}) ${WINDOW_ERROR.title}`, WINDOW_ERROR.details);
    if (fail?.kind === "invalid_recipient") return graphError(400, 131030, "(#131030) Recipient phone number not in allowed list", "Recipient phone number not in allowed list: Add recipient phone number to recipient list and try again.");

    const to = b.to.replace(/^\+/, "");
    const id = this.wamid();
    this.recipients.set(id, to);
    const last = this.lastInbound.get(to);
    const free = b.type !== "template";
    if (free && (last === undefined || this.kit.now().getTime() - last > DAY)) this.outsideWindow.push(id);
    if (fail?.kind === "lost_response") return { ...graphError(500, 131000, "(#131000) Something went wrong"), platformMessageId: id };
    return { status: 200, body: { messaging_product: "whatsapp", contacts: [{ input: b.to, wa_id: to }], messages: [{ id }] }, platformMessageId: id };
  }

  // ---- webhooks -------------------------------------------------------------

  /** Posts one `messages` change, signed; `secret` overrides the app secret (a forged request). */
  send(value: Record<string, unknown>, o: { secret?: string } = {}): Promise<WebhookResult> {
    const raw = metaJson({
      object: "whatsapp_business_account",
      entry: [{ id: this.wabaId, changes: [{ value: { messaging_product: "whatsapp", metadata: { display_phone_number: this.displayPhoneNumber, phone_number_id: this.phoneNumberId }, ...value }, field: "messages" }] }],
    });
    return this.kit.postWebhook(raw, { "x-hub-signature-256": hubSignature(o.secret ?? this.o.appSecret, raw) });
  }

  private customer(waId: string, message: Record<string, unknown>, o: { name?: string; secret?: string } = {}) {
    this.lastInbound.set(waId, this.kit.now().getTime());
    const id = this.wamid();
    const value = { contacts: [{ profile: { name: o.name ?? "Customer" }, wa_id: waId }], messages: [{ from: waId, id, timestamp: this.secs(), ...message }] };
    return this.send(value, o).then((r) => ({ ...r, wamid: id }));
  }

  text(waId: string, text: string, o: { name?: string; secret?: string; replyTo?: string } = {}) {
    return this.customer(waId, { type: "text", text: { body: text }, ...(o.replyTo ? { context: { from: this.displayPhoneNumber, id: o.replyTo } } : {}) }, o);
  }
  /** A customer's image (a tiny PNG unless `bytes` are given), served by media id. */
  image(waId: string, caption?: string, bytes: Buffer = TINY_PNG) {
    return this.media(waId, "image", bytes, { caption });
  }
  /** A customer's image, video, audio or document whose bytes the simulator serves by media id. */
  media(waId: string, type: "image" | "video" | "audio" | "document", bytes: Buffer, o: { caption?: string; filename?: string; mimeType?: string; voice?: boolean } = {}) {
    const mimeType = o.mimeType ?? sniffMime(bytes);
    const id = this.kit.putContent(randomDigits(16), bytes, mimeType, o.filename);
    const obj = {
      ...(o.caption && type !== "audio" ? { caption: o.caption } : {}),
      ...(type === "document" ? { filename: o.filename ?? "file.bin" } : {}),
      ...(type === "audio" ? { voice: o.voice === true } : {}),
      mime_type: mimeType,
      sha256: createHash("sha256").update(bytes).digest("base64"),
      id,
    };
    return this.customer(waId, { type, [type]: obj });
  }
  sticker(waId: string) {
    return this.customer(waId, { type: "sticker", sticker: { mime_type: "image/webp", sha256: randomBytes(32).toString("base64"), id: randomDigits(16), animated: false } });
  }
  /** A tap on an interactive reply button the business sent. */
  buttonReply(waId: string, id: string, title: string) {
    return this.customer(waId, { type: "interactive", interactive: { type: "button_reply", button_reply: { id, title } } });
  }

  /** A status receipt for a message we accepted; `failed` carries errors[]. */
  status(wamid: string, status: WaStatus, o: { error?: WaError; secret?: string } = {}) {
    const e = status === "failed" ? (o.error ?? WINDOW_ERROR) : undefined;
    const item = {
      id: wamid,
      status,
      timestamp: this.secs(),
      recipient_id: this.recipients.get(wamid) ?? "",
      ...(status === "sent" || status === "delivered" ? { pricing: { billable: true, pricing_model: "PMP", category: "service", type: "free_customer_service" } } : {}),
      ...(e ? { errors: [{ code: e.code, title: e.title, message: e.message ?? e.title, error_data: { details: e.details ?? e.title }, href: "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/" }] } : {}),
    };
    return this.send({ statuses: [item] }, o);
  }

  /** What Meta does for free-form messages it accepted outside the window: fail them by webhook. */
  async reportWindowFailures(): Promise<WebhookResult[]> {
    const out: WebhookResult[] = [];
    for (const id of this.outsideWindow.splice(0)) out.push(await this.status(id, "failed", { error: WINDOW_ERROR }));
    return out;
  }
}
