/**
 * What every platform simulator shares: a loopback HTTP server that records
 * each request exactly as received, can fail the next N sends with a chosen
 * error or hold them until released, and posts signed webhooks to the inbox.
 * The platform files (src/channels/<platform>/simulator.ts) decide what a
 * request means and what the platform would answer.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createHmac, randomBytes } from "node:crypto";

/**
 * lost_response: the platform accepts the send but the answer never makes it back
 * (a 5xx after acceptance) — what retry keys exist for.
 */
export type SimFailure = "rate_limited" | "server_error" | "window_closed" | "invalid_recipient" | "lost_response";

/** How the next content downloads fail (failNextDownload); separate from send failures. */
export type DownloadFailure = "server_error" | "rate_limited" | "not_found";

/** Content a simulator serves (what a customer sent): the bytes and their type. */
export interface SimContent {
  bytes: Buffer;
  mimeType: string;
  fileName?: string;
}

/** A real 1×1 PNG: the default image customers send through the simulators. */
export const TINY_PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64");

/** The type of a few common files from their first bytes (what the platform would report). */
export function sniffMime(b: Buffer): string {
  const starts = (...xs: number[]) => xs.every((x, i) => b[i] === x);
  if (starts(0x89, 0x50, 0x4e, 0x47)) return "image/png";
  if (starts(0xff, 0xd8, 0xff)) return "image/jpeg";
  if (starts(0x47, 0x49, 0x46, 0x38)) return "image/gif";
  if (starts(0x52, 0x49, 0x46, 0x46) && b.subarray(8, 12).toString("latin1") === "WEBP") return "image/webp";
  if (starts(0x25, 0x50, 0x44, 0x46)) return "application/pdf";
  if (b.subarray(4, 8).toString("latin1") === "ftyp") return "video/mp4";
  if (starts(0x4f, 0x67, 0x67, 0x53)) return "audio/ogg";
  return "application/octet-stream";
}

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** Parsed JSON, or undefined when the body is not JSON. */
  body: unknown;
}

export interface SimResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** The platform message id handed out, when the request was an accepted send. */
  platformMessageId?: string;
  /** Binary answer (content downloads): sent as is instead of the JSON body. */
  raw?: Buffer;
}

export interface RecordedRequest extends SimRequest {
  at: Date;
  status: number;
  response: unknown;
  platformMessageId?: string;
}

export interface WebhookResult {
  status: number;
  body: unknown;
  /** The exact bytes and headers posted, to resend them as a redelivery. */
  raw: string;
  headers: Record<string, string>;
}

export class SimulatorKit {
  readonly requests: RecordedRequest[] = [];
  baseUrl = "";
  /** Where the inbox listens for this channel's webhooks (set once the channel exists). */
  webhookUrl = "";
  private server: Server | null = null;
  private failures: { kind: SimFailure; retryAfterSeconds?: number }[] = [];
  private downloadFailures: { kind: DownloadFailure; retryAfterSeconds?: number }[] = [];
  /** Content customers sent, by the platform's content id (LINE message id, WhatsApp media id, CDN path). */
  readonly content = new Map<string, SimContent>();
  private holding = false;
  private waiting: (() => void)[] = [];

