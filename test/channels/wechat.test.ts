import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseFlatXml, parseWeChatXml, verifyWeChatSignature } from "../../src/channels/wechat/webhook.js";
import { classifyWeChatSendError, weChatAdapter, weChatSendBody } from "../../src/channels/wechat/adapter.js";
import { PlatformError } from "../../src/channels/types.js";
import type { InboundEvent } from "../../src/channels/types.js";
import { checkAgainstManifest, expectEvent, filesWithPrefix, manifestFor, now, readRaw, type Expect } from "./fixtures.js";

const M = "1234567890123456";
const msg = (x: Partial<Expect>): Expect => ({ type: "message", key: M, user: "fromUser", platformMessageId: M, ...x });

/** What each WeChat payload must produce (manifest.json). */
const EXPECTED: Record<string, Expect[]> = {
  "wechat-event-menu-click.xml": [{ type: "postback", key: "FromUser:123456789:CLICK", user: "FromUser", data: "EVENTKEY", source: "other" }],
  "wechat-event-subscribe-qrscene.xml": [{ type: "follow", key: "FromUser:123456789:subscribe", user: "FromUser" }],
  "wechat-event-subscribe.xml": [{ type: "follow", key: "FromUser:123456789:subscribe", user: "FromUser", at: "1973-11-29T21:33:09.000Z" }],
  "wechat-event-unsubscribe.xml": [{ type: "unfollow", key: "FromUser:123456789:unsubscribe", user: "FromUser" }],
  "wechat-image.xml": [msg({ kind: "image" })],
  "wechat-link.xml": [msg({ kind: "text", text: "公众平台官网链接\nurl" })],
  "wechat-location.xml": [msg({ kind: "location" })],
  "wechat-text.xml": [msg({ kind: "text", text: "this is a test", at: "2012-09-28T11:31:00.000Z" })],
  "wechat-unknown-msgtype.xml": [msg({ kind: "unsupported" })],
  "wechat-video.xml": [msg({ kind: "video" })],
  "wechat-voice.xml": [msg({ kind: "audio" })],
};

const parse = (xml: string): InboundEvent[] => parseWeChatXml(xml, { now });
const read = (file: string) => readRaw(file).toString("utf8");
const first = (file: string) => parse(read(file))[0] as InboundEvent & Record<string, any>;
const entries = manifestFor("WeChat");
const push = (fields: string) => `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[oUser]]></FromUserName><CreateTime>1700000000</CreateTime>${fields}</xml>`;

describe("WeChat payload replay (manifest.json)", () => {
  it("covers every WeChat payload on disk and in the manifest", () => {
    const listed = entries.map((e) => e.file).sort();
    expect(filesWithPrefix("wechat-")).toEqual(listed);
    expect(Object.keys(EXPECTED).sort()).toEqual(listed);
  });

  for (const entry of entries) {
    it(`${entry.file}: ${entry.kind}`, () => {
      const events = parse(read(entry.file));
      const want = EXPECTED[entry.file];
      expect(events).toHaveLength(want.length);
      want.forEach((x, i) => expectEvent(events[i], x));
      expect(checkAgainstManifest(entry, events[0])).toBeGreaterThan(0);
    });
  }

  it("maps media ids, location (X = latitude) and link details", () => {
    expect(first("wechat-image.xml").message.media).toEqual({ platformMediaId: "media_id", url: "this is a url" });
    expect(first("wechat-voice.xml").message).toEqual({ kind: "audio", media: { platformMediaId: "media_id" }, extra: { format: "Format" } });
    expect(first("wechat-video.xml").message.extra).toEqual({ thumbMediaId: "thumb_media_id" });
    expect(first("wechat-location.xml").message.location).toEqual({ latitude: 23.134521, longitude: 113.358803, address: "位置信息" });
    expect(first("wechat-link.xml").message.extra.link).toEqual({ title: "公众平台官网链接", description: "公众平台官网链接", url: "url" });
  });
});

