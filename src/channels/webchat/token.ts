/**
 * The visitor token (principle 11): short-lived (24 h), scoped to one
 * channel and one anonymous visitor, HMAC-signed, stateless. It is never a
 * member session: its prefix is neither ps_ nor pt_, so the member API's
 * authentication ignores it and every /api/ route answers 401.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { VISITOR_ID_RE } from "./contract.js";

export const VISITOR_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
const PREFIX = "pv1";

export interface VisitorClaims {
  workspaceId: string;
  channelId: string;
  visitorId: string;
  /** Expiry, epoch milliseconds. */
  exp: number;
}

let processSecret: string | null = null;

/**
 * The signing secret: PARLEY_WIDGET_SECRET (at least 32 characters; the same on
 * every server process), else a random one per process, so tokens then stop
 * working at a restart and the frame simply opens a new session for the
 * same visitor.
 */
export function widgetSecret(env: NodeJS.ProcessEnv = process.env): string {
  const s = env.PARLEY_WIDGET_SECRET;
  if (s && s.length >= 32) return s;
  processSecret ??= randomBytes(32).toString("base64url");
  return processSecret;
}

const mac = (secret: string, body: string) => createHmac("sha256", secret).update(`${PREFIX}.${body}`).digest();

export function signVisitorToken(secret: string, claims: Omit<VisitorClaims, "exp">, now: Date, ttlMs = VISITOR_TOKEN_TTL_MS): { token: string; expiresAt: Date } {
  const exp = now.getTime() + ttlMs;
  const body = Buffer.from(JSON.stringify({ w: claims.workspaceId, c: claims.channelId, v: claims.visitorId, exp })).toString("base64url");
  return { token: `${PREFIX}.${body}.${mac(secret, body).toString("base64url")}`, expiresAt: new Date(exp) };
}

/** The claims of a valid, unexpired token; null for anything else (never throws). */
export function verifyVisitorToken(secret: string, token: unknown, now: Date): VisitorClaims | null {
  if (typeof token !== "string" || token.length > 1000) return null;
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] !== PREFIX) return null;
  const [, body, sig] = parts;
  const given = Buffer.from(sig, "base64url");
  const expected = mac(secret, body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let p: { w?: unknown; c?: unknown; v?: unknown; exp?: unknown };
  try {
    p = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  if (typeof p.w !== "string" || typeof p.c !== "string" || typeof p.v !== "string" || typeof p.exp !== "number") return null;
  if (!VISITOR_ID_RE.test(p.v) || p.exp <= now.getTime()) return null;
  return { workspaceId: p.w, channelId: p.c, visitorId: p.v, exp: p.exp };
}

/** The Authorization: Bearer value, if it is a visitor token's shape. */
export function bearerOf(header: string | undefined): string | null {
  if (!header?.startsWith("Bearer ")) return null;
  return header.slice(7).trim() || null;
}
