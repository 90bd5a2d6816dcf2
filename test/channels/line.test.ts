import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { classifyLinePostback, parseLineWebhook, verifyLineSignature } from "../../src/channels/line/webhook.js";
import type { InboundEvent } from "../../src/channels/types.js";
import { checkAgainstManifest, expectEvent, filesWithPrefix, manifestFor, now, readJson, readRaw, type Expect } from "./fixtures.js";

const U = "u206d25c2ea6bd87c17655609a1c37cb8"; // Go/Java fixtures
const PU = "U206d25c2ea6bd87c17655609a1c37cb8"; // Python fixture
const RT = "nHuyWiB7yP5Zw52FIkcQobQuGDXCTA";
const GO = "01FZ74ASS536FW97EX38NKCZQK";
const PY = "testwebhookeventid";
const MEMBERS = ["U4af498062901234567890123456789ab", "U91eeaf62d901234567890123456789ab"];
const ign = (what: RegExp, more: Partial<Expect> = {}): Expect => ({ type: "ignored", ignoredReason: what, ...more });

/** What each LINE payload must produce (manifest.json, column by column). */
const EXPECTED: Record<string, Expect[]> = {
  "line-java-member-joined-legacy.json": [{ type: "members_joined", group: "C1234567890", groupType: "group", userIds: ["U111111"] }],
  "line-java-redelivery-text.json": [{ type: "message", key: "01G2KZKG2DS765NMRH3GZFD8AP", user: U, kind: "text", text: "Hello, world", platformMessageId: "325708", redelivery: true, replyToken: null }],
  "line-java-sticker-message-text-legacy.json": [{ type: "message", key: "line:message:325708", user: U, kind: "sticker", text: "userEnteredText", redelivery: false, replyToken: RT }],
  "line-java-text-emojis-legacy.json": [{ type: "message", key: "line:message:325708", user: U, kind: "text", text: "Hello, world" }],
  "line-java-text-group-standby-legacy.json": [{ type: "message", user: "", group: U, groupType: "group", kind: "text", text: "Hello, world", replyToken: null }],
  "line-java-text-mention-legacy.json": [{ type: "message", user: U, kind: "text", text: "Hello, world @Brown and @Cony" }],
  "line-java-text-user-legacy.json": [{ type: "message", key: "line:message:325708", user: U, kind: "text", text: "Hello, world", quoted: null }],
  "line-java-unknown-event-and-source.json": [ign(/greatNewFeature/), ign(/unattributable/)],
  "line-signed-group-text-emoji-sdk-nodejs.json": [{ type: "message", key: "test_webhook_event_id", user: "", group: "test_group_id", kind: "text", text: "this is test message.😄😅😢😞😄😅😢😞" }],
  "line-sdkgo-split-00-message-text.json": [{ type: "message", key: GO, user: U, kind: "text", text: "Hello, world", platformMessageId: "325708", redelivery: false, replyToken: RT, quoted: null }],
  "line-sdkgo-split-01-message-text.json": [{ type: "message", key: GO, user: U, group: U, groupType: "group", kind: "text", text: "Hello, world", redelivery: true, replyToken: null }],
  "line-sdkgo-split-02-message-text.json": [{ type: "message", key: GO, user: U, group: U, kind: "text", text: "@openProfileUser Hello. @notOpenProfileUser Hello." }],
  "line-sdkgo-split-03-message-image.json": [{ type: "message", key: GO, user: U, kind: "image", platformMessageId: "325708" }],
  "line-sdkgo-split-04-message-image.json": [{ type: "message", key: GO, user: U, kind: "image", platformMessageId: "354718705033693861", replyToken: "nHuyWiB7yP5Zw52FIkcQobQuGDXCTAA" }],
  "line-sdkgo-split-05-message-video.json": [{ type: "message", key: GO, user: U, kind: "video" }],
  "line-sdkgo-split-06-message-audio.json": [{ type: "message", key: GO, user: U, kind: "audio" }],
  "line-sdkgo-split-07-message-file.json": [{ type: "message", key: GO, user: U, kind: "file" }],
  "line-sdkgo-split-08-message-location.json": [{ type: "message", key: GO, user: U, kind: "location" }],
  "line-sdkgo-split-09-message-sticker.json": [{ type: "message", key: GO, user: U, kind: "sticker" }],
  "line-sdkgo-split-10-message-sticker.json": [{ type: "message", key: GO, user: U, kind: "sticker" }],
  "line-sdkgo-split-11-message-sticker.json": [{ type: "message", key: GO, user: U, kind: "sticker", platformMessageId: "3257088" }],
  "line-sdkgo-split-12-follow.json": [{ type: "follow", key: GO, user: U }],
  "line-sdkgo-split-13-unfollow.json": [{ type: "unfollow", key: GO, user: U }],
  "line-sdkgo-split-14-join.json": [{ type: "group_join", key: GO, group: "cxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", groupType: "group" }],
  "line-sdkgo-split-15-leave.json": [{ type: "group_leave", key: GO, group: "cxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", groupType: "group" }],
  "line-sdkgo-split-16-postback.json": [{ type: "postback", key: GO, user: U, data: "action=buyItem&itemId=123123&color=red", source: "other", replyToken: RT }],
  "line-sdkgo-split-17-postback.json": [{ type: "postback", key: GO, user: U, data: "action=sel&only=date", source: "other" }],
  "line-sdkgo-split-18-postback.json": [{ type: "postback", key: GO, user: U, data: "action=sel&only=time", source: "other" }],
  "line-sdkgo-split-19-postback.json": [{ type: "postback", key: GO, user: U, data: "action=sel", source: "other" }],
  "line-sdkgo-split-20-postback.json": [{ type: "postback", key: GO, user: U, data: "action=richmenu-changed-to-a", source: "other" }],
  "line-sdkgo-split-21-beacon.json": [ign(/beacon/, { key: GO })],
  "line-sdkgo-split-22-beacon.json": [ign(/beacon/, { key: GO })],
  "line-sdkgo-split-23-beacon.json": [ign(/beacon/, { key: GO })],
  "line-sdkgo-split-24-accountLink.json": [ign(/accountLink/, { key: GO })],
  "line-sdkgo-split-25-memberJoined.json": [{ type: "members_joined", key: GO, group: "C4af498062901234567890123456789ab", groupType: "group", userIds: MEMBERS }],
  "line-sdkgo-split-26-memberLeft.json": [{ type: "members_left", key: GO, group: "C4af498062901234567890123456789ab", userIds: MEMBERS }],
  "line-sdkgo-split-27-message-text.json": [{ type: "message", key: GO, user: U, kind: "text", text: "Stand by me", replyToken: null }],
  "line-sdkgo-split-28-message-text.json": [{ type: "message", key: GO, user: U, kind: "text", text: "Hello, world! (love)" }],
  "line-sdkgo-split-29-unsend.json": [{ type: "unsend", key: GO, user: "U4af4980629...", group: "Ca56f94637c...", platformMessageId: "325708" }],
  "line-sdkgo-split-30-videoPlayComplete.json": [ign(/videoPlayComplete/, { key: GO })],
  "line-sdkgo-split-31-message-text.json": [{ type: "message", key: "01FZ74A0TDDPYRVKNK77XKC3ZR", user: "U4af4980629...", group: "Ca56f94637c...", kind: "text", text: "@All @example Good Morning!! (love)", platformMessageId: "444573844083572737" }],
  "line-sdkpy-split-00-message-text.json": [{ type: "message", key: PY, user: PU, kind: "text", text: "Hello, world", replyToken: RT }],
  "line-sdkpy-split-01-message-image.json": [{ type: "message", key: PY, user: "", group: "Ra8dbf4673c4c812cd491258042226c99", groupType: "room", kind: "image" }],
  "line-sdkpy-split-02-message-video.json": [{ type: "message", key: PY, user: PU, kind: "video" }],
  "line-sdkpy-split-03-message-audio.json": [{ type: "message", key: PY, user: PU, kind: "audio" }],
  "line-sdkpy-split-04-message-location.json": [{ type: "message", key: PY, user: PU, kind: "location" }],
  "line-sdkpy-split-05-message-sticker.json": [{ type: "message", key: PY, user: PU, kind: "sticker", text: "Just sticker" }],
  "line-sdkpy-split-06-follow.json": [{ type: "follow", key: PY, user: PU }],
  "line-sdkpy-split-07-unfollow.json": [{ type: "unfollow", key: PY, user: PU }],
  "line-sdkpy-split-08-join.json": [{ type: "group_join", key: PY, group: "Ca56f94637cc4347f90a25382909b24b9", groupType: "group" }],
  "line-sdkpy-split-09-leave.json": [{ type: "group_leave", key: PY, group: "Ca56f94637cc4347f90a25382909b24b9", groupType: "group" }],
  "line-sdkpy-split-10-postback.json": [{ type: "postback", key: PY, user: PU, data: "action=buyItem&itemId=123123&color=red", source: "other" }],
  "line-sdkpy-split-11-beacon.json": [ign(/beacon/, { key: PY })],
  "line-sdkpy-split-12-beacon.json": [ign(/beacon/, { key: PY })],
  "line-sdkpy-split-13-accountLink.json": [ign(/accountLink/, { key: PY })],
  "line-sdkpy-split-14-message-text.json": [{ type: "message", key: PY, user: PU, group: "Ca56f94637cc4347f90a25382909b24b9", groupType: "group", kind: "text", text: "Hello, world" }],
  "line-sdkpy-split-15-message-text.json": [{ type: "message", key: PY, user: PU, group: "Ra8dbf4673c4c812cd491258042226c99", groupType: "room", kind: "text", text: "Hello, world" }],
  "line-sdkpy-split-16-postback.json": [{ type: "postback", key: PY, user: PU, source: "other" }],
  "line-sdkpy-split-17-postback.json": [{ type: "postback", key: PY, user: PU, source: "other" }],
  "line-sdkpy-split-18-postback.json": [{ type: "postback", key: PY, user: PU, source: "other" }],
  "line-sdkpy-split-19-memberJoined.json": [{ type: "members_joined", key: PY, group: "C4af4980629...", userIds: ["U4af4980629...", "U91eeaf62d9..."] }],
  "line-sdkpy-split-20-memberLeft.json": [{ type: "members_left", key: PY, group: "C4af4980629...", userIds: ["U4af4980629...", "U91eeaf62d9..."] }],
  "line-sdkpy-split-21-message-file.json": [{ type: "message", key: PY, user: PU, kind: "file" }],
  "line-sdkpy-split-22-unsend.json": [{ type: "unsend", key: PY, user: PU, group: "Ca56f94637cc4347f90a25382909b24b9", platformMessageId: "325708" }],
  "line-sdkpy-split-23-videoPlayComplete.json": [ign(/videoPlayComplete/, { key: PY })],
  "line-sdkpy-split-24-message-image.json": [{ type: "message", key: PY, user: PU, kind: "image", platformMessageId: "354718705033693861", at: "2021-07-27T03:35:24.722Z" }],
  "line-sdkpy-split-25-message-text.json": [{ type: "message", key: PY, user: PU, kind: "text", text: "Hello, world", redelivery: true, replyToken: null }],
  "line-sdkpy-split-26-messageEdited-text.json": [{ type: "edit", key: PY, user: PU, platformMessageId: "325708", kind: "text", text: "Hello, edited world" }],
  "line-sdkpy-split-27-undefined.json": [ign(/undefined/, { key: PY, redelivery: true })],
};
const BATCHES: Record<string, string> = { "line-sdk-go-webhook-all-events.json": "line-sdkgo-split-", "line-sdk-python-webhook-all-events.json": "line-sdkpy-split-" };

