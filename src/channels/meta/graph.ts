/**
 * Sending through Meta's Graph API, shared by Messenger, Instagram and
 * WhatsApp: one POST helper and the Graph error envelope
 * {"error":{message,type,code,error_subcode?,error_data?,is_transient?,fbtrace_id}}
 * turned into the one PlatformError vocabulary. Each family adds its own
 * codes (window, recipient) in front of the shared fallbacks.
 */
import type { ChannelCredentials, InboundEvent, WebhookRequest } from "../types.js";
import { PlatformError, retryAfterMs } from "../types.js";
import { asArray, get, hashKey, idStr, isObj } from "./common.js";

export const GRAPH_BASE = "https://graph.facebook.com";
export const GRAPH_VERSION = "v23.0";
const SEND_TIMEOUT_MS = 15_000;

export const cred = (c: ChannelCredentials, k: string): string => (typeof c[k] === "string" ? (c[k] as string) : "");
export const header = (h: WebhookRequest["headers"], name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Base URL precedence: explicit argument (tests), credentials.graphBaseUrl (simulator), Meta. */
export function graphBase(creds: ChannelCredentials, baseUrl?: string): string {
  return (baseUrl ?? (cred(creds, "graphBaseUrl") || GRAPH_BASE)).replace(/\/+$/, "");
}

export interface GraphError {
  message: string;
  type?: string;
  code?: number;
  subcode?: number;
  details?: string;
  transient: boolean;
}

export function readGraphError(body: unknown): GraphError {
  const e = get(body, "error");
  if (!isObj(e)) return { message: "", transient: false };
  const n = (v: unknown) => (typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : undefined);
  const details = get(e, "error_data", "details");
  return {
    message: typeof e.message === "string" ? e.message : "",
    type: typeof e.type === "string" ? e.type : undefined,
    code: n(e.code),
    subcode: n(e.error_subcode),
    details: typeof details === "string" ? details : undefined,
    transient: e.is_transient === true,
  };
}

/** Codes both families use for throttling (#4 app, #17 user, #32 page, #613 calls, #80006/#80007 business). */
const RATE_CODES = new Set([4, 17, 32, 613, 80006, 80007]);

/**
 * A family-specific classifier returns a PlatformError for the codes it knows, or
 * undefined to fall through to the shared rules below.
 */
export type Classifier = (status: number, e: GraphError) => PlatformError["kind"] | undefined;

export function graphError(status: number, headers: Headers, e: GraphError, specific: Classifier): PlatformError {
  const code = e.code !== undefined ? String(e.code) : String(status);
  const message = e.message || `HTTP ${status}`;
  const kind =
    specific(status, e) ??
    (status === 429 || (e.code !== undefined && RATE_CODES.has(e.code))
      ? "rate_limited"
      : status >= 500 || e.transient || e.code === 1 || e.code === 2
        ? "temporary"
        : status === 401 || status === 403 || e.code === 190 || e.code === 102
          ? "auth_revoked"
          : "content_rejected");
  return new PlatformError(kind, code, message, kind === "rate_limited" ? retryAfterMs(headers) : undefined);
}

/** POSTs JSON with the Bearer token (kept out of URLs and logs); returns the parsed 2xx body. */
export async function graphPost(url: string, token: string, body: unknown, specific: Classifier): Promise<unknown> {
  if (!token) throw new PlatformError("auth_revoked", "no_token", "access token is not set");
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
  } catch (e) {
    throw new PlatformError("temporary", "network", e instanceof Error ? e.message : String(e));
  }
  const text = await res.text().catch(() => "");
  let json: unknown = {};
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = { error: { message: text.slice(0, 300) } };
  }
  if (!res.ok) throw graphError(res.status, res.headers, readGraphError(json), specific);
  return json;
}

/** Parses the raw webhook bytes; null when they are not JSON (the signature already matched). */
export function readJsonBody(req: WebhookRequest): unknown {
  try {
    return JSON.parse(req.rawBody.toString("utf8"));
  } catch {
    return null;
  }
}

/**
 * One Meta app has one callback URL per object type and sends every subscribed
 * account's events there. Entries of another account (entry.id / phone_number_id)
 * are not this channel's: they become `ignored` instead of landing in the wrong inbox.
 */
export function splitForeignEntries(body: unknown, isOurs: (entry: unknown) => boolean, prefix: string): { body: unknown; foreign: InboundEvent[] } {
  if (!isObj(body) || !Array.isArray(body.entry)) return { body, foreign: [] };
  const foreign: InboundEvent[] = [];
  const entry = asArray(body.entry).filter((e) => {
    if (isOurs(e)) return true;
    foreign.push({ eventKey: hashKey(prefix, e), at: new Date(), type: "ignored", reason: `entry for another account ${idStr(get(e, "id")) ?? ""}`.trim() });
    return false;
  });
  return { body: { ...body, entry }, foreign };
}
