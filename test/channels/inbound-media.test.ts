/**
 * Inbound media end to end: a customer's image/file arrives by webhook (the
 * platform only names it), the fetch_media job queued with the message
 * downloads it through the adapter from the simulator, keeps the bytes in
 * media_files and points the message at /media/<id>/<token>. Retries,
 * gone media, redeliveries, and content the inbox cannot show (MEDIA-16,
 * MEDIA-20, MEDIA-21).
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LineSimulator } from "../../src/channels/line/simulator.js";
import { MetaSimulator } from "../../src/channels/meta/simulator.js";
import { WhatsAppSimulator } from "../../src/channels/whatsapp/simulator.js";
import { TINY_PNG } from "../../src/channels/simulator-kit.js";
import { parseLineWebhook } from "../../src/channels/line/webhook.js";
import { fetchLineMedia } from "../../src/channels/line/adapter.js";
import { checkDownloadUrl, downloadMedia } from "../../src/channels/media-download.js";
import { enqueue } from "../../src/jobs/queue.js";
import { MAX_INBOUND_MEDIA_BYTES, MEDIA_PLACEHOLDER } from "../../src/domain/inbound-media.js";
import { storeInboundMedia } from "../../src/usecases/store-inbound-media.js";
import type { RealtimeEvent } from "../../src/realtime/events.js";
import { startE2E, type E2E } from "./e2e-support.js";

const LINE_TOKEN = "line-media-token";
const WA_TOKEN = "wa-media-token";
const META_TOKEN = "meta-media-token";
const MEDIA_URL = /^http:\/\/parley\.test\/media\/[0-9a-f-]{36}\/[A-Za-z0-9_-]{20,}$/;

let e: E2E;
let line: LineSimulator;
let wa: WhatsAppSimulator;
let fb: MetaSimulator;
let ig: MetaSimulator;
const ch = { line: "", wa: "", fb: "", ig: "" };

beforeAll(async () => {
  e = await startE2E();
  const now = () => e.t.clock.now();
  line = await LineSimulator.start({ channelSecret: "line-media-secret", channelAccessToken: LINE_TOKEN, now });
  ch.line = await e.createChannel("line", { channelSecret: "line-media-secret", channelAccessToken: LINE_TOKEN, apiBaseUrl: line.baseUrl, dataApiBaseUrl: line.baseUrl });
  line.webhookUrl = `${e.origin}/webhooks/line/${ch.line}`;
  wa = await WhatsAppSimulator.start({ appSecret: "wa-media-secret", accessToken: WA_TOKEN, now });
  ch.wa = await e.createChannel("whatsapp", { appSecret: "wa-media-secret", accessToken: WA_TOKEN, verifyToken: "v", phoneNumberId: wa.phoneNumberId, graphBaseUrl: wa.baseUrl });
  wa.webhookUrl = `${e.origin}/webhooks/whatsapp/${ch.wa}`;
  fb = await MetaSimulator.start({ platform: "messenger", appSecret: "fb-media-secret", accessToken: META_TOKEN, now });
  ch.fb = await e.createChannel("messenger", { appSecret: "fb-media-secret", accessToken: META_TOKEN, verifyToken: "v", pageId: fb.pageId, graphBaseUrl: fb.baseUrl });
  fb.webhookUrl = `${e.origin}/webhooks/meta/${ch.fb}`;
  ig = await MetaSimulator.start({ platform: "instagram", appSecret: "ig-media-secret", accessToken: META_TOKEN, now });
  ch.ig = await e.createChannel("instagram", { appSecret: "ig-media-secret", accessToken: META_TOKEN, verifyToken: "v", pageId: ig.pageId, graphBaseUrl: ig.baseUrl });
  ig.webhookUrl = `${e.origin}/webhooks/meta/${ch.ig}`;
});
afterAll(async () => {
  await Promise.all([line, wa, fb, ig].map((s) => s?.close()));
  await e?.close();
});

/** Bytes a JPEG decoder would start on (file-type reads the magic bytes), different every time. */
const jpeg = (n = 2048) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]), randomBytes(n), Buffer.from([0xff, 0xd9])]);

