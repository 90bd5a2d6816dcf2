/**
 * Facebook Messenger end to end through the Meta simulator: signed webhooks
 * in, Send API requests out, delivery/read watermarks, the 24 h window.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MetaSimulator } from "../../src/channels/meta/simulator.js";
import { messengerAdapter } from "../../src/channels/meta/adapter.js";
import { startE2E, postUnsigned, type E2E } from "./e2e-support.js";

const APP_SECRET = "meta-app-secret";
const TOKEN = "page-access-token";
const VERIFY = "verify-me";
const HOUR = 3_600_000;

let e: E2E;
let sim: MetaSimulator;
let channelId: string;
let creds: Record<string, string>;

beforeAll(async () => {
  e = await startE2E();
  sim = await MetaSimulator.start({ platform: "messenger", appSecret: APP_SECRET, accessToken: TOKEN, now: () => e.t.clock.now() });
  creds = { appSecret: APP_SECRET, accessToken: TOKEN, verifyToken: VERIFY, pageId: sim.pageId, graphBaseUrl: sim.baseUrl };
  channelId = await e.createChannel("messenger", creds);
  sim.webhookUrl = `${e.origin}/webhooks/meta/${channelId}`;
});
afterAll(async () => {
  await sim?.close();
  await e?.close();
});

async function customer(text = "請問有貨嗎?") {
  const psid = sim.newUserId();
  const r = await sim.text(psid, text);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const conv = await e.conversationOf(channelId, psid);
  expect(conv).toBeDefined();
  return { psid, conv: conv!.id, mid: r.mid, first: r };
}

/** A reply the simulator accepted: [message DTO, Meta's mid]. */
async function sentReply(conv: string, text: string) {
  const msg = await e.reply(conv, text);
  await e.t.app.worker.drain();
  const m = await e.message(conv, msg.id);
  expect(m.status).toBe("sent");
  return m;
}