describe("WeChat events and messages", () => {
  it("voice recognition, shortvideo and events other than subscribe/unsubscribe/CLICK", () => {
    const voice = parse(push("<MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[m]]></MediaId><Format><![CDATA[amr]]></Format><Recognition><![CDATA[你好]]></Recognition><MsgId>1</MsgId>"))[0];
    expect(voice.type === "message" && voice.message.extra).toEqual({ format: "amr", recognition: "你好" });
    expectEvent(parse(push("<MsgType><![CDATA[shortvideo]]></MsgType><MediaId><![CDATA[m]]></MediaId><MsgId>2</MsgId>"))[0], { type: "message", kind: "video", key: "2" });
    expectEvent(parse(push("<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[SCAN]]></Event><EventKey><![CDATA[123]]></EventKey>"))[0], { type: "ignored", ignoredReason: /SCAN/ });
    expectEvent(parse(push("<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[CLICK]]></Event><EventKey><![CDATA[parley:bot_card:1]]></EventKey>"))[0], { type: "postback", source: "other", data: "parley:bot_card:1" });
  });

  it("a message and an event in the same second do not share a key; retries do", () => {
    const a = parse(push("<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event>"))[0];
    const b = parse(push("<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[CLICK]]></Event><EventKey>k</EventKey>"))[0];
    expect(a.eventKey).not.toBe(b.eventKey);
    expect(parse(push("<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event>"))[0].eventKey).toBe(a.eventKey);
  });

  it("safe-mode (encrypted) bodies, missing sender and non-XML input", () => {
    expectEvent(parse("<xml><ToUserName><![CDATA[gh]]></ToUserName><Encrypt><![CDATA[abc==]]></Encrypt></xml>")[0], { type: "ignored", ignoredReason: /encrypted/ });
    expectEvent(parse("<xml><MsgType>text</MsgType><Content>x</Content></xml>")[0], { type: "ignored", ignoredReason: /FromUserName/ });
    expect(parse("")).toEqual([]);
    expect(parse("{\"json\":true}")).toEqual([]);
    expect(parse(42 as unknown as string)).toEqual([]);
  });
});

describe("WeChat XML reader", () => {
  it("keeps CDATA verbatim, including markup and split ]]> sequences", () => {
    const f = parseFlatXml("<xml><Content><![CDATA[a </Content> <b>&amp;</b>]]></Content><X><![CDATA[p]]]]><![CDATA[>q]]></X></xml>");
    expect(f?.get("Content")).toBe("a </Content> <b>&amp;</b>");
    expect(f?.get("X")).toBe("p]]>q");
  });

  it("decodes only predefined and numeric entities; never expands DOCTYPE entities (XXE, billion laughs)", () => {
    const f = parseFlatXml('<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd"><!ENTITY y "boom">]><xml><A>&lt;a&gt; &#20320;&#x597D; &amp;amp;</A><B>&x;&y;</B></xml>');
    expect(f?.get("A")).toBe("<a> 你好 &amp;");
    expect(f?.get("B")).toBe("&x;&y;");
  });

  it("tolerates comments, self-closing, nested and unterminated elements, and odd tag names", () => {
    const f = parseFlatXml("<xml><!-- c --><Empty/><SendPicsInfo><Count>1</Count></SendPicsInfo><__proto__>p</__proto__><A>1</A><A>2</A><Open>never closed</xml>");
    expect(f?.get("Empty")).toBe("");
    expect(f?.get("SendPicsInfo")).toBe("<Count>1</Count>");
    expect(f?.get("__proto__")).toBe("p");
    expect(f?.get("A")).toBe("1"); // first wins
    expect(f?.has("Open")).toBe(false);
    expect(parseFlatXml("no root")).toBeNull();
    expect(parseFlatXml("</xml><xml>")).toBeNull();
  });
});

describe("WeChat signature", () => {
  const token = "parley";
  const query = { timestamp: "1700000000", nonce: "0042" };
  // sorted: "0042" < "1700000000" < "parley" — differs from the naive token+timestamp+nonce order.
  const signature = createHash("sha1").update("00421700000000parley").digest("hex");

  it("accepts the SHA-1 of the sorted [token, timestamp, nonce]", () => {
    expect(verifyWeChatSignature({ ...query, signature }, token)).toBe(true);
    expect(verifyWeChatSignature({ ...query, signature: signature.toUpperCase() }, token)).toBe(true);
  });
  it("rejects one altered byte, a missing signature and a wrong token", () => {
    const altered = (signature[0] === "a" ? "b" : "a") + signature.slice(1);
    expect(verifyWeChatSignature({ ...query, signature: altered }, token)).toBe(false);
    expect(verifyWeChatSignature({ ...query }, token)).toBe(false);
    expect(verifyWeChatSignature({ ...query, signature }, "other")).toBe(false);
    expect(verifyWeChatSignature({ ...query, signature }, "")).toBe(false);
  });
  it("rejects the unsorted concatenation, altered timestamp/nonce and array params", () => {
    const naive = createHash("sha1").update(token + query.timestamp + query.nonce).digest("hex");
    expect(verifyWeChatSignature({ ...query, signature: naive }, token)).toBe(false);
    expect(verifyWeChatSignature({ ...query, nonce: "0043", signature }, token)).toBe(false);
    expect(verifyWeChatSignature({ ...query, signature: [signature] }, token)).toBe(false);
    expect(verifyWeChatSignature(null as unknown as { signature: string }, token)).toBe(false);
  });
});