const drain = () => e.t.app.worker.drain();

/** The only message of a platform user's conversation. */
async function onlyMessage(channelId: string, userId: string) {
  const conv = await e.conversationOf(channelId, userId);
  expect(conv).toBeDefined();
  const msgs = await e.messages(conv!.id);
  expect(msgs).toHaveLength(1);
  return { conv: conv!, message: msgs[0] };
}

async function reload(m: { id: string; conversationId: string }) {
  return e.message(m.conversationId, m.id);
}

/** GET /media/<id>/<token> as a browser or platform would. */
async function served(url: string) {
  const res = await e.t.app.server.inject({ method: "GET", url: new URL(url).pathname });
  return { status: res.statusCode, type: res.headers["content-type"], disposition: String(res.headers["content-disposition"] ?? ""), bytes: res.rawPayload };
}

async function jobsOf(messageId: string) {
  const rows = await e.t.app.ctx.db.selectFrom("jobs").select(["id", "status", "attempts", "last_error", "payload"]).where("queue", "=", "fetch_media").execute();
  return rows.filter((r) => (typeof r.payload === "string" ? JSON.parse(r.payload) : r.payload).messageId === messageId);
}

async function mediaFiles(conversationId: string) {
  return e.t.app.ctx.db.selectFrom("media_files").select(["id", "kind", "mime_type", "size"]).where("conversation_id", "=", conversationId).execute();
}

/** Records the realtime events published while `fn` runs. */
async function capture(fn: () => Promise<unknown>): Promise<RealtimeEvent[]> {
  const ctx = e.t.app.ctx;
  const original = ctx.publisher;
  const seen: RealtimeEvent[] = [];
  ctx.publisher = { publish: (evs) => (seen.push(...evs), original.publish(evs)) };
  try {
    await fn();
  } finally {
    ctx.publisher = original;
  }
  return seen;
}

