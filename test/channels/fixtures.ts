/**
 * Shared helpers for the channel webhook tests: the real payloads in
 * /work/shared/reference/payloads and what manifest.json says each must produce.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import type { InboundEvent, MessageKind, PostbackSource } from "../../src/channels/types.js";

export const PAYLOAD_DIR = process.env.PARLEY_PAYLOAD_DIR ?? "/work/shared/reference/payloads";

export interface ManifestEntry {
  platform: string;
  kind: string;
  sender: string;
  conv: string;
  dedupe: string;
  covers: string;
  notes: string;
  file: string;
}

const manifest: ManifestEntry[] = JSON.parse(readFileSync(join(PAYLOAD_DIR, "manifest.json"), "utf8"));

export function manifestFor(...platforms: string[]): ManifestEntry[] {
  return manifest.filter((e) => platforms.includes(e.platform));
}

/** Payload files on disk with one of these prefixes (to prove none escapes the manifest). */
export function filesWithPrefix(...prefixes: string[]): string[] {
  return readdirSync(PAYLOAD_DIR).filter((f) => prefixes.some((p) => f.startsWith(p))).sort();
}

export const readRaw = (file: string): Buffer => readFileSync(join(PAYLOAD_DIR, file));
export const readJson = (file: string): unknown => JSON.parse(readRaw(file).toString("utf8"));

/** Fixed clock so that a missing timestamp never makes a test time-dependent. */
export const FIXED_NOW = new Date("2030-01-01T00:00:00Z");
export const now = (): Date => FIXED_NOW;

/** What a test expects of one produced event; unspecified fields are not checked. */
export interface Expect {
  type: InboundEvent["type"];
  key?: string;
  user?: string;
  group?: string;
  groupType?: "group" | "room";
  displayName?: string;
  phone?: string;
  kind?: MessageKind;
  text?: string;
  platformMessageId?: string;
  quoted?: string | null;
  status?: "sent" | "received" | "read" | "failed";
  reason?: { code: string; message: string };
  redelivery?: boolean;
  source?: PostbackSource;
  data?: string;
  recipient?: string;
  replyToken?: string | null;
  userIds?: string[];
  ignoredReason?: RegExp;
  at?: string;
}

export function expectEvent(ev: InboundEvent | undefined, x: Expect): void {
  expect(ev, "event missing").toBeDefined();
  const e = ev as InboundEvent & Record<string, any>;
  expect(e.type).toBe(x.type);
  expect(typeof e.eventKey).toBe("string");
  expect(e.eventKey.length).toBeGreaterThan(0);
  expect(e.at).toBeInstanceOf(Date);
  expect(Number.isNaN(e.at.getTime())).toBe(false);
  if (x.key !== undefined) expect(e.eventKey).toBe(x.key);
  if (x.at !== undefined) expect(e.at.toISOString()).toBe(x.at);
  if (x.user !== undefined) expect(e.sender?.userId).toBe(x.user);
  if (x.group !== undefined) expect(e.sender?.groupId ?? e.groupId).toBe(x.group);
  if (x.groupType !== undefined) expect(e.sender?.groupType ?? e.groupType).toBe(x.groupType);
  if (x.displayName !== undefined) expect(e.sender?.displayName).toBe(x.displayName);
  if (x.phone !== undefined) expect(e.sender?.phone).toBe(x.phone);
  if (x.kind !== undefined) expect(e.message?.kind).toBe(x.kind);
  if (x.text !== undefined) expect(e.message?.text).toBe(x.text);
  if (x.platformMessageId !== undefined) expect(e.platformMessageId).toBe(x.platformMessageId);
  if (x.quoted !== undefined) expect(e.quotedPlatformMessageId).toBe(x.quoted ?? undefined);
  if (x.status !== undefined) expect(e.status).toBe(x.status);
  if (x.reason !== undefined) expect(e.reason).toEqual(x.reason);
  if (x.redelivery !== undefined) expect(e.redelivery === true).toBe(x.redelivery);
  if (x.source !== undefined) expect(e.source).toBe(x.source);
  if (x.data !== undefined) expect(e.data).toBe(x.data);
  if (x.recipient !== undefined) expect(e.recipientUserId).toBe(x.recipient);
  if (x.replyToken !== undefined) expect(e.replyToken).toBe(x.replyToken ?? undefined);
  if (x.userIds !== undefined) expect(e.userIds).toEqual(x.userIds);
  if (x.ignoredReason !== undefined) expect(e.reason).toMatch(x.ignoredReason);
}

/** Matches an id the manifest gives in full, with a trailing "..." or a leading "…". */
function matchesId(actual: string | undefined, given: string): boolean {
  if (actual === undefined) return false;
  if (given.endsWith("...")) return actual.startsWith(given.slice(0, -3));
  if (given.startsWith("…")) return actual.endsWith(given.slice(1));
  return actual === given;
}

/**
 * Cross-checks the first event against the manifest's free-text `sender` and `dedupe` columns
 * wherever they name a concrete id. Returns how many checks applied (so tests can insist on ≥1).
 */
export function checkAgainstManifest(entry: ManifestEntry, ev: InboundEvent): number {
  const e = ev as InboundEvent & Record<string, any>;
  let checks = 0;
  const s = entry.sender;
  let m: RegExpExecArray | null;
  if ((m = /customer = recipient (\S+)/.exec(s)) || (m = /^(\S+) \(recipient\)$/.exec(s))) {
    if (e.type !== "ignored") {
      expect(matchesId(e.recipientUserId, m[1]), `recipient ${e.recipientUserId} vs manifest ${m[1]}`).toBe(true);
      checks++;
    }
  } else if ((m = /^OpenID `([^`]+)`$/.exec(s)) || (m = /^([\w.-]+(?:\.\.\.)?)$/.exec(s))) {
    if (e.type !== "ignored") {
      // Receipts (watermark/status) name the customer as recipientUserId.
      const who: string | undefined = e.sender?.userId ?? e.recipientUserId;
      expect(matchesId(who, m[1]), `sender ${who} vs manifest ${m[1]}`).toBe(true);
      checks++;
    }
  } else if (s === "(none in payload)" && e.sender) {
    // Group message without source.userId: attributed to the group, never to an invented user.
    expect(e.sender.userId).toBe("");
    expect(e.sender.groupId).toBeTruthy();
    checks++;
  }
  const d = entry.dedupe;
  if ((m = /webhookEventId `([^`—]+)`/.exec(d)) || (m = /^mid `([^`]+)`/.exec(d)) || (m = /MsgId `([^`]+)`/.exec(d)) || (m = /^wamid `([^`]+)`/.exec(d))) {
    expect(matchesId(e.eventKey, m[1]), `key ${e.eventKey} vs manifest ${m[1]}`).toBe(true);
    checks++;
  } else if ((m = /webhookEventId `—`, message\.id `([^`]+)`/.exec(d))) {
    // Legacy shape without webhookEventId: the fallback key is derived from message.id.
    expect(e.eventKey).toContain(m[1]);
    checks++;
  } else if (d === "webhookEventId `—`") {
    expect(e.eventKey).toMatch(/^line:[0-9a-f]{32}$/); // hash of the event, see the key-order test
    checks++;
  } else if (/FromUserName\s*\+\s*CreateTime/.test(d) || /synthetic key/.test(d)) {
    expect(e.eventKey).toContain(e.sender?.userId ?? "\u0000");
    checks++;
  } else if (d === "statuses[].id + status") {
    expect(e.eventKey).toMatch(/^wamid\.[^:]+:[a-z]+$/);
    checks++;
  }
  return checks;
}
