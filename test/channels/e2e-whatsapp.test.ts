/**
 * WhatsApp Cloud API end to end through the WhatsApp simulator: messages and
 * statuses in (signed), /{phone-number-id}/messages out, the 24 h window both
 * as a synchronous error and as Meta's usual asynchronous `failed` status.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WhatsAppSimulator } from "../../src/channels/whatsapp/simulator.js";
import { whatsAppAdapter } from "../../src/channels/whatsapp/adapter.js";
import { hubSignature, metaJson } from "../../src/channels/simulator-kit.js";
import { startE2E, postUnsigned, type E2E } from "./e2e-support.js";

const APP_SECRET = "wa-app-secret";
const TOKEN = "wa-system-user-token";
const VERIFY = "wa-verify";

let e: E2E;
let sim: WhatsAppSimulator;
let channelId: string;
let creds: Record<string, string>;

beforeAll(async () => {
  e = await startE2E();
  sim = await WhatsAppSimulator.start({ appSecret: APP_SECRET, accessToken: TOKEN, now: () => e.t.clock.now() });
  creds = { appSecret: APP_SECRET, accessToken: TOKEN, verifyToken: VERIFY, phoneNumberId: sim.phoneNumberId, graphBaseUrl: sim.baseUrl };
  channelId = await e.createChannel("whatsapp", creds);
  sim.webhookUrl = `${e.origin}/webhooks/whatsapp/${channelId}`;
});
afterAll(async () => {
  await sim?.close();
  await e?.close();
});

async function customer(text = "我的訂單到哪了?") {
  const waId = sim.newUserId();
  const r = await sim.text(waId, text, { name: "王小明" });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const conv = await e.conversationOf(channelId, waId);
  expect(conv).toBeDefined();
  return { waId, conv: conv!.id, wamid: r.wamid, first: r };
}

async function sentReply(conv: string, text: string) {
  const msg = await e.reply(conv, text);
  await e.t.app.worker.drain();
  const m = await e.message(conv, msg.id);
  expect(m.status).toBe("sent");
  return m;
}

describe("WhatsApp through the simulator", () => {
  it("GET handshake echoes hub.challenge with the verify token only", async () => {
    const ok = await fetch(`${sim.webhookUrl}?hub.mode=subscribe&hub.verify_token=${VERIFY}&hub.challenge=42`);
    expect([ok.status, await ok.text()]).toEqual([200, "42"]);
    expect((await fetch(`${sim.webhookUrl}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=42`)).status).toBe(403);
  });

  it("LIFE-14 row 8: a customer text opens a pending conversation named after the WhatsApp profile", async () => {
    const { waId, conv, wamid } = await customer("我的訂單到哪了?");
    expect(await e.conversationOf(channelId, waId)).toMatchObject({ state: "pending", queue: "human" });
    expect((await e.messages(conv))[0]).toMatchObject({ kind: "text", text: "我的訂單到哪了?", platformMessageId: wamid });
    const c = await e.w.get(e.w.tokens.admin, `/api/conversations/${conv}`);
    expect(JSON.stringify(c)).toContain("王小明");
  });

  it("STAT-1, STAT-3: the reply is POSTed to /{phone-number-id}/messages and becomes sent with the wamid", async () => {
    const { waId, conv } = await customer();
    const msg = await e.reply(conv, "明天送達");
    await e.t.app.worker.drain();
    const req = sim.sends.at(-1)!;
    expect(req.path).toBe(`/v23.0/${sim.phoneNumberId}/messages`);
    expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req.body).toEqual({ messaging_product: "whatsapp", recipient_type: "individual", to: waId, type: "text", text: { body: "明天送達", preview_url: false } });
    expect(await e.message(conv, msg.id)).toMatchObject({ status: "sent", platformMessageId: req.platformMessageId });
  });

  it("STAT-4, STAT-5: statuses sent → delivered → read move the message to received, then read", async () => {
    const { conv } = await customer();
    const m = await sentReply(conv, "狀態測試");
    expect((await sim.status(m.platformMessageId, "sent")).status).toBe(200);
    expect((await e.message(conv, m.id)).status).toBe("sent");
    await sim.status(m.platformMessageId, "delivered");
    expect((await e.message(conv, m.id)).status).toBe("received");
    await sim.status(m.platformMessageId, "read");
    expect((await e.message(conv, m.id)).status).toBe("read");
  });

  it("STAT-9: read arriving before delivered leaves the message read; a redelivered status changes nothing", async () => {
    const { conv } = await customer();
    const m = await sentReply(conv, "亂序");
    const read = await sim.status(m.platformMessageId, "read");
    await sim.status(m.platformMessageId, "delivered");
    expect((await e.message(conv, m.id)).status).toBe("read");
    const keys = await e.count("webhook_events", channelId);
    await sim.kit.resend(read);
    expect(await e.count("webhook_events", channelId)).toBe(keys);
  });

  it("a status for a message the inbox did not send is recorded as unmatched and changes nothing", async () => {
    const r = await sim.status("wamid.not-ours", "delivered");
    expect(r.status).toBe(200);
    const row = await e.t.app.ctx.db.selectFrom("webhook_events").select("error").where("channel_id", "=", channelId).where("event_key", "=", "wamid.not-ours:delivered").executeTakeFirst();
    expect(row?.error).toBe("no outbound message with this platform id");
  });

  it("STAT-8: a reply accepted at 23 h 59 min but sent after the window closed (a retry) is accepted by Meta, then failed by status 131047", async () => {
    const { conv } = await customer();
    e.t.clock.advance(24 * 3_600_000 - 60_000);
    sim.failNext("server_error");
    const msg = await e.reply(conv, "超過 24 小時");
    await e.t.app.worker.drain();
    e.t.clock.advance(5 * 60_000);
    await e.t.app.worker.drain();
    const m = await e.message(conv, msg.id);
    expect(m.status).toBe("sent");
    const [failed] = await sim.reportWindowFailures();
    expect(failed.status).toBe(200);
    expect(await e.message(conv, m.id)).toMatchObject({ status: "failed", statusReason: "131047: Re-engagement message" });
  });

  it("ADV-33: after 24 h the inbox refuses a free-form WhatsApp reply with the template hint, without calling Meta", async () => {
    const { conv } = await customer();
    e.t.clock.advance(25 * 3_600_000);
    const sends = sim.sends.length;
    const r = await e.t.req("POST", `/api/conversations/${conv}/messages`, { token: e.w.tokens.agent, body: { text: "哈囉" } });
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: "window_closed", message: "顧客最後訊息已超過24小時,請使用訊息範本" });
    expect(sim.sends.length).toBe(sends);
  });

  it("STAT-13: a synchronous 131047 fails the message at once with Meta's code and text", async () => {
    const { conv } = await customer();
    sim.failNext("window_closed");
    const msg = await e.reply(conv, "同步錯誤");
    await e.t.app.worker.drain();
    expect(await e.message(conv, msg.id)).toMatchObject({ status: "failed", statusReason: "131047: (#131047) Re-engagement message" });
  });

  it("STAT-13: a recipient outside the allowed list (131030) fails as invalid recipient", async () => {
    const { conv } = await customer();
    sim.failNext("invalid_recipient");
    const msg = await e.reply(conv, "收件人錯誤");
    await e.t.app.worker.drain();
    expect(await e.message(conv, msg.id)).toMatchObject({ status: "failed", statusReason: "131030: (#131030) Recipient phone number not in allowed list" });
  });

  it("STAT-2: a 5xx and then a throughput limit (130429) are retried; the message is sent on a later drain", async () => {
    const { conv } = await customer();
    sim.failNext("server_error");
    sim.failNext("rate_limited", 1, { retryAfterSeconds: 20 });
    const msg = await e.reply(conv, "重試");
    await e.t.app.worker.drain();
    e.t.clock.advance(5_000);
    await e.t.app.worker.drain();
    expect((await e.message(conv, msg.id)).status).toBe("sending");
    e.t.clock.advance(21_000);
    await e.t.app.worker.drain();
    expect(sim.sends.slice(-3).map((r) => r.status)).toEqual([500, 400, 200]);
    expect((await e.message(conv, msg.id)).status).toBe("sent");
  });

  it("a bad signature is 401 and stores nothing; a change for another phone number is not this channel's", async () => {
    const keys = await e.count("webhook_events", channelId);
    const forged = await sim.text(sim.newUserId(), "假的", { secret: "wrong" });
    expect(forged.status).toBe(401);
    expect(forged.body).toMatchObject({ error: { code: "invalid_signature" } });
    expect((await postUnsigned(sim.webhookUrl, forged.raw)).status).toBe(401);
    expect(await e.count("webhook_events", channelId)).toBe(keys);

    const convs = await e.count("conversations", channelId);
    const raw = metaJson({ object: "whatsapp_business_account", entry: [{ id: sim.wabaId, changes: [{ field: "messages", value: { messaging_product: "whatsapp", metadata: { display_phone_number: "15550000000", phone_number_id: "111111111111111" }, contacts: [{ profile: { name: "X" }, wa_id: "886900000000" }], messages: [{ from: "886900000000", id: "wamid.other", timestamp: "1772416800", type: "text", text: { body: "hi" } }] } }] }] });
    expect((await sim.kit.postWebhook(raw, { "x-hub-signature-256": hubSignature(APP_SECRET, raw) })).status).toBe(200);
    expect(await e.count("conversations", channelId)).toBe(convs);
  });

  it("ADV (customer quoted reply), LIFE-14 row 9: a reply quoting our message links to it; image, sticker and button replies are stored", async () => {
    const { waId, conv } = await customer();
    const m = await sentReply(conv, "請選擇");
    await sim.text(waId, "這個", { replyTo: m.platformMessageId });
    await sim.image(waId, "照片說明");
    await sim.sticker(waId);
    await sim.buttonReply(waId, "opt-1", "選項一");
    const inbound = (await e.messages(conv)).filter((x) => x.direction === "in");
    expect(inbound.map((x) => x.kind)).toEqual(["text", "text", "image", "sticker", "postback"]);
    expect(inbound[1].quotedMessageId).toBe(m.id);
    expect(inbound[2].text).toBe("照片說明");
  });

  it("the adapter builds the Cloud API bodies: quoted reply (context), image by link, document, template", async () => {
    const { waId, wamid } = await customer();
    const send = (msg: any) => whatsAppAdapter.send({ id: randomUUID(), recipientUserId: waId, ...msg }, creds);
    await send({ message: { kind: "text", text: "回覆您這則" }, quotedPlatformMessageId: wamid });
    await send({ message: { kind: "image", text: "新品", media: { url: "https://cdn.example/new.jpg" } } });
    await send({ message: { kind: "file", media: { url: "https://cdn.example/invoice.pdf", fileName: "invoice.pdf" } } });
    const res = await send({ message: { kind: "template" }, template: { name: "order_update", language: "zh_TW", components: [{ type: "body", parameters: [{ type: "text", text: "A123" }] }] } });
    const base = { messaging_product: "whatsapp", recipient_type: "individual", to: waId };
    expect(sim.sends.slice(-4).map((r) => r.body)).toEqual([
      { ...base, context: { message_id: wamid }, type: "text", text: { body: "回覆您這則", preview_url: false } },
      { ...base, type: "image", image: { link: "https://cdn.example/new.jpg", caption: "新品" } },
      { ...base, type: "document", document: { link: "https://cdn.example/invoice.pdf", filename: "invoice.pdf" } },
      { ...base, type: "template", template: { name: "order_update", language: { code: "zh_TW" }, components: [{ type: "body", parameters: [{ type: "text", text: "A123" }] }] } },
    ]);
    expect(res.platformMessageId).toMatch(/^wamid\./);
    const bad = await whatsAppAdapter.send({ id: randomUUID(), recipientUserId: waId, message: { kind: "text", text: "x" } }, { ...creds, accessToken: "expired" }).catch((x: unknown) => x);
    expect(bad).toMatchObject({ kind: "auth_revoked", code: "190" });
  });
});