describe("Messenger through the simulator", () => {
  it("GET handshake echoes hub.challenge only with the channel's verify token", async () => {
    const url = `${e.origin}/webhooks/meta/${channelId}`;
    const ok = await fetch(`${url}?hub.mode=subscribe&hub.verify_token=${VERIFY}&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("1158201444");
    expect((await fetch(`${url}?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1`)).status).toBe(403);
    expect((await fetch(`${e.origin}/webhooks/meta/${randomUUID()}?hub.mode=subscribe&hub.verify_token=${VERIFY}&hub.challenge=1`)).status).toBe(404);
  });

  it("LIFE-14 row 8: a signed customer text opens a pending human-queue conversation", async () => {
    const { psid, conv, mid } = await customer("請問有貨嗎?");
    expect(await e.conversationOf(channelId, psid)).toMatchObject({ state: "pending", queue: "human" });
    expect((await e.messages(conv))[0]).toMatchObject({ direction: "in", kind: "text", text: "請問有貨嗎?", platformMessageId: mid });
  });

  it("STAT-1, STAT-3, ADV-19: a human reply is sent with the HUMAN_AGENT tag and becomes sent with Meta's message_id", async () => {
    const { psid, conv } = await customer();
    const msg = await e.reply(conv, "有的,歡迎下單");
    await e.t.app.worker.drain();
    const req = sim.sends.at(-1)!;
    expect(req.path).toBe("/v23.0/me/messages");
    expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req.body).toEqual({ recipient: { id: psid }, messaging_type: "MESSAGE_TAG", tag: "HUMAN_AGENT", message: { text: "有的,歡迎下單" } });
    expect(await e.message(conv, msg.id)).toMatchObject({ status: "sent", platformMessageId: req.platformMessageId });
  });

  it("STAT-4, STAT-5: a delivery watermark makes the reply received, a read watermark makes it read", async () => {
    const { psid, conv } = await customer();
    const m = await sentReply(conv, "已為您保留");
    e.t.clock.advance(1_000);
    expect((await sim.delivery(psid, { mids: [m.platformMessageId] })).status).toBe(200);
    expect((await e.message(conv, m.id)).status).toBe("received");
    e.t.clock.advance(1_000);
    await sim.read(psid);
    expect((await e.message(conv, m.id)).status).toBe("read");
  });

  it("STAT-9: a read receipt arriving before the delivery receipt leaves the message read", async () => {
    const { psid, conv } = await customer();
    const m = await sentReply(conv, "順序測試");
    const watermark = e.t.clock.advance(1_000).getTime();
    await sim.read(psid, { watermark });
    await sim.delivery(psid, { watermark });
    expect((await e.message(conv, m.id)).status).toBe("read");
  });

  it("a watermark covers only messages up to it; a reply still 發送中 is not touched", async () => {
    const { psid, conv } = await customer();
    const early = await sentReply(conv, "早的");
    const watermark = e.t.clock.now().getTime();
    e.t.clock.advance(60_000);
    const late = await sentReply(conv, "晚的");
    const pending = await e.reply(conv, "還沒送");
    await sim.read(psid, { watermark });
    expect((await e.message(conv, early.id)).status).toBe("read");
    expect((await e.message(conv, late.id)).status).toBe("sent");
    expect((await e.message(conv, pending.id)).status).toBe("sending");
    await e.t.app.worker.drain();
  });

  it("the echo of our own send is never a customer message; a redelivered webhook stores nothing new", async () => {
    const { psid, conv, first } = await customer();
    const m = await sentReply(conv, "回聲測試");
    const count = await e.count("messages", channelId);
    expect((await sim.echo(psid, m.platformMessageId, "回聲測試")).status).toBe(200);
    expect((await sim.kit.resend(first)).status).toBe(200);
    expect(await e.count("messages", channelId)).toBe(count);
    expect((await e.messages(conv)).filter((x) => x.direction === "in")).toHaveLength(1);
  });

  it("a bad or missing signature is refused with 401 and nothing is stored", async () => {
    const keys = await e.count("webhook_events", channelId);
    const forged = await sim.text(sim.newUserId(), "假的", { secret: "wrong" });
    expect(forged.status).toBe(401);
    expect(forged.body).toMatchObject({ error: { code: "invalid_signature" } });
    expect((await postUnsigned(sim.webhookUrl, forged.raw)).status).toBe(401);
    expect(await e.count("webhook_events", channelId)).toBe(keys);
  });

  it("STAT-2: a Graph 5xx keeps the message 發送中 and a later drain after the backoff sends it", async () => {
    const { conv } = await customer();
    sim.failNext("server_error");
    const msg = await e.reply(conv, "重試");
    await e.t.app.worker.drain();
    expect((await e.message(conv, msg.id)).status).toBe("sending");
    e.t.clock.advance(5_000);
    await e.t.app.worker.drain();
    expect(sim.sends.slice(-2).map((r) => r.status)).toEqual([500, 200]);
    expect((await e.message(conv, msg.id)).status).toBe("sent");
  });

  it("a rate limit (#613) is retried, not failed", async () => {
    const { conv } = await customer();
    sim.failNext("rate_limited", 1, { retryAfterSeconds: 10 });
    const msg = await e.reply(conv, "限流");
    await e.t.app.worker.drain();
    expect((await e.message(conv, msg.id)).status).toBe("sending");
    e.t.clock.advance(11_000);
    await e.t.app.worker.drain();
    expect((await e.message(conv, msg.id)).status).toBe("sent");
  });

  it("ADV-20, ADV-24: after 24 h the reply still goes, tagged, with the composer hint; after 7 days the inbox refuses it without calling Meta", async () => {
    const { conv } = await customer();
    e.t.clock.advance(25 * HOUR);
    const c = await e.w.get(e.w.tokens.agent, `/api/conversations/${conv}`);
    expect(c.replyWindow).toMatchObject({ freeForm: true, promotional: false, hint: { zh: "此用戶的訊息已超過24小時,只能傳送「非推廣性質」的訊息" } });
    const msg = await e.reply(conv, "補充");
    await e.t.app.worker.drain();
    expect(await e.message(conv, msg.id)).toMatchObject({ status: "sent" });
    expect(sim.sends.at(-1)!.body).toMatchObject({ messaging_type: "MESSAGE_TAG", tag: "HUMAN_AGENT" });
    e.t.clock.advance(7 * 24 * HOUR);
    const sends = sim.sends.length;
    const late = await e.t.req("POST", `/api/conversations/${conv}/messages`, { token: e.w.tokens.agent, body: { text: "太晚了" } });
    expect(late.status).toBe(422);
    expect(late.body.error).toMatchObject({ code: "window_closed", message: "無法傳送訊息,你已經超過Facebook的對話限制(客人最後一個訊息後7天內可傳送非推廣興致的訊息)" });
    expect(sim.sends.length).toBe(sends);
  });

  it("STAT-13, STAT-14: a window error from Meta fails the message at once with its code and text", async () => {
    const { conv } = await customer();
    sim.failNext("window_closed");
    const msg = await e.reply(conv, "被拒");
    await e.t.app.worker.drain();
    expect((await e.message(conv, msg.id)).status).toBe("failed");
    expect((await e.message(conv, msg.id)).statusReason).toMatch(/^10: /);
  });

  it("ADV-19: with messageTag HUMAN_AGENT the adapter sends MESSAGE_TAG, which Meta accepts within 7 days", async () => {
    const { psid } = await customer();
    e.t.clock.advance(3 * 24 * HOUR);
    const res = await messengerAdapter.send({ id: randomUUID(), recipientUserId: psid, message: { kind: "text", text: "補充說明" }, messageTag: "HUMAN_AGENT" }, creds);
    const req = sim.sends.at(-1)!;
    expect(req.body).toEqual({ recipient: { id: psid }, messaging_type: "MESSAGE_TAG", tag: "HUMAN_AGENT", message: { text: "補充說明" } });
    expect(res.platformMessageId).toBe(req.platformMessageId);
    const img = await messengerAdapter.send({ id: randomUUID(), recipientUserId: psid, message: { kind: "image", media: { url: "https://cdn.example/p.jpg" } }, messageTag: "HUMAN_AGENT" }, creds);
    expect(sim.sends.at(-1)!.body).toMatchObject({ message: { attachment: { type: "image", payload: { url: "https://cdn.example/p.jpg", is_reusable: true } } } });
    expect(img.platformMessageId).toBeTruthy();
  });

  it("STAT-13: an unavailable recipient (#551) fails the message as invalid recipient", async () => {
    const { conv } = await customer();
    sim.failNext("invalid_recipient");
    const msg = await e.reply(conv, "找不到人");
    await e.t.app.worker.drain();
    expect(await e.message(conv, msg.id)).toMatchObject({ status: "failed", statusReason: "551: (#551) This person isn't available right now." });
  });

  it("LIFE-14 row 5, LIFE-22: Get Started opens a bot-queue conversation; a sticker is stored as a sticker", async () => {
    const psid = sim.newUserId();
    await sim.postback(psid, "GET_STARTED", "Get Started");
    const conv = await e.conversationOf(channelId, psid);
    expect(conv).toMatchObject({ state: "pending", queue: "bot" });
    await sim.sticker(psid);
    expect((await e.messages(conv!.id)).map((m) => m.kind)).toEqual(["postback", "sticker"]);
  });
});