describe("inbound media through the simulators", () => {
  it("LINE: an image is downloaded from api-data with the channel token, stored once, served at /media with its type, and message.updated is emitted", async () => {
    const user = line.newUserId();
    const bytes = jpeg();
    const r = await line.image(user, bytes);
    expect(r.status).toBe(200);
    const lineId = (r.events[0].message as { id: string }).id;
    const { conv, message } = await onlyMessage(ch.line, user);
    expect(message.kind).toBe("image");
    expect(message.content.media).toEqual({ platformMediaId: lineId });
    expect(await jobsOf(message.id)).toHaveLength(1);

    const events = await capture(drain);
    const m = await reload(message);
    expect(m.content.media).toMatchObject({ platformMediaId: lineId, mimeType: "image/jpeg", size: bytes.length, url: expect.stringMatching(MEDIA_URL) });
    expect(m.content.media.downloadError).toBeUndefined();
    const got = await served(m.content.media.url);
    expect(got.status).toBe(200);
    expect(got.type).toBe("image/jpeg");
    expect(got.bytes.equals(bytes)).toBe(true);

    const asked = line.downloads.filter((d) => d.path === `/v2/bot/message/${lineId}/content`);
    expect(asked).toHaveLength(1);
    expect(asked[0].headers.authorization).toBe(`Bearer ${LINE_TOKEN}`);
    expect(await mediaFiles(conv.id)).toEqual([expect.objectContaining({ kind: "image", mime_type: "image/jpeg", size: bytes.length })]);
    const updated = events.find((x) => x.name === "message.updated" && (x.data as any).message.id === message.id);
    expect(updated?.data).toMatchObject({ conversationId: conv.id, message: { content: { media: { url: m.content.media.url } } } });
  });

  it("LINE: a redelivered webhook does not download twice, and a re-run job finds the copy and does nothing", async () => {
    const user = line.newUserId();
    const r = await line.image(user); // the default tiny PNG
    const lineId = (r.events[0].message as { id: string }).id;
    expect((await line.redeliver(r.events)).status).toBe(200);
    const { conv, message } = await onlyMessage(ch.line, user);
    expect(await jobsOf(message.id)).toHaveLength(1);
    await drain();
    // The same job run again (a worker that died after storing): no download, no second row.
    await enqueue(e.t.app.ctx.db, null, "fetch_media", { messageId: message.id }, e.t.clock.now());
    await drain();
    expect(line.downloads.filter((d) => d.path === `/v2/bot/message/${lineId}/content`)).toHaveLength(1);
    expect(await mediaFiles(conv.id)).toHaveLength(1);
    const m = await reload(message);
    expect(m.content.media.mimeType).toBe("image/png");
    expect((await served(m.content.media.url)).bytes.equals(TINY_PNG)).toBe(true);
  });

  it("LINE: contentProvider external is downloaded from its originalContentUrl without the channel token", async () => {
    const user = line.newUserId();
    const bytes = jpeg();
    const r = await line.image(user, bytes, { external: true });
    const original = ((r.events[0].message as any).contentProvider as { originalContentUrl: string }).originalContentUrl;
    const { message } = await onlyMessage(ch.line, user);
    expect(message.content.media).toEqual({ url: original });
    await drain();
    const m = await reload(message);
    expect(m.content.media).toMatchObject({ url: expect.stringMatching(MEDIA_URL), sourceUrl: original, mimeType: "image/jpeg" });
    const asked = line.downloads.filter((d) => original.endsWith(d.path));
    expect(asked).toHaveLength(1);
    expect(asked[0].headers.authorization).toBeUndefined();
    expect((await served(m.content.media.url)).bytes.equals(bytes)).toBe(true);
  });

  it("LINE: a file keeps its name; a text file with no magic bytes is stored as text and served as a download", async () => {
    const user = line.newUserId();
    const bytes = Buffer.from("訂單編號,數量\nA001,2\n", "utf8");
    await line.media(user, "file", bytes, { fileName: "訂單.csv" });
    const { message } = await onlyMessage(ch.line, user);
    await drain();
    const m = await reload(message);
    expect(m.content.media).toMatchObject({ fileName: "訂單.csv", mimeType: "text/csv", size: bytes.length, url: expect.stringMatching(MEDIA_URL) });
    const got = await served(m.content.media.url);
    expect(got.type).toBe("text/csv");
    expect(got.disposition).toBe(`attachment; filename*=UTF-8''${encodeURIComponent("訂單.csv")}`);
    expect(got.bytes.equals(bytes)).toBe(true);
  });

  it("WhatsApp: media id → URL → download with the Bearer token; the copy serves the exact bytes", async () => {
    const waId = wa.newUserId();
    const bytes = jpeg();
    await wa.image(waId, "照片", bytes);
    const { message } = await onlyMessage(ch.wa, waId);
    const mediaId = message.content.media.platformMediaId as string;
    expect(message.content).toMatchObject({ kind: "image", text: "照片", media: { platformMediaId: expect.any(String), mimeType: "image/jpeg" } });
    await drain();
    const m = await reload(message);
    expect(m.content.media).toMatchObject({ platformMediaId: mediaId, mimeType: "image/jpeg", size: bytes.length, url: expect.stringMatching(MEDIA_URL) });
    const got = await served(m.content.media.url);
    expect(got.type).toBe("image/jpeg");
    expect(got.bytes.equals(bytes)).toBe(true);
    const lookup = wa.downloads.filter((d) => d.path === `/v23.0/${mediaId}`);
    const download = wa.downloads.filter((d) => d.path === "/whatsapp_business/attachments/" && d.query.get("mid") === mediaId);
    expect(lookup).toHaveLength(1);
    expect(download).toHaveLength(1);
    expect(lookup[0].headers.authorization).toBe(`Bearer ${WA_TOKEN}`);
    expect(download[0].headers.authorization).toBe(`Bearer ${WA_TOKEN}`);
  });

  it("WhatsApp: a rate-limited download waits for Retry-After before the next attempt", async () => {
    const waId = wa.newUserId();
    wa.failNextDownload("rate_limited", 1, { retryAfterSeconds: 60 });
    await wa.image(waId, undefined, jpeg());
    const { message } = await onlyMessage(ch.wa, waId);
    const attempts = () => wa.downloads.filter((d) => d.path === "/whatsapp_business/attachments/" && d.query.get("mid") === message.content.media.platformMediaId).length;
    await drain();
    expect(attempts()).toBe(1);
    expect((await reload(message)).content.media.url).toBeUndefined();
    e.t.clock.advance(30_000);
    await drain();
    expect(attempts()).toBe(1);
    e.t.clock.advance(31_000);
    await drain();
    expect(attempts()).toBe(2);
    expect((await reload(message)).content.media.url).toMatch(MEDIA_URL);
  });

  it("Messenger: the attachment URL is downloaded without the Page token; the platform URL is kept as sourceUrl", async () => {
    const psid = fb.newUserId();
    const bytes = jpeg();
    const r = await fb.image(psid, bytes);
    expect(r.status).toBe(200);
    const { message } = await onlyMessage(ch.fb, psid);
    const cdn = message.content.media.url as string;
    expect(cdn.startsWith(`${fb.baseUrl}/v/`)).toBe(true);
    await drain();
    const m = await reload(message);
    expect(m.content.media).toMatchObject({ url: expect.stringMatching(MEDIA_URL), sourceUrl: cdn, mimeType: "image/jpeg", size: bytes.length });
    const got = await served(m.content.media.url);
    expect(got.type).toBe("image/jpeg");
    expect(got.bytes.equals(bytes)).toBe(true);
    expect(fb.downloads).toHaveLength(1);
    expect(fb.downloads[0].headers.authorization).toBeUndefined();
  });

  it("a download failing with 5xx is retried after the clock advances", async () => {
    const user = line.newUserId();
    line.failNextDownload("server_error");
    const bytes = jpeg();
    const r = await line.image(user, bytes);
    const lineId = (r.events[0].message as { id: string }).id;
    const { message } = await onlyMessage(ch.line, user);
    const attempts = () => line.downloads.filter((d) => d.path === `/v2/bot/message/${lineId}/content`).length;
    await drain();
    expect(attempts()).toBe(1);
    expect((await reload(message)).content.media).toEqual({ platformMediaId: lineId });
    const [job] = await jobsOf(message.id);
    expect(job).toMatchObject({ status: "queued", attempts: 1, last_error: expect.stringContaining("500") });
    await drain(); // not due yet
    expect(attempts()).toBe(1);
    e.t.clock.advance(10_000);
    await drain();
    expect(attempts()).toBe(2);
    const m = await reload(message);
    expect(m.content.media).toMatchObject({ url: expect.stringMatching(MEDIA_URL), mimeType: "image/jpeg" });
    expect((await served(m.content.media.url)).bytes.equals(bytes)).toBe(true);
    expect((await jobsOf(message.id))[0].status).toBe("done");
  });

  it("a 404 from the platform marks the media as not downloadable, keeps the platform reference and does not retry", async () => {
    const user = line.newUserId();
    line.failNextDownload("not_found");
    const r = await line.image(user, jpeg());
    const lineId = (r.events[0].message as { id: string }).id;
    const { conv, message } = await onlyMessage(ch.line, user);
    await drain();
    const m = await reload(message);
    expect(m.content.media).toMatchObject({ platformMediaId: lineId, downloadError: "not_found", downloadErrorDetail: expect.stringContaining("404") });
    expect(m.content.media.url).toBeUndefined();
    expect(m.content.displayable).toBeUndefined(); // only Instagram photos become the MEDIA-16 placeholder
    expect(await mediaFiles(conv.id)).toHaveLength(0);
    expect((await jobsOf(message.id))[0]).toMatchObject({ status: "failed", attempts: 1 });
    e.t.clock.advance(3_600_000);
    await drain();
    expect(line.downloads.filter((d) => d.path === `/v2/bot/message/${lineId}/content`)).toHaveLength(1);
    // The conversation goes on: the next message is stored as usual.
    await line.text(user, "看得到嗎?");
    expect(await e.messages(conv.id)).toHaveLength(2);
  });

  it("a file over the inbound limit (100 MB) keeps only the platform reference, marked too_large", async () => {
    const user = line.newUserId();
    const r = await line.image(user, jpeg());
    const lineId = (r.events[0].message as { id: string }).id;
    const { conv, message } = await onlyMessage(ch.line, user);
    const out = await storeInboundMedia(e.t.app.ctx, message.id, { bytes: Buffer.alloc(MAX_INBOUND_MEDIA_BYTES + 1) });
    expect(out.status).toBe("too_large");
    const m = await reload(message);
    expect(m.content.media).toMatchObject({ platformMediaId: lineId, downloadError: "too_large" });
    expect(m.content.media.url).toBeUndefined();
    expect(await mediaFiles(conv.id)).toHaveLength(0);
    await drain(); // the queued job sees the mark and does not download
    expect(line.downloads.filter((d) => d.path === `/v2/bot/message/${lineId}/content`)).toHaveLength(0);
    // The adapter stops reading a download as soon as it passes the cap.
    await expect(downloadMedia(`${line.baseUrl}/external/none`, { trustedOrigins: [line.baseUrl], maxBytes: 10 })).rejects.toMatchObject({ kind: "content_rejected" });
    const big = await line.image(line.newUserId(), jpeg(), { external: true });
    const url = ((big.events[0].message as any).contentProvider as { originalContentUrl: string }).originalContentUrl;
    await expect(downloadMedia(url, { trustedOrigins: [line.baseUrl], maxBytes: 100 })).rejects.toMatchObject({ kind: "content_rejected", code: "too_large" });
  });

  it("a text message queues no download", async () => {
    const user = line.newUserId();
    await line.text(user, "只是文字");
    const { message } = await onlyMessage(ch.line, user);
    expect(await jobsOf(message.id)).toHaveLength(0);
  });

  it("MEDIA-16: an Instagram photo sent in 單次檢視 / 允許重播 mode is a placeholder image bubble, routed as media, never downloaded", async () => {
    for (const mode of ["view_once", "allow_replay"] as const) {
      const igsid = ig.newUserId();
      expect((await ig.photo(igsid, mode)).status).toBe(200);
      const { conv, message } = await onlyMessage(ch.ig, igsid);
      expect(message.kind).toBe("image");
      expect(message.content).toMatchObject({ displayable: false, placeholder: "無法顯示此圖片,請顧客以「保留在聊天室中」模式重新傳送", placeholderEn: MEDIA_PLACEHOLDER.instagramPhoto.en });
      expect(conv).toMatchObject({ state: "pending", queue: "human" }); // LIFE-14 row 9: a media message
      expect(await jobsOf(message.id)).toHaveLength(0);
    }
  });

  it("MEDIA-16: an Instagram photo in 保留在聊天室中 mode is downloaded; one whose content is gone becomes the placeholder", async () => {
    const kept = ig.newUserId();
    const bytes = jpeg();
    await ig.photo(kept, "keep_in_chat", bytes);
    const a = await onlyMessage(ch.ig, kept);
    await drain();
    const ok = await reload(a.message);
    expect(ok.content.displayable).toBeUndefined();
    expect(ok.content.media).toMatchObject({ url: expect.stringMatching(MEDIA_URL), mimeType: "image/jpeg" });
    expect((await served(ok.content.media.url)).bytes.equals(bytes)).toBe(true);

    const gone = ig.newUserId();
    ig.failNextDownload("not_found"); // the CDN link no longer serves the photo
    await ig.photo(gone, "keep_in_chat");
    const b = await onlyMessage(ch.ig, gone);
    const events = await capture(drain);
    const ko = await reload(b.message);
    expect(ko.kind).toBe("image");
    expect(ko.content).toMatchObject({ displayable: false, placeholder: MEDIA_PLACEHOLDER.instagramPhoto.zh, media: { downloadError: "not_found" } });
    expect(events.some((x) => x.name === "message.updated" && (x.data as any).message.id === ko.id)).toBe(true);
  });

  it("MEDIA-20: a LINE message sticker (text drawn in) is kept with the 無法顯示的貼圖 placeholder; a static sticker is displayable", async () => {
    const user = line.newUserId();
    await line.sticker(user, "11537", "52002734", { resourceType: "MESSAGE", text: "生日快樂" });
    await line.sticker(user, "446", "1988");
    const conv = await e.conversationOf(ch.line, user);
    const [shown, plain] = await e.messages(conv!.id);
    expect(shown.kind).toBe("sticker");
    expect(shown.text).toBe("生日快樂");
    expect(shown.content).toMatchObject({ displayable: false, placeholder: "無法顯示的貼圖", sticker: { packageId: "11537", stickerId: "52002734", displayable: false } });
    expect(plain.content.displayable).toBeUndefined();
    expect(plain.content.sticker.displayable).toBeUndefined();
    expect(await jobsOf(shown.id)).toHaveLength(0);
  });

  it("MEDIA-21: custom, name-text and sticker types LINE adds later (collages) cannot be displayed; animated and popup ones can", () => {
    const parse = (rt: string) => {
      const [ev] = parseLineWebhook({ events: [{ type: "message", webhookEventId: `E-${rt}`, timestamp: 1, source: { type: "user", userId: "U1" }, message: { id: `m-${rt}`, type: "sticker", packageId: "1", stickerId: "2", stickerResourceType: rt, quoteToken: "q" } }] });
      if (ev.type !== "message") throw new Error(ev.type);
      return ev.message;
    };
    for (const rt of ["CUSTOM", "MESSAGE", "NAME_TEXT", "PER_STICKER_TEXT", "COLLAGE"]) expect(parse(rt), rt).toMatchObject({ displayable: false, placeholder: MEDIA_PLACEHOLDER.lineSticker.zh });
    for (const rt of ["STATIC", "ANIMATION", "SOUND", "ANIMATION_SOUND", "POPUP", "POPUP_SOUND"]) expect(parse(rt).displayable, rt).toBeUndefined();
  });
});

