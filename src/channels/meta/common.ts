/**
 * Small defensive readers shared by the Meta-family parsers (Messenger, Instagram, WhatsApp).
 * Webhook bodies are untrusted: every accessor tolerates any JSON value.
 */
import { createHash } from "node:crypto";

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
export const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
/** Ids arrive as strings, but app_id / catalog ids are sometimes JSON numbers. */
export const idStr = (v: unknown): string | undefined =>
  typeof v === "string" && v !== "" ? v : typeof v === "number" && Number.isFinite(v) ? String(v) : undefined;
/** Meta may batch: every level is normally an array; a lone object is accepted as a one-element list. */
export const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : isObj(v) ? [v] : []);
export const get = (v: unknown, ...path: string[]): unknown => {
  let cur = v;
  for (const p of path) {
    if (!isObj(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
};

/**
 * Meta timestamps: Messenger/IG send integer ms, WhatsApp strings of Unix seconds, some
 * fixtures ISO-8601 strings. Values below 1e11 are read as seconds. Zero, negative or
 * unparseable values count as missing (Messenger delivery receipts carry timestamp 0).
 */
export function metaTime(v: unknown): Date | undefined {
  let n: number | undefined;
  if (typeof v === "number") n = v;
  else if (typeof v === "string" && /^\d+(\.\d+)?$/.test(v.trim())) n = Number(v);
  else if (typeof v === "string" && v.length <= 64) {
    const t = Date.parse(v);
    return Number.isFinite(t) && t > 0 ? new Date(t) : undefined;
  }
  if (n === undefined || !Number.isFinite(n) || n <= 0) return undefined;
  const ms = n < 1e11 ? n * 1000 : n;
  return ms < 8.64e15 ? new Date(ms) : undefined;
}

/** Stable JSON (sorted keys) so a fallback key does not depend on key order. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (isObj(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(",")}}`;
  return JSON.stringify(v) ?? "null";
}

export function hashKey(prefix: string, v: unknown): string {
  let text: string;
  try {
    text = canonical(v);
  } catch {
    text = String(v);
  }
  return `${prefix}:${createHash("sha256").update(text).digest("hex").slice(0, 32)}`;
}
