import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { classifyMetaPostback, parseMetaWebhook, verifyMetaChallenge, verifyMetaSignature } from "../../src/channels/meta/webhook.js";
import type { InboundEvent } from "../../src/channels/types.js";
import { checkAgainstManifest, expectEvent, filesWithPrefix, manifestFor, now, readJson, readRaw, type Expect } from "./fixtures.js";

const PSID = "1134343043305865";
const PAGE = "1691462197845448";

/** What each Messenger/Instagram payload must produce (manifest.json). */
const EXPECTED: Record<string, Expect[]> = {
  "instagram-read-mid-chatwoot.json": [{ type: "status", key: "message-id-1:read", platformMessageId: "message-id-1", status: "read", recipient: "Sender-id-1", at: "2021-09-08T06:34:04.000Z" }],
  "instagram-story-reply-chatwoot.json": [{ type: "message", key: "message-id-1", user: "Sender-id-1", kind: "text", text: "This is the story reply", quoted: null, at: "2021-09-08T06:34:04.000Z" }],
  "messenger-delivery-fbmq.json": [{ type: "watermark", key: `delivery:${PSID}:1472028395190`, recipient: PSID, at: "2016-08-24T08:46:35.190Z" }],
  "messenger-echo-fbmq.json": [{ type: "echo", key: "mid.1472026868734:832ecbdfc1ffc30139", recipient: PSID, platformMessageId: "mid.1472026868734:832ecbdfc1ffc30139", kind: "text", text: "hello" }],
  "messenger-postback-payload-only-fbmq.json": [{ type: "postback", key: `postback:${PSID}::DEVELOPED_DEFINED_PAYLOAD:1472028006107`, user: PSID, data: "DEVELOPED_DEFINED_PAYLOAD", source: "other" }],
  "messenger-postback-referral-fbmq.json": [{ type: "postback", user: PSID, data: "DEVELOPED_DEFINED_PAYLOAD", source: "fb_get_started" }],
  "messenger-read-watermark-fbmq.json": [{ type: "watermark", key: `read:${PSID}:1472026868763`, recipient: PSID }],
  "messenger-text-fbmq.json": [{ type: "message", key: "mid.1472026867074:cfb5e1d4bde07a2a55", user: PSID, kind: "text", text: "hello world", platformMessageId: "mid.1472026867074:cfb5e1d4bde07a2a55", quoted: null }],
  "messenger-text-quick-reply-fbmq.json": [{ type: "message", key: "mid.1472028637817:ae2763cc036a664b43", user: PSID, kind: "text", text: "Action" }],
};

const parse = (body: unknown): InboundEvent[] => parseMetaWebhook(body, { now });
const entries = manifestFor("Messenger", "Instagram");
const page = (...messaging: unknown[]) => ({ object: "page", entry: [{ id: PAGE, time: 1700000000000, messaging }] });
const from = (extra: Record<string, unknown>) => ({ sender: { id: PSID }, recipient: { id: PAGE }, timestamp: 1700000000001, ...extra });

describe("Messenger/Instagram payload replay (manifest.json)", () => {
  it("covers every Messenger and Instagram payload on disk and in the manifest", () => {
    const listed = entries.map((e) => e.file).sort();
    expect(filesWithPrefix("messenger-", "instagram-")).toEqual(listed);
    expect(Object.keys(EXPECTED).sort()).toEqual(listed);
  });

  for (const entry of entries) {
    it(`${entry.file}: ${entry.kind}`, () => {
      const events = parse(readJson(entry.file));
      const want = EXPECTED[entry.file];
      expect(events).toHaveLength(want.length);
      want.forEach((x, i) => expectEvent(events[i], x));
      expect(checkAgainstManifest(entry, events[0])).toBeGreaterThan(0);
    });
  }

  it("STAT-10: a Messenger delivery receipt is a delivery watermark timed by the watermark (timestamp is 0)", () => {
    const [e] = parse(readJson("messenger-delivery-fbmq.json"));
    if (e.type !== "watermark") throw new Error(e.type);
    expect(e.kind).toBe("delivery");
    expect(e.watermark.toISOString()).toBe("2016-08-24T08:46:35.190Z");
    expect(e.platformMessageIds).toEqual(["mid.1472028395154:917e24ea99bc7d8f11"]);
  });

  it("STAT-5: a Messenger read receipt is a read watermark; Instagram's names one message", () => {
    const [w] = parse(readJson("messenger-read-watermark-fbmq.json"));
    expect(w.type === "watermark" && [w.kind, w.watermark.getTime()]).toEqual(["read", 1472026868763]);
    expectEvent(parse(readJson("instagram-read-mid-chatwoot.json"))[0], { type: "status", status: "read" });
  });

  it("echoes swap sender and recipient and keep app_id: never a customer message", () => {
    const [e] = parse(readJson("messenger-echo-fbmq.json"));
    expect(e.type === "echo" && e.appId).toBe("950864918368986");
  });

  it("keeps quick-reply payloads and Instagram story replies in extra", () => {
    const [q] = parse(readJson("messenger-text-quick-reply-fbmq.json"));
    expect(q.type === "message" && q.message.extra).toEqual({ quickReplyPayload: "PICK_ACTION" });
    const [s] = parse(readJson("instagram-story-reply-chatwoot.json"));
    expect(s.type === "message" && s.message.extra?.storyReply).toEqual({ id: "chatwoot-app-user-id-1", url: "https://chatwoot-assets.local/sample.png" });
  });
});

