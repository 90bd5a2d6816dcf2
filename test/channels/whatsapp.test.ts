import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canMoveStatus } from "../../src/domain/message-status.js";
import * as meta from "../../src/channels/meta/webhook.js";
import { parseWhatsAppWebhook, verifyMetaChallenge, verifyMetaSignature } from "../../src/channels/whatsapp/webhook.js";
import type { InboundEvent } from "../../src/channels/types.js";
import { checkAgainstManifest, expectEvent, filesWithPrefix, manifestFor, now, readJson, readRaw, type Expect } from "./fixtures.js";

const PY = "972987654321"; // pywa fixtures
const SN = "16505551234"; // Meta OpenAPI examples (Sheena Nelson)
const py = (x: Partial<Expect>): Expect => ({ type: "message", key: "wamid.xyzxyz", user: PY, phone: PY, displayName: "Test Name", ...x });
const sn = (key: string, x: Partial<Expect>): Expect => ({ type: "message", key, user: SN, phone: SN, displayName: "Sheena Nelson", ...x });
const W = (s: string) => `wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQ${s}`;

/** What each WhatsApp payload must produce (manifest.json). */
const EXPECTED: Record<string, Expect[]> = {
  "whatsapp-audio-file.json": [py({ kind: "audio", quoted: null })],
  "whatsapp-audio-voice-note.json": [py({ kind: "audio" })],
  "whatsapp-button-template-quick-reply.json": [sn(W("UU0M0MxQzQzMUJCMTMwNUZFOQA="), { kind: "postback", text: "Unsubscribe", quoted: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJFNjk2OTMwNEZCQjhGMzUyQUYA" })],
  "whatsapp-contacts.json": [sn(W("TRBNjU5OUFFRTAzODEwMTQ0RgA="), { kind: "contact", text: "Lucía Gómez" })],
  "whatsapp-document.json": [py({ kind: "file", text: "caption" })],
  "whatsapp-image.json": [sn(W("TRBNjU5OUFFRTAzODEwMTQ0RgA="), { kind: "image", text: "Taj Mahal" })],
  "whatsapp-interactive-button-reply.json": [sn(W("TZBQzg0MzQ4QjRCM0NGNkVGOAA="), { kind: "postback", text: "Cancel", quoted: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MEM2RUJFNkI0RENGQTVDRjUA" })],
  "whatsapp-interactive-list-reply.json": [sn(W("UJDQ0NDM0FEODY4ODkzOTc5RgA="), { kind: "postback", text: "Priority Mail Express", quoted: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJGMzEyNzhENTZDMzNGODlDRDgA" })],
  "whatsapp-location.json": [sn(W("TU2MjZEMDBGRkE3MENEMDE0RQA="), { kind: "location" })],
  "whatsapp-order.json": [sn(W("TEyQjFGNzI1QTQxMjI5QTMyOQA="), { kind: "unsupported" })],
  "whatsapp-reaction-removed.json": [{ type: "ignored", key: "wamid.xyzxyz", ignoredReason: /reaction on wamid\.yzxyzx=/ }],
  "whatsapp-reaction.json": [{ type: "ignored", key: W("TRBNjU5OUFFRTAzODEwMTQ0RgA="), ignoredReason: /reaction/ }],
  "whatsapp-status-delivered.json": [{ type: "status", key: "wamid.xyzxyz:delivered", platformMessageId: "wamid.xyzxyz", status: "received", recipient: PY, at: "2023-10-25T20:49:05.000Z" }],
  "whatsapp-status-failed-130472.json": [{ type: "status", key: "wamid.xyzxyz:failed", status: "failed", recipient: PY, reason: { code: "130472", message: "User's number is part of an experiment" } }],
  "whatsapp-status-played.json": [{ type: "ignored", key: "wamid.xyzxyz:played", ignoredReason: /played/ }],
  "whatsapp-status-read.json": [{ type: "status", key: "wamid.xyzxyz:read", status: "read", recipient: PY, at: "2023-07-15T00:20:58.000Z" }],
  "whatsapp-status-sent.json": [{ type: "status", key: "wamid.xyzxyz:sent", status: "sent", recipient: PY }],
  "whatsapp-sticker-animated.json": [py({ kind: "sticker" })],
  "whatsapp-sticker-static.json": [py({ kind: "sticker" })],
  "whatsapp-system-user-changed-number.json": [{ type: "ignored", key: "wamid.HBgLMTk4MzU1NTE5NzQVAgASGAoxMTgyMDg2MjY3AA==", ignoredReason: /system user_changed_number/ }],
  "whatsapp-text-context-product-inquiry.json": [sn(W("TA2NTUwRkNEMDdFQjJCRUU0NQA="), { kind: "text", text: "Is this still available?", quoted: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGA9wcm9kdWN0X2lucXVpcnkA" })],
  "whatsapp-text-ctwa-ad-referral.json": [sn(W("UQ0N0VFMDA2MTQ0RkJFNkNDNAA="), { kind: "text", text: "Hello! Can I get more info on this?", quoted: null })],
  "whatsapp-text-forwarded.json": [py({ kind: "text", text: "forwarded text", quoted: null })],
  "whatsapp-text-reply-context.json": [py({ kind: "text", text: "replied text", quoted: "wamid.xyzxyz==" })],
  "whatsapp-text.json": [sn(W("TRBNjU5OUFFRTAzODEwMTQ0RgA="), { kind: "text", text: "Does it come in another color?", at: "2025-06-08T20:59:43.000Z" })],
  "whatsapp-unsupported-with-type.json": [py({ kind: "unsupported" })],
  "whatsapp-unsupported.json": [sn("wamid.HBgLMTQyMDU1NTA3NDkVAgASGBI5N0MwRjg0RTVBNUI1RDA2OTkA", { kind: "unsupported" })],
  "whatsapp-video-forwarded.json": [py({ kind: "video", text: "caption" })],
};

const parse = (body: unknown): InboundEvent[] => parseWhatsAppWebhook(body, { now });
const first = (file: string) => parse(readJson(file))[0] as InboundEvent & Record<string, any>;
const entries = manifestFor("WhatsApp");
const wrap = (value: Record<string, unknown>, field = "messages") => ({ object: "whatsapp_business_account", entry: [{ id: "WABA", changes: [{ field, value: { messaging_product: "whatsapp", metadata: { display_phone_number: "15550783881", phone_number_id: "106540352242922" }, ...value } }] }] });

describe("WhatsApp payload replay (manifest.json)", () => {
  it("covers every WhatsApp payload on disk and in the manifest", () => {
    const listed = entries.map((e) => e.file).sort();
    expect(filesWithPrefix("whatsapp-")).toEqual(listed);
    expect(Object.keys(EXPECTED).sort()).toEqual(listed);
  });

  for (const entry of entries) {
    it(`${entry.file}: ${entry.kind}`, () => {
      const events = parse(readJson(entry.file));
      const want = EXPECTED[entry.file];
      expect(events).toHaveLength(want.length);
      want.forEach((x, i) => expectEvent(events[i], x));
      checkAgainstManifest(entry, events[0]);
    });
  }
});

describe("WhatsApp statuses", () => {
  it("STAT-10: delivered is reported as received", () => {
    expect(first("whatsapp-status-delivered.json").status).toBe("received");
  });

  it("STAT-9: out-of-order receipts are passed on with distinct wamid:status keys; the domain keeps read", () => {
    // whatsapp-status-read.json is timestamped BEFORE sent/delivered: the parser must not reorder or drop it.
    const [read, delivered, sent] = ["read", "delivered", "sent"].map((s) => first(`whatsapp-status-${s}.json`));
    expect(read.at.getTime()).toBeLessThan(sent.at.getTime());
    expect(new Set([read.eventKey, delivered.eventKey, sent.eventKey]).size).toBe(3);
    expect(canMoveStatus("read", delivered.status)).toBe(false);
    expect(canMoveStatus("sent", read.status)).toBe(true);
  });

  it("STAT-8/STAT-14: a failed status carries errors[0] code and title as the reason", () => {
    const e = parse(wrap({ statuses: [{ id: "wamid.A", status: "failed", timestamp: "1700000000", recipient_id: "1", errors: [{ code: 131047, title: "Re-engagement message", message: "Re-engagement message", error_data: { details: "…24 hours…" } }] }] }))[0];
    expectEvent(e, { type: "status", key: "wamid.A:failed", status: "failed", reason: { code: "131047", message: "Re-engagement message" } });
    const noErrors = parse(wrap({ statuses: [{ id: "wamid.B", status: "failed", timestamp: "1700000000", recipient_id: "1" }] }))[0];
    expectEvent(noErrors, { type: "status", status: "failed" });
  });

  it("played and unknown statuses are ignored, never crash", () => {
    expectEvent(parse(wrap({ statuses: [{ id: "wamid.C", status: "constructor" }] }))[0], { type: "ignored" });
    expectEvent(parse(wrap({ statuses: [{ status: "read" }] }))[0], { type: "ignored" });
  });
});

describe("WhatsApp messages", () => {
  it("ADV-4: context.id is the quoted message; forwarded context without id quotes nothing", () => {
    expectEvent(first("whatsapp-text-reply-context.json"), { type: "message", quoted: "wamid.xyzxyz==" });
    const fwd = first("whatsapp-text-forwarded.json");
    expect(fwd.quotedPlatformMessageId).toBeUndefined();
    expect(fwd.message.extra).toEqual({ forwarded: true });
  });

  it("keeps media ids, captions, voice-note flag, sticker animation and document names", () => {
    expect(first("whatsapp-image.json").message.media).toEqual({ platformMediaId: "1003383421387256", mimeType: "image/jpeg" });
    expect(first("whatsapp-audio-voice-note.json").message.extra).toEqual({ voice: true });
    expect(first("whatsapp-audio-file.json").message.extra).toEqual({ forwarded: true });
    expect(first("whatsapp-document.json").message.media).toEqual({ platformMediaId: "1234567890987654321", mimeType: "application/pdf", fileName: "filename.pdf" });
    expect(first("whatsapp-sticker-animated.json").message.extra).toEqual({ animated: true });
    expect(first("whatsapp-sticker-static.json").message.extra).toEqual({ animated: false });
    expect(first("whatsapp-location.json").message.location).toEqual({ latitude: 37.44221496582, longitude: -122.16165924072, title: "Philz Coffee", address: "101 Forest Ave, Palo Alto, CA 94301" });
  });

  it("keeps button ids, contact cards, orders, ad referrals and product context in extra", () => {
    expect(first("whatsapp-interactive-button-reply.json").message.extra).toEqual({ payload: "cancel-button", interactiveType: "button_reply" });
    expect(first("whatsapp-button-template-quick-reply.json").message.extra).toEqual({ payload: "Unsubscribe", interactiveType: "template_button" });
    expect(first("whatsapp-contacts.json").message.extra.contacts[0].phones[0].wa_id).toBe("19835552319");
    expect(first("whatsapp-order.json").message.extra.order.items).toHaveLength(2);
    expect(first("whatsapp-text-ctwa-ad-referral.json").message.extra.referral.source_id).toBe("120226305854810726");
    expect(first("whatsapp-text-context-product-inquiry.json").message.extra.referredProduct.product_retailer_id).toBe("di9ozbzfi4");
    expect(first("whatsapp-unsupported-with-type.json").message.extra).toMatchObject({ unsupportedType: "pool", errorCode: "131051" });
  });

  it("LIFE-23: unknown message types become unsupported placeholders", () => {
    const e = parse(wrap({ contacts: [{ profile: { name: "X" }, wa_id: "1" }], messages: [{ from: "1", id: "wamid.N", timestamp: "1", type: "brand_new_type" }] }))[0];
    expectEvent(e, { type: "message", kind: "unsupported", displayName: "X" });
  });

  it("handles batches: several messages and contacts in one change, statuses alongside, several entries", () => {
    const body = wrap({
      contacts: [{ profile: { name: "A" }, wa_id: "111" }, { profile: { name: "B" }, wa_id: "222" }],
      messages: [{ from: "222", id: "wamid.2", timestamp: "1700000000", type: "text", text: { body: "b" } }, { from: "111", id: "wamid.1", timestamp: "1700000001", type: "text", text: { body: "a" } }],
      statuses: [{ id: "wamid.0", status: "sent", timestamp: "1700000002", recipient_id: "111" }],
    });
    (body.entry as unknown[]).push({ id: "WABA2", changes: [{ field: "message_template_status_update", value: { event: "APPROVED" } }] });
    const events = parse(body);
    expect(events.map((e) => e.eventKey)).toEqual(["wamid.2", "wamid.1", "wamid.0:sent", expect.stringMatching(/^wa:/)]);
    expectEvent(events[0], { type: "message", user: "222", displayName: "B" });
    expectEvent(events[1], { type: "message", user: "111", displayName: "A" });
    expectEvent(events[3], { type: "ignored", ignoredReason: /message_template_status_update/ });
  });

  it("other objects and odd bodies", () => {
    expectEvent(parse({ object: "page", entry: [] })[0], { type: "ignored" });
    expect(parse({ object: "whatsapp_business_account" })).toEqual([]);
    expect(parse(undefined)).toEqual([]);
  });
});

describe("WhatsApp signature (Meta X-Hub-Signature-256, reused)", () => {
  const secret = "wa_app_secret";
  const raw = readRaw("whatsapp-contacts.json"); // non-ASCII names in the signed bytes
  const header = "sha256=" + createHmac("sha256", secret).update(raw).digest("hex");

  it("reuses the Meta implementation", () => {
    expect(verifyMetaSignature).toBe(meta.verifyMetaSignature);
    expect(verifyMetaChallenge).toBe(meta.verifyMetaChallenge);
  });
  it("accepts a correct signature, rejects an altered byte, a missing header and a wrong secret", () => {
    expect(verifyMetaSignature(raw, header, secret)).toBe(true);
    const altered = Buffer.from(raw);
    altered[20] ^= 0x20;
    expect(verifyMetaSignature(altered, header, secret)).toBe(false);
    expect(verifyMetaSignature(raw, undefined, secret)).toBe(false);
    expect(verifyMetaSignature(raw, header, "another_secret")).toBe(false);
  });
});

describe("WhatsApp parser fuzz", () => {
  const wellFormed = (events: InboundEvent[]): boolean =>
    Array.isArray(events) && events.every((e) => typeof e.eventKey === "string" && e.eventKey !== "" && e.at instanceof Date && !Number.isNaN(e.at.getTime()));

  it("never throws on arbitrary JSON", () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => wellFormed(parse(v))), { numRuns: 500 });
    fc.assert(fc.property(fc.anything(), (v) => wellFormed(parse(v))), { numRuns: 300 });
  });

  it("never throws on WhatsApp-shaped values with random fields", () => {
    const anyV = fc.jsonValue({ maxDepth: 2 });
    const type = fc.constantFrom("text", "image", "video", "audio", "document", "sticker", "location", "contacts", "interactive", "button", "order", "reaction", "system", "unsupported", "__proto__", "constructor");
    const msg = fc.record({
      from: fc.oneof(fc.string(), anyV), id: fc.oneof(fc.string(), anyV), timestamp: fc.oneof(fc.string(), fc.integer(), anyV), type,
      text: anyV, image: anyV, interactive: fc.oneof(anyV, fc.record({ type: fc.constantFrom("button_reply", "list_reply", "nfm_reply", "toString"), button_reply: anyV, list_reply: anyV })),
      location: anyV, contacts: anyV, context: anyV, errors: anyV, referral: anyV, order: anyV,
    }, { requiredKeys: [] });
    const status = fc.record({ id: fc.oneof(fc.string(), anyV), status: fc.constantFrom("sent", "delivered", "read", "failed", "played", "toString", "constructor"), timestamp: anyV, recipient_id: anyV, errors: anyV }, { requiredKeys: [] });
    const value = fc.record({ contacts: anyV, messages: fc.oneof(anyV, fc.array(msg, { maxLength: 3 })), statuses: fc.oneof(anyV, fc.array(status, { maxLength: 3 })) }, { requiredKeys: [] });
    fc.assert(fc.property(fc.array(fc.record({ changes: fc.array(fc.record({ field: fc.constantFrom("messages", "x"), value }), { maxLength: 2 }) }), { maxLength: 2 }), (entry) => {
      const out = parse({ object: "whatsapp_business_account", entry });
      return wellFormed(out) && out.every((e) => e.type !== "status" || ["sent", "received", "read", "failed"].includes(e.status));
    }), { numRuns: 1000 });
  });
});