const parse = (body: unknown): InboundEvent[] => parseLineWebhook(body, { now });
const entries = manifestFor("LINE");

describe("LINE payload replay (manifest.json)", () => {
  it("covers every LINE payload on disk and in the manifest", () => {
    const listed = entries.map((e) => e.file).sort();
    expect(filesWithPrefix("line-")).toEqual(listed);
    expect([...Object.keys(EXPECTED), ...Object.keys(BATCHES)].sort()).toEqual(listed);
  });

  for (const entry of entries.filter((e) => EXPECTED[e.file])) {
    it(`${entry.file}: ${entry.kind}`, () => {
      const events = parse(readJson(entry.file));
      const want = EXPECTED[entry.file];
      expect(events).toHaveLength(want.length);
      want.forEach((x, i) => expectEvent(events[i], x));
      const checks = checkAgainstManifest(entry, events[0]);
      if (!entry.dedupe.includes("per event")) expect(checks).toBeGreaterThan(0);
    });
  }

  for (const [batch, prefix] of Object.entries(BATCHES)) {
    it(`${batch}: every event equals its split file's event (parse coverage, not dedupe)`, () => {
      const events = parse(readJson(batch));
      const splits = filesWithPrefix(prefix);
      expect(events).toHaveLength(splits.length);
      splits.forEach((file, i) => expect(events[i], file).toEqual(parse(readJson(file))[0]));
    });
  }
});