describe("download safety", () => {
  it("only https URLs of public hosts are downloaded, except the channel's own (simulator) origins", () => {
    for (const bad of ["http://cdn.example.com/a.jpg", "https://127.0.0.1/a", "https://10.1.2.3/a", "https://[::1]/a", "https://192.168.0.9/a", "https://cdn.example/a", "https://x.localhost/a", "file:///etc/passwd", "https://u:p@cdn.com/a"]) {
      expect(() => checkDownloadUrl(bad), bad).toThrow();
    }
    expect(checkDownloadUrl("https://scontent.xx.fbcdn.net/v/t1.15752-9/1.jpg?oh=1").hostname).toBe("scontent.xx.fbcdn.net");
    expect(checkDownloadUrl(`${line.baseUrl}/v2/bot/message/1/content`, [line.baseUrl]).origin).toBe(line.baseUrl);
  });

  it("an attachment URL the inbox will not fetch (a reserved name) is marked refused and keeps its URL; an Instagram one is not the MEDIA-16 placeholder", async () => {
    for (const [sim, channelId] of [[fb, ch.fb], [ig, ch.ig]] as const) {
      const psid = sim.newUserId();
      await sim.image(psid, "https://scontent.example/img.jpg");
      const { message } = await onlyMessage(channelId, psid);
      await drain();
      const m = await reload(message);
      expect(m.content.media).toMatchObject({ url: "https://scontent.example/img.jpg", downloadError: "refused" });
      expect(m.content.displayable).toBeUndefined();
    }
  });

  it("the LINE adapter fetches content from apiBaseUrl when no dataApiBaseUrl is set (channels the simulator hub points at itself)", async () => {
    const r = await line.image(line.newUserId(), TINY_PNG);
    const id = (r.events[0].message as { id: string }).id;
    const got = await fetchLineMedia({ platformMediaId: id }, { channelAccessToken: LINE_TOKEN, apiBaseUrl: line.baseUrl });
    expect(got.bytes.equals(TINY_PNG)).toBe(true);
    expect(got.mimeType).toBe("image/png");
    await expect(fetchLineMedia({ platformMediaId: id }, { channelAccessToken: "wrong", apiBaseUrl: line.baseUrl })).rejects.toMatchObject({ kind: "auth_revoked" });
    await expect(fetchLineMedia({ platformMediaId: "nope" }, { channelAccessToken: LINE_TOKEN, apiBaseUrl: line.baseUrl })).rejects.toMatchObject({ kind: "content_rejected", code: "404" });
  });
});