describe("Messenger/Instagram event details", () => {
  it("ADV-3: a Messenger swipe-reply carries reply_to.mid as the quoted message", () => {
    const [e] = parse(page(from({ message: { mid: "m_1457764197618:41d102a3e1ae206a38", text: "hello, world!", reply_to: { mid: "m_1fTq8oLumEyIp3Q2MR-aY7IfLZDamVrALniheU", is_self_reply: false } } })));
    expectEvent(e, { type: "message", text: "hello, world!", quoted: "m_1fTq8oLumEyIp3Q2MR-aY7IfLZDamVrALniheU" });
  });

  it("ADV-5: Instagram replies quote reply_to.mid (a story reply is not a quote)", () => {
    const body = { object: "instagram", entry: [{ id: "IGID", time: 1569262486134, messaging: [{ sender: { id: "IGSID" }, recipient: { id: "IGID" }, timestamp: 1569262485349, message: { mid: "MID2", text: "this one", reply_to: { mid: "MID1" } } }] }] };
    expectEvent(parse(body)[0], { type: "message", user: "IGSID", quoted: "MID1" });
  });

  it("LIFE-22: classifies Get Started and persistent-menu postbacks", () => {
    expect(classifyMetaPostback("GET_STARTED")).toBe("fb_get_started");
    expect(classifyMetaPostback("parley:get_started")).toBe("fb_get_started");
    expect(classifyMetaPostback("anything", "Get Started")).toBe("fb_get_started");
    expect(classifyMetaPostback("anything", "開始使用")).toBe("fb_get_started");
    expect(classifyMetaPostback("DEVELOPED_DEFINED_PAYLOAD", undefined, true)).toBe("fb_get_started"); // referral ⇒ Get Started
    expect(classifyMetaPostback("MENU:HELP")).toBe("fb_persistent_menu");
    expect(classifyMetaPostback("parley:menu:hours", "Opening hours")).toBe("fb_persistent_menu");
    expect(classifyMetaPostback("BUY_NOW", "Buy")).toBe("other");
    expect(classifyMetaPostback("")).toBe("other");
  });

  it("postbacks reuse the button message's mid, so each tap gets its own key", () => {
    const tap = (ts: number) => parse(page(from({ timestamp: ts, postback: { mid: "m_button", title: "Menu", payload: "MENU:1" } })))[0];
    expectEvent(tap(1), { type: "postback", source: "fb_persistent_menu", data: "MENU:1" });
    expect(tap(1).eventKey).toBe(tap(1).eventKey);
    expect(tap(1).eventKey).not.toBe(tap(2).eventKey);
    expect(tap(1).type === "postback" && (tap(1) as { title?: string }).title).toBe("Menu");
  });

  it("maps attachments; several attachments under one mid become several messages", () => {
    const events = parse(page(from({ message: { mid: "m1", attachments: [
      { type: "image", payload: { url: "https://cdn/i.jpg" } },
      { type: "video", payload: { url: "https://cdn/v.mp4" } },
      { type: "audio", payload: { url: "https://cdn/a.mp4" } },
      { type: "file", payload: { url: "https://cdn/f.pdf" } },
      { type: "image", payload: { url: "https://cdn/like.png", sticker_id: 369239263222822 } },
      { type: "location", title: "Pin", payload: { coordinates: { lat: 25.03, long: 121.56 } } },
      { type: "fallback", title: "A page", url: "https://example.com", payload: null },
      { type: "ig_reel", payload: { url: "https://cdn/r" } },
    ] } })));
    expect(events.map((e) => (e.type === "message" ? e.message.kind : e.type))).toEqual(["image", "video", "audio", "file", "sticker", "location", "text", "unsupported"]);
    expect(events.map((e) => e.type === "message" && e.platformMessageId)).toEqual(["m1", "m1#1", "m1#2", "m1#3", "m1#4", "m1#5", "m1#6", "m1#7"]);
    expect(new Set(events.map((e) => e.eventKey)).size).toBe(8);
    const loc = events[5];
    expect(loc.type === "message" && loc.message.location).toEqual({ latitude: 25.03, longitude: 121.56, title: "Pin" });
    expect(events[0].type === "message" && events[0].message.media).toEqual({ url: "https://cdn/i.jpg" });
    expect(events[6].type === "message" && events[6].message.text).toBe("A page\nhttps://example.com");
  });

  it("Instagram unsend (is_deleted) and unsupported content", () => {
    const ig = (message: unknown) => ({ object: "instagram", entry: [{ id: "IGID", time: 1, messaging: [{ sender: { id: "IGSID" }, recipient: { id: "IGID" }, timestamp: 2, message }] }] });
    expectEvent(parse(ig({ mid: "MID9", is_deleted: true }))[0], { type: "unsend", user: "IGSID", platformMessageId: "MID9", key: "MID9:deleted" });
    expectEvent(parse(ig({ mid: "MID8", is_unsupported: true }))[0], { type: "message", kind: "unsupported" });
    expectEvent(parse(ig({ mid: "MID7", attachments: [{ type: "story_mention", payload: { url: "https://cdn/s" } }] }))[0], { type: "message", kind: "unsupported" });
  });

  it("reads standby[] (handover), batched entries, and the IG dashboard changes[] test shape", () => {
    const body = {
      object: "page",
      entry: [
        { id: PAGE, time: 1, messaging: [from({ message: { mid: "a", text: "1" } }), from({ message: { mid: "b", text: "2" } })] },
        { id: PAGE, time: 1, standby: [from({ message: { mid: "c", text: "3" } })] },
        { id: PAGE, time: 1, changes: [{ field: "messages", value: { sender: { id: "S" }, recipient: { id: "R" }, timestamp: "1527459824", message: { mid: "d", text: "random_text" } } }, { field: "comments", value: {} }] },
      ],
    };
    const events = parse(body);
    expect(events.map((e) => e.eventKey).slice(0, 4)).toEqual(["a", "b", "c", "d"]);
    expectEvent(events[3], { type: "message", user: "S", at: "2018-05-27T22:23:44.000Z" }); // seconds string
    expectEvent(events[4], { type: "ignored", ignoredReason: /comments/ });
  });

  it("ignores reactions, referrals, optins and other objects; delivery without watermark uses mids", () => {
    expectEvent(parse(page(from({ reaction: { mid: "m", action: "react", emoji: "❤" } })))[0], { type: "ignored", ignoredReason: /reaction/ });
    expectEvent(parse(page(from({ referral: { ref: "x" } })))[0], { type: "ignored", ignoredReason: /referral/ });
    expectEvent(parse({ object: "whatsapp_business_account", entry: [] })[0], { type: "ignored" });
    expectEvent(parse(page(from({ delivery: { mids: ["m1"] } })))[0], { type: "status", status: "received", platformMessageId: "m1", recipient: PSID });
    expect(parse({ object: "page" })).toEqual([]);
    expect(parse("page")).toEqual([]);
  });
});