describe("LINE event details", () => {
  it("legacy events without webhookEventId get a stable key that ignores key order", () => {
    const body = readJson("line-java-member-joined-legacy.json") as { events: Record<string, unknown>[] };
    const reversed = { events: body.events.map((e) => Object.fromEntries(Object.entries(e).reverse())) };
    const [a, b] = [parse(body)[0], parse(reversed)[0]];
    expect(a.eventKey).toMatch(/^line:[0-9a-f]{32}$/);
    expect(b.eventKey).toBe(a.eventKey);
    expect(parse(readJson("line-java-text-user-legacy.json"))[0].eventKey).toBe("line:message:325708");
  });

  it("drops emoji/mention offsets outside the text instead of crashing", () => {
    const [legacy] = parse(readJson("line-java-text-emojis-legacy.json"));
    expect(legacy.type === "message" && legacy.message.emojis).toBeFalsy(); // index 14 > 12-char text
    const [ok] = parse(readJson("line-sdkgo-split-28-message-text.json"));
    expect(ok.type === "message" && ok.message.emojis).toEqual([{ index: 14, length: 6, productId: "5ac1bfd5040ab15980c9b435", emojiId: "001" }]);
  });

  it("GROUP-51: keeps mentions; @All sets mentionsAll, a withheld userId does not", () => {
    const [m] = parse(readJson("line-java-text-mention-legacy.json"));
    if (m.type !== "message") throw new Error(m.type);
    expect(m.message.mentions).toEqual([{ index: 13, length: 6, userId: "U12345678901234567890123456780" }, { index: 24, length: 5 }]);
    expect(m.message.extra?.mentionsAll).toBe(true);
    const [w] = parse(readJson("line-sdkgo-split-02-message-text.json"));
    if (w.type !== "message") throw new Error(w.type);
    expect(w.message.mentions?.[1]).toEqual({ index: 24, length: 16 });
    expect(w.message.extra?.mentionsAll).toBeUndefined();
  });

  it("GROUP-52: a mention of the official account keeps isSelf", () => {
    const body = { events: [{ type: "message", webhookEventId: "E1", timestamp: 1, source: { type: "group", groupId: "C1", userId: "U1" }, message: { id: "1", type: "text", text: "@Brand hi", mention: { mentionees: [{ index: 0, length: 6, type: "user", userId: "Ubot", isSelf: true }] } } }] };
    const [e] = parse(body);
    expect(e.type === "message" && e.message.mentions).toEqual([{ index: 0, length: 6, userId: "Ubot", isSelf: true }]);
  });

  it("ADV-6: quotedMessageId becomes quotedPlatformMessageId (text and sticker)", () => {
    for (const message of [
      { id: "2", type: "text", text: "yes", quoteToken: "q", quotedMessageId: "468789577898262530" },
      { id: "2", type: "sticker", packageId: "1", stickerId: "2", stickerResourceType: "STATIC", quoteToken: "q", quotedMessageId: "468789577898262530" },
    ]) {
      const [e] = parse({ events: [{ type: "message", webhookEventId: "E2", timestamp: 1, source: { type: "user", userId: "U1" }, message }] });
      expectEvent(e, { type: "message", quoted: "468789577898262530" });
      expect(e.type === "message" && e.message.extra?.quoteToken).toBe("q");
    }
  });

  it("LIFE-22: classifies postbacks from inbox-configured rich menus and bot cards", () => {
    expect(classifyLinePostback("parley:bot_card:42")).toBe("rich_menu_bot_card");
    expect(classifyLinePostback("parley:text_button:hours")).toBe("rich_menu_text_inbox");
    expect(classifyLinePostback("parley:human")).toBe("request_human");
    expect(classifyLinePostback("action=buyItem")).toBe("other");
    expect(classifyLinePostback("xparley:bot_card")).toBe("other");
    const [e] = parse({ events: [{ type: "postback", webhookEventId: "E3", timestamp: 1, replyToken: "r", source: { type: "user", userId: "U1" }, postback: { data: "parley:bot_card:7" } }] });
    expectEvent(e, { type: "postback", source: "rich_menu_bot_card", data: "parley:bot_card:7", replyToken: "r" });
  });

  it("LIFE-23: an unknown message type from a known user is an unsupported placeholder", () => {
    const [e] = parse({ events: [{ type: "message", webhookEventId: "E4", timestamp: 1, source: { type: "user", userId: "U1" }, message: { id: "9", type: "unknownunknownuknown" } }] });
    expectEvent(e, { type: "message", kind: "unsupported", platformMessageId: "9" });
  });

  it("media: line-hosted content is fetched by message id, external content keeps its URL", () => {
    const [line] = parse(readJson("line-sdkgo-split-06-message-audio.json"));
    expect(line.type === "message" && line.message.media).toEqual({ platformMediaId: "325708", durationMs: 60000 });
    const [ext] = parse(readJson("line-sdkgo-split-05-message-video.json"));
    expect(ext.type === "message" && ext.message.media).toEqual({ url: "https://example.com/original.mp4", durationMs: 60000 });
    const [file] = parse(readJson("line-sdkgo-split-07-message-file.json"));
    expect(file.type === "message" && file.message.media).toEqual({ platformMediaId: "325708", fileName: "file.txt", size: 2138 });
    const [loc] = parse(readJson("line-sdkpy-split-04-message-location.json"));
    expect(loc.type === "message" && loc.message.location).toEqual({ latitude: 35.65910807942215, longitude: 139.70372892916203, title: "my location", address: "Tokyo" });
    const [st] = parse(readJson("line-sdkgo-split-10-message-sticker.json"));
    expect(st.type === "message" && st.message.sticker).toEqual({ packageId: "1", stickerId: "3", animated: true });
  });

  it("the console Verify request and odd bodies yield no events; timestamps fall back to the clock", () => {
    expect(parse({ destination: "U0", events: [] })).toEqual([]);
    expect(parse(null)).toEqual([]);
    expect(parse({ events: "nope" })).toEqual([]);
    const [e] = parse({ events: [{ type: "follow", webhookEventId: "E5", source: { type: "user", userId: "U1" } }] });
    expectEvent(e, { type: "follow", at: "2030-01-01T00:00:00.000Z" });
    expectEvent(parse({ events: [42] })[0], { type: "ignored" });
  });
});