  constructor(
    private readonly handle: (req: SimRequest, kit: SimulatorKit) => Promise<SimResponse>,
    readonly now: () => Date = () => new Date(),
  ) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const rawBody = Buffer.concat(chunks).toString("utf8");
        let body: unknown;
        try {
          body = rawBody ? JSON.parse(rawBody) : undefined;
        } catch {
          body = undefined;
        }
        const url = new URL(req.url ?? "/", "http://sim.local");
        const sreq: SimRequest = { method: req.method ?? "GET", path: url.pathname, query: url.searchParams, headers: req.headers, rawBody, body };
        this.handle(sreq, this)
          .catch((e: unknown): SimResponse => ({ status: 500, body: { message: e instanceof Error ? e.message : String(e) } }))
          .then((r) => {
            this.requests.push({ ...sreq, at: this.now(), status: r.status, response: r.raw ? { bytes: r.raw.length } : r.body, ...(r.platformMessageId ? { platformMessageId: r.platformMessageId } : {}) });
            if (r.raw) {
              res.writeHead(r.status, { "content-type": "application/octet-stream", "content-length": String(r.raw.length), ...r.headers });
              res.end(r.raw);
              return;
            }
            res.writeHead(r.status, { "content-type": "application/json", ...r.headers });
            res.end(JSON.stringify(r.body));
          });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
    return this.baseUrl;
  }

  async close(): Promise<void> {
    this.release();
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }

  /** The next `n` sends answer with this platform error (after the token and body checks). */
  failNext(kind: SimFailure, n = 1, opts: { retryAfterSeconds?: number } = {}): void {
    for (let i = 0; i < n; i++) this.failures.push({ kind, ...opts });
  }

  takeFailure(): { kind: SimFailure; retryAfterSeconds?: number } | undefined {
    return this.failures.shift();
  }

  /** The next `n` content downloads answer with this error (before the content is looked up). */
  failNextDownload(kind: DownloadFailure, n = 1, opts: { retryAfterSeconds?: number } = {}): void {
    for (let i = 0; i < n; i++) this.downloadFailures.push({ kind, ...opts });
  }

  takeDownloadFailure(): { kind: DownloadFailure; retryAfterSeconds?: number } | undefined {
    return this.downloadFailures.shift();
  }

  /** Remembers content a customer sends so the simulator can serve it; returns the id. */
  putContent(id: string, bytes: Buffer, mimeType = sniffMime(bytes), fileName?: string): string {
    this.content.set(id, { bytes, mimeType, ...(fileName ? { fileName } : {}) });
    return id;
  }

  /** The bytes of stored content as a 200 answer (null when the id is unknown). */
  contentResponse(id: string): SimResponse | null {
    const c = this.content.get(id);
    if (!c) return null;
    const headers: Record<string, string> = { "content-type": c.mimeType };
    if (c.fileName) headers["content-disposition"] = `attachment; filename*=UTF-8''${encodeURIComponent(c.fileName)}`;
    return { status: 200, body: undefined, raw: c.bytes, headers };
  }

  /** Sends wait (unanswered) until release(): a message in flight stays 發送中. */
  hold(): void {
    this.holding = true;
  }

  release(): void {
    this.holding = false;
    for (const go of this.waiting.splice(0)) go();
  }

  get heldCount(): number {
    return this.waiting.length;
  }

  /** Called by a platform handler before it answers a send. */
  async gate(): Promise<void> {
    if (this.holding) await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Accepted sends only, in order. */
  get sent(): RecordedRequest[] {
    return this.requests.filter((r) => r.platformMessageId !== undefined);
  }

  async postWebhook(raw: string, headers: Record<string, string>, url = this.webhookUrl): Promise<WebhookResult> {
    if (!url) throw new Error("simulator: webhookUrl is not set");
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: raw });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body, raw, headers };
  }

  /** Posts the same bytes again (what a platform does when it redelivers). */
  resend(w: WebhookResult): Promise<WebhookResult> {
    return this.postWebhook(w.raw, w.headers);
  }
}

export const bearer = (req: SimRequest): string | undefined => {
  const h = req.headers.authorization;
  return typeof h === "string" && h.startsWith("Bearer ") ? h.slice(7) : undefined;
};

export const randomHex = (bytes: number): string => randomBytes(bytes).toString("hex");
export const randomDigits = (n: number): string => Array.from(randomBytes(n), (b) => String(b % 10)).join("").replace(/^0/, "1");

/**
 * Meta serialises with every non-ASCII character \u-escaped and signs those
 * bytes (reference/channels/meta-messenger-instagram.md §1); so does the simulator.
 */
export function metaJson(v: unknown): string {
  return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** X-Hub-Signature-256 = "sha256=" + hex HMAC-SHA256(app secret, raw body). */
export function hubSignature(appSecret: string, raw: string): string {
  return `sha256=${createHmac("sha256", appSecret).update(raw).digest("hex")}`;
}

export const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