describe("Meta signature (X-Hub-Signature-256) and GET handshake", () => {
  const secret = "meta_app_secret";
  const raw = readRaw("messenger-text-fbmq.json");
  const sign = (b: Buffer, s = secret) => "sha256=" + createHmac("sha256", s).update(b).digest("hex");

  it("accepts a correct signature on the raw bytes", () => {
    expect(verifyMetaSignature(raw, sign(raw), secret)).toBe(true);
  });
  it("rejects one altered body byte", () => {
    const altered = Buffer.from(raw);
    altered[altered.length - 5] ^= 0x01;
    expect(verifyMetaSignature(altered, sign(raw), secret)).toBe(false);
  });
  it("rejects a missing header, a wrong secret and malformed headers", () => {
    expect(verifyMetaSignature(raw, undefined, secret)).toBe(false);
    expect(verifyMetaSignature(raw, sign(raw, "other"), secret)).toBe(false);
    expect(verifyMetaSignature(raw, sign(raw), "")).toBe(false);
    const hex = sign(raw).slice(7);
    for (const h of [hex, `sha1=${hex}`, `sha256=${hex.slice(2)}`, `sha256=${hex}00`, "sha256=", `sha256=${"z".repeat(64)}`]) {
      expect(verifyMetaSignature(raw, h, secret)).toBe(false);
    }
  });
  it("Meta signs \\u-escaped bytes: re-serialised JSON does not verify", () => {
    const escaped = Buffer.from('{"object":"page","entry":[{"messaging":[{"message":{"mid":"m","text":"caf\\u00e9"}}]}]}');
    expect(verifyMetaSignature(escaped, sign(escaped), secret)).toBe(true);
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(escaped.toString())));
    expect(verifyMetaSignature(reserialised, sign(escaped), secret)).toBe(false);
  });

  it("returns hub.challenge only for subscribe with the right verify token", () => {
    const q = { "hub.mode": "subscribe", "hub.verify_token": "meatyhamhock", "hub.challenge": "1158201444" };
    expect(verifyMetaChallenge(q, "meatyhamhock")).toBe("1158201444");
    expect(verifyMetaChallenge({ hub: { mode: "subscribe", verify_token: "meatyhamhock", challenge: "42" } }, "meatyhamhock")).toBe("42");
    expect(verifyMetaChallenge({ ...q, "hub.verify_token": "wrong" }, "meatyhamhock")).toBeNull();
    expect(verifyMetaChallenge({ ...q, "hub.mode": "unsubscribe" }, "meatyhamhock")).toBeNull();
    expect(verifyMetaChallenge({ ...q, "hub.challenge": undefined }, "meatyhamhock")).toBeNull();
    expect(verifyMetaChallenge({ ...q, "hub.verify_token": ["meatyhamhock", "x"] }, "meatyhamhock")).toBeNull();
    expect(verifyMetaChallenge(q, "")).toBeNull();
    expect(verifyMetaChallenge({}, "meatyhamhock")).toBeNull();
  });
});