describe("LINE signature (x-line-signature)", () => {
  const raw = readRaw("line-signed-group-text-emoji-sdk-nodejs.json");
  const secret = "test_channel_secret";
  const header = "eRdWYcVCzZV3MVZ3M9/rHJCl/a3oSbsRb04cLovpVwM=";

  it("accepts the SDK's signed fixture (UTF-8 non-BMP emoji in the signed bytes)", () => {
    expect(verifyLineSignature(raw, header, secret)).toBe(true);
    expect(createHmac("sha256", secret).update(raw).digest("base64")).toBe(header);
  });
  it("rejects one altered body byte", () => {
    const altered = Buffer.from(raw);
    altered[10] ^= 0x01;
    expect(verifyLineSignature(altered, header, secret)).toBe(false);
  });
  it("rejects the same JSON re-serialised (the signature covers the raw bytes)", () => {
    const pretty = Buffer.from(JSON.stringify(JSON.parse(raw.toString("utf8")), null, 1));
    expect(verifyLineSignature(pretty, header, secret)).toBe(false);
  });
  it("rejects an altered signature, a missing header and a wrong secret", () => {
    expect(verifyLineSignature(raw, "f" + header.slice(1), secret)).toBe(false);
    expect(verifyLineSignature(raw, undefined, secret)).toBe(false);
    expect(verifyLineSignature(raw, "", secret)).toBe(false);
    expect(verifyLineSignature(raw, header, "wrong_secret")).toBe(false);
    expect(verifyLineSignature(raw, header, "")).toBe(false);
  });
  it("rejects malformed headers without throwing", () => {
    for (const h of ["not base64!!", header.slice(0, -4), header + "AAAA", `sha256=${header}`, " ", "\u0000"]) {
      expect(verifyLineSignature(raw, h, secret)).toBe(false);
    }
    expect(verifyLineSignature("body" as unknown as Buffer, header, secret)).toBe(false);
    expect(verifyLineSignature(raw, ["a"] as unknown as string, secret)).toBe(false);
  });
});

