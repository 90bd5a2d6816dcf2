/**
 * Downloading an inbound message's content from a platform (used by the
 * adapters' fetchMedia): one GET with a deadline and a size cap, redirects
 * followed by hand so each hop is checked again, and HTTP failures turned into
 * the PlatformError vocabulary (404/410 gone → content_rejected, 429 and 5xx →
 * retryable).
 *
 * The URLs come from signed webhooks or the platform's API, but are still
 * checked: https only, no literal loopback/private address and no reserved
 * name (.example, .invalid, .test, .localhost), except the origins the channel
 * is configured to talk to (the simulators, which an admin may only set when
 * allowPlatformUrls is on). A platform token is only ever sent to the URL the
 * caller names, never across a redirect to another origin.
 */
import { isIP } from "node:net";
import type { FetchedMedia } from "./types.js";
import { PlatformError, retryAfterMs } from "./types.js";
import { MAX_INBOUND_MEDIA_BYTES } from "../domain/inbound-media.js";

/** Stays below the job worker's lock (60 s), so a slow download is not claimed twice. */
const DOWNLOAD_TIMEOUT_MS = 50_000;
const MAX_REDIRECTS = 3;

export type ErrorClassifier = (status: number, headers: Headers, body: string) => PlatformError;

/** A CDN's answer: gone and forbidden (an expired signed URL) are permanent, 429 and 5xx are not. */
export const classifyDownloadError: ErrorClassifier = (status, headers, body) => {
  const text = `HTTP ${status}${body ? `: ${body.slice(0, 200)}` : ""}`;
  if (status === 429) return new PlatformError("rate_limited", "429", text, retryAfterMs(headers));
  if (status >= 500 || status === 408) return new PlatformError("temporary", String(status), text);
  return new PlatformError("content_rejected", String(status), text);
};

const PRIVATE_V4 = [/^10\./, /^127\./, /^0\./, /^169\.254\./, /^192\.168\./, /^172\.(1[6-9]|2\d|3[01])\./, /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./];
const RESERVED_NAMES = /(^|\.)(localhost|example|invalid|test|local|internal)\.?$/i;

function originOf(u: string): string | null {
  try {
    return new URL(u).origin;
  } catch {
    return null;
  }
}

/** Throws content_rejected for a URL the inbox must not download from. */
export function checkDownloadUrl(url: string, trustedOrigins: readonly string[] = []): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new PlatformError("content_rejected", "bad_url", "媒體網址無效");
  }
  if (trustedOrigins.some((o) => originOf(o) === u.origin)) return u;
  const host = u.hostname.replace(/^\[|\]$/g, "");
  const v = isIP(host);
  const privateAddress =
    (v === 4 && PRIVATE_V4.some((r) => r.test(host))) || (v === 6 && (host === "::1" || host === "::" || /^f[cd]/i.test(host) || /^fe80/i.test(host) || /^::ffff:/i.test(host)));
  if (u.protocol !== "https:" || privateAddress || RESERVED_NAMES.test(host) || u.username || u.password) {
    throw new PlatformError("content_rejected", "unsafe_url", `refusing to download from ${u.protocol}//${u.host}`);
  }
  return u;
}

function fileNameOf(disposition: string | null): string | undefined {
  if (!disposition) return undefined;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      /* fall through */
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/.exec(disposition);
  return plain?.[1]?.trim() || undefined;
}

/** Reads the body up to `maxBytes`; over it, the download stops and the file is too large. */
async function readCapped(res: Response, maxBytes: number): Promise<Buffer> {
  const declared = Number(res.headers.get("content-length"));
  const tooLarge = () => new PlatformError("content_rejected", "too_large", `the file is larger than ${maxBytes} bytes`);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  if (!res.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }
  return Buffer.concat(chunks, total);
}

export interface DownloadOptions {
  /** Sent to `url`'s origin only (dropped on a redirect elsewhere). */
  headers?: Record<string, string>;
  /** Origins allowed even though they are plain http or loopback (the channel's configured platform hosts). */
  trustedOrigins?: readonly string[];
  classify?: ErrorClassifier;
  maxBytes?: number;
  timeoutMs?: number;
}

/** GETs a platform's media; anything but 200 (and redirects) is an error. */
export async function downloadMedia(url: string, o: DownloadOptions = {}): Promise<FetchedMedia> {
  const classify = o.classify ?? classifyDownloadError;
  const maxBytes = o.maxBytes ?? MAX_INBOUND_MEDIA_BYTES;
  const signal = AbortSignal.timeout(o.timeoutMs ?? DOWNLOAD_TIMEOUT_MS);
  const firstOrigin = checkDownloadUrl(url, o.trustedOrigins).origin;
  let current = url;
  for (let hop = 0; ; hop++) {
    const u = checkDownloadUrl(current, o.trustedOrigins);
    let res: Response;
    try {
      res = await fetch(u, { headers: u.origin === firstOrigin ? o.headers : undefined, redirect: "manual", signal });
    } catch (e) {
      throw new PlatformError("temporary", "network", e instanceof Error ? e.message : String(e));
    }
    if (res.status >= 300 && res.status < 400 && res.headers.get("location")) {
      await res.body?.cancel().catch(() => {});
      if (hop >= MAX_REDIRECTS) throw new PlatformError("content_rejected", "redirects", "too many redirects");
      current = new URL(res.headers.get("location")!, u).toString();
      continue;
    }
    if (res.status !== 200) {
      const body = await res.text().catch(() => "");
      // 202 and other 2xx: the platform is still preparing the content (LINE video/audio).
      if (res.status >= 200 && res.status < 300) throw new PlatformError("temporary", "not_ready", `HTTP ${res.status}: content not ready`);
      throw classify(res.status, res.headers, body);
    }
    let bytes: Buffer;
    try {
      bytes = await readCapped(res, maxBytes);
    } catch (e) {
      if (e instanceof PlatformError) throw e;
      throw new PlatformError("temporary", "network", e instanceof Error ? e.message : String(e));
    }
    const type = res.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
    const fileName = fileNameOf(res.headers.get("content-disposition"));
    return { bytes, ...(type ? { mimeType: type } : {}), ...(fileName ? { fileName } : {}) };
  }
}

/** GET on the Graph API with the Bearer token; returns the parsed 2xx body. */
export async function graphGetJson(url: string, token: string, classify: ErrorClassifier): Promise<unknown> {
  if (!token) throw new PlatformError("auth_revoked", "no_token", "access token is not set");
  let res: Response;
  try {
    res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(15_000) });
  } catch (e) {
    throw new PlatformError("temporary", "network", e instanceof Error ? e.message : String(e));
  }
  const text = await res.text().catch(() => "");
  if (!res.ok) throw classify(res.status, res.headers, text);
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    throw new PlatformError("temporary", "bad_json", "the platform answered with invalid JSON");
  }
}