describe("Meta parser fuzz", () => {
  const wellFormed = (events: InboundEvent[]): boolean =>
    Array.isArray(events) && events.every((e) => typeof e.eventKey === "string" && e.eventKey !== "" && e.at instanceof Date && !Number.isNaN(e.at.getTime()));

  it("never throws on arbitrary JSON", () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => wellFormed(parse(v))), { numRuns: 500 });
    fc.assert(fc.property(fc.anything(), (v) => wellFormed(parse(v))), { numRuns: 300 });
  });

  it("never throws on Meta-shaped envelopes with random fields", () => {
    const anyV = fc.jsonValue({ maxDepth: 2 });
    const idObj = fc.oneof(anyV, fc.record({ id: fc.oneof(fc.string(), fc.integer(), anyV) }));
    const message = fc.oneof(anyV, fc.record({
      mid: fc.oneof(fc.string(), anyV), text: fc.oneof(fc.string(), anyV), is_echo: fc.boolean(), is_deleted: fc.boolean(), app_id: anyV,
      attachments: fc.oneof(anyV, fc.array(fc.record({ type: fc.constantFrom("image", "video", "location", "fallback", "template", "x"), payload: anyV, title: anyV }, { requiredKeys: [] }))),
      reply_to: anyV, quick_reply: anyV,
    }, { requiredKeys: [] }));
    const item = fc.record({
      sender: idObj, recipient: idObj, timestamp: fc.oneof(fc.integer(), fc.string(), anyV), message,
      postback: anyV, delivery: fc.oneof(anyV, fc.record({ mids: anyV, watermark: fc.oneof(fc.integer(), anyV) })), read: anyV, reaction: anyV,
    }, { requiredKeys: [] });
    const entry = fc.record({ id: anyV, time: anyV, messaging: fc.oneof(anyV, fc.array(item, { maxLength: 4 })), standby: fc.oneof(anyV, fc.array(item, { maxLength: 2 })), changes: anyV }, { requiredKeys: [] });
    fc.assert(fc.property(fc.constantFrom("page", "instagram"), fc.oneof(anyV, fc.array(entry, { maxLength: 3 })), (object, e) => wellFormed(parse({ object, entry: e }))), { numRuns: 1000 });
  });

  it("signature and challenge checks never throw", () => {
    fc.assert(fc.property(fc.uint8Array(), fc.string(), fc.string(), (b, h, s) => verifyMetaSignature(Buffer.from(b), h, s) === false));
    fc.assert(fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string(), (q, t) => {
      const r = verifyMetaChallenge(q, t);
      return r === null || typeof r === "string";
    }));
  });
});