describe("WeChat parser fuzz", () => {
  const wellFormed = (events: InboundEvent[]): boolean =>
    Array.isArray(events) && events.every((e) => typeof e.eventKey === "string" && e.eventKey !== "" && e.at instanceof Date && !Number.isNaN(e.at.getTime()));

  it("never throws on random strings", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 300 }), (s) => wellFormed(parse(s))), { numRuns: 1000 });
    fc.assert(fc.property(fc.string(), (s) => wellFormed(parse(`<xml>${s}</xml>`))), { numRuns: 500 });
  });

  it("never throws on WeChat-shaped pushes with random field contents", () => {
    const name = fc.constantFrom("FromUserName", "CreateTime", "MsgType", "Content", "MsgId", "Event", "EventKey", "Location_X", "Location_Y", "MediaId", "Encrypt");
    const content = fc.oneof(fc.string({ unit: "binary" }), fc.constantFrom("text", "event", "image", "voice", "location", "link", "subscribe", "CLICK", "]]>", "<![CDATA[", "&#0;", "&#x110000;"));
    const field = fc.tuple(name, content, fc.boolean()).map(([n, c, cdata]) => `<${n}>${cdata ? `<![CDATA[${c}]]>` : c}</${n}>`);
    fc.assert(fc.property(fc.array(field, { maxLength: 8 }), (fields) => wellFormed(parse(`<xml>${fields.join("")}</xml>`))), { numRuns: 1000 });
  });

  it("returns CDATA content exactly, whatever it contains", () => {
    const text = fc.string({ unit: "binary" }).filter((s) => !s.includes("]]>"));
    fc.assert(fc.property(text, (t) => {
      const [e] = parse(push(`<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${t}]]></Content><MsgId>9</MsgId>`));
      return e.type === "message" && e.message.text === t;
    }), { numRuns: 500 });
  });

  it("signature check never throws", () => {
    fc.assert(fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string(), (q, t) => typeof verifyWeChatSignature(q, t) === "boolean"));
  });
});

describe("WeChat adapter", () => {
  it("maps WeChat errcodes to the platform error kinds", () => {
    const table: [number, PlatformError["kind"]][] = [
      [45015, "window_closed"], // response out of time limit (48 h)
      [45047, "window_closed"], // out of response count limit (5 per customer message)
      [45009, "rate_limited"],
      [-1, "temporary"],
      [40003, "invalid_recipient"],
      [43004, "invalid_recipient"], // require subscribe
      [40001, "auth_revoked"],
      [40014, "auth_revoked"],
      [42001, "auth_revoked"],
      [44004, "content_rejected"],
      [40008, "content_rejected"],
      [99999, "content_rejected"],
    ];
    for (const [code, kind] of table) expect([code, classifyWeChatSendError(code)]).toEqual([code, kind]);
  });

  it("builds the custom/send body; refuses a missing OpenID, empty text and media without media_id", () => {
    expect(weChatSendBody({ id: "m1", recipientUserId: "oUser", message: { kind: "text", text: "你好" } })).toEqual({ touser: "oUser", msgtype: "text", text: { content: "你好" } });
    expect(() => weChatSendBody({ id: "m1", recipientUserId: "", message: { kind: "text", text: "x" } })).toThrow(expect.objectContaining({ kind: "invalid_recipient" }));
    expect(() => weChatSendBody({ id: "m1", recipientUserId: "oUser", message: { kind: "text", text: "" } })).toThrow(expect.objectContaining({ code: "empty_text" }));
    expect(() => weChatSendBody({ id: "m1", recipientUserId: "oUser", message: { kind: "audio", media: { url: "https://x/a.amr" } } })).toThrow(expect.objectContaining({ code: "missing_media" }));
    expect(() => weChatSendBody({ id: "m1", recipientUserId: "oUser", message: { kind: "location", location: { latitude: 1, longitude: 2 } } })).toThrow(expect.objectContaining({ code: "unsupported_kind" }));
  });

  it("verify reads the signature from the query; challenge echoes echostr only when signed", () => {
    const token = "parley";
    const q = { timestamp: "1700000000", nonce: "0042", signature: createHash("sha1").update("00421700000000parley").digest("hex") };
    expect(weChatAdapter.verify({ rawBody: Buffer.from("<xml></xml>"), headers: {}, query: q }, { token })).toBe(true);
    expect(weChatAdapter.verify({ rawBody: Buffer.from("<xml></xml>"), headers: {} }, { token })).toBe(false);
    expect(weChatAdapter.verify({ rawBody: Buffer.alloc(0), headers: {}, query: q }, {})).toBe(false);
    expect(weChatAdapter.challenge!({ ...q, echostr: "5837" }, { token })).toBe("5837");
    expect(weChatAdapter.challenge!({ ...q, echostr: "5837" }, { token: "other" })).toBeNull();
    expect(weChatAdapter.challenge!(q, { token })).toBeNull();
    expect(weChatAdapter.parse({ rawBody: Buffer.from(readRaw("wechat-text.xml")), headers: {} }, {})).toHaveLength(1);
  });
});