describe("LINE parser fuzz", () => {
  const wellFormed = (events: InboundEvent[]): boolean =>
    Array.isArray(events) && events.every((e) => typeof e.eventKey === "string" && e.eventKey !== "" && e.at instanceof Date && !Number.isNaN(e.at.getTime()));

  it("never throws on arbitrary JSON and always returns well-formed events", () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => wellFormed(parse(v))), { numRuns: 500 });
    fc.assert(fc.property(fc.anything(), (v) => wellFormed(parse(v))), { numRuns: 300 });
  });

  it("never throws on LINE-shaped events with random fields, and returns one event per input event", () => {
    const anyV = fc.jsonValue({ maxDepth: 2 });
    const source = fc.oneof(anyV, fc.record({ type: fc.constantFrom("user", "group", "room", "x"), userId: fc.oneof(fc.string(), anyV), groupId: fc.oneof(fc.string(), anyV), roomId: fc.string() }, { requiredKeys: [] }));
    const message = fc.oneof(anyV, fc.record({
      id: fc.oneof(fc.string(), anyV), type: fc.constantFrom("text", "image", "video", "audio", "file", "sticker", "location", "zzz"),
      text: fc.oneof(fc.string(), anyV), emojis: fc.oneof(anyV, fc.array(fc.record({ index: fc.integer(), length: fc.integer(), productId: fc.string(), emojiId: fc.string() }))),
      mention: fc.oneof(anyV, fc.record({ mentionees: fc.array(fc.record({ index: fc.integer(), length: fc.integer(), type: fc.constantFrom("user", "all"), userId: fc.string() }, { requiredKeys: [] })) })),
      contentProvider: anyV, quotedMessageId: anyV, latitude: anyV, longitude: anyV, packageId: anyV, fileSize: anyV, duration: anyV,
    }, { requiredKeys: [] }));
    const event = fc.record({
      type: fc.constantFrom("message", "messageEdited", "follow", "unfollow", "postback", "unsend", "join", "leave", "memberJoined", "memberLeft", "beacon", "nope"),
      source, message, timestamp: fc.oneof(fc.integer(), fc.double(), fc.string(), anyV), webhookEventId: fc.oneof(fc.string(), anyV),
      deliveryContext: anyV, mode: fc.constantFrom("active", "standby"), replyToken: anyV, postback: anyV, unsend: anyV, joined: anyV, left: anyV,
    }, { requiredKeys: ["type"] });
    fc.assert(fc.property(fc.array(fc.oneof(event, anyV), { maxLength: 5 }), (events) => {
      const out = parse({ destination: "U1", events });
      return wellFormed(out) && out.length === events.length;
    }), { numRuns: 1000 });
  });

  it("signature check never throws on random headers and bodies", () => {
    fc.assert(fc.property(fc.uint8Array(), fc.string(), fc.string(), (b, h, s) => verifyLineSignature(Buffer.from(b), h, s) === false));
  });
});
