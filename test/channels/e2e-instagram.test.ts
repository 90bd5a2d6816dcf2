/**
 * Instagram end to end through the Meta simulator (object "instagram"):
 * same Send API as Messenger, read receipts by mid, no delivery receipts
 * (STAT-10), unsend as is_deleted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MetaSimulator } from "../../src/channels/meta/simulator.js";
import { hubSignature, metaJson } from "../../src/channels/simulator-kit.js";
import { startE2E, type E2E } from "./e2e-support.js";

const APP_SECRET = "ig-app-secret";
const TOKEN = "ig-page-token";

let e: E2E;
let sim: MetaSimulator;
let channelId: string;

beforeAll(async () => {
  e = await startE2E();
  sim = await MetaSimulator.start({ platform: "instagram", appSecret: APP_SECRET, accessToken: TOKEN, now: () => e.t.clock.now() });
  channelId = await e.createChannel("instagram", { appSecret: APP_SECRET, accessToken: TOKEN, verifyToken: "ig-verify", pageId: sim.pageId, graphBaseUrl: sim.baseUrl });
  sim.webhookUrl = `${e.origin}/webhooks/meta/${channelId}`;
});
afterAll(async () => {
  await sim?.close();
  await e?.close();
});

async function customer(text = "這件有 M 號嗎") {
  const igsid = sim.newUserId();
  const r = await sim.text(igsid, text);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const conv = await e.conversationOf(channelId, igsid);
  expect(conv).toBeDefined();
  return { igsid, conv: conv!.id, mid: r.mid, first: r };
}

describe("Instagram through the simulator", () => {
  it("LIFE-14 row 8: a customer DM opens a pending conversation; the reply goes out as RESPONSE and becomes sent", async () => {
    const { igsid, conv } = await customer();
    expect(await e.conversationOf(channelId, igsid)).toMatchObject({ state: "pending", queue: "human" });
    const msg = await e.reply(conv, "有的");
    await e.t.app.worker.drain();
    const req = sim.sends.at(-1)!;
    expect(req.body).toEqual({ recipient: { id: igsid }, messaging_type: "RESPONSE", message: { text: "有的" } });
    expect(await e.message(conv, msg.id)).toMatchObject({ status: "sent", platformMessageId: req.platformMessageId });
  });

  it("STAT-5, STAT-10: Instagram's read receipt names the message (messaging_seen): sent → read directly", async () => {
    const { igsid, conv } = await customer();
    const msg = await e.reply(conv, "已讀測試");
    await e.t.app.worker.drain();
    const m = await e.message(conv, msg.id);
    expect((await sim.read(igsid, { mid: m.platformMessageId })).status).toBe(200);
    expect((await e.message(conv, msg.id)).status).toBe("read");
    // The same receipt again is a no-op.
    await sim.read(igsid, { mid: m.platformMessageId });
    expect((await e.message(conv, msg.id)).status).toBe("read");
  });

  it("an unsent DM (is_deleted) is marked unsent; the redelivered message stores nothing new", async () => {
    const { igsid, conv, mid, first } = await customer("打錯了");
    await sim.unsend(igsid, mid);
    expect((await e.messages(conv))[0]).toMatchObject({ platformMessageId: mid, unsent: true });
    const count = await e.count("messages", channelId);
    await sim.kit.resend(first);
    expect(await e.count("messages", channelId)).toBe(count);
  });

  it("STAT-13, ADV-26: outside the window Instagram's error (subcode 2534022) fails the message with its text", async () => {
    const { conv } = await customer();
    e.t.clock.advance(25 * 3_600_000);
    const msg = await e.reply(conv, "太晚");
    await e.t.app.worker.drain();
    expect(await e.message(conv, msg.id)).toMatchObject({ status: "failed", statusReason: "10: (#10) This message is sent outside of allowed window." });
  });

  it("a Messenger (object page) body on the Instagram URL is recorded as ignored, not as a customer", async () => {
    const convs = await e.count("conversations", channelId);
    const raw = metaJson({ object: "page", entry: [{ id: sim.pageId, time: Date.now(), messaging: [{ sender: { id: "999" }, recipient: { id: sim.pageId }, timestamp: Date.now(), message: { mid: "m_wrong_object", text: "hi" } }] }] });
    const r = await sim.kit.postWebhook(raw, { "x-hub-signature-256": hubSignature(APP_SECRET, raw) });
    expect(r.status).toBe(200);
    expect(await e.count("conversations", channelId)).toBe(convs);
  });

  it("entries of another Instagram account on the same app are not this channel's", async () => {
    const convs = await e.count("conversations", channelId);
    const raw = metaJson({ object: "instagram", entry: [{ id: "17840000000000000", time: Date.now(), messaging: [{ sender: { id: "42" }, recipient: { id: "17840000000000000" }, timestamp: Date.now(), message: { mid: "aWdf_other", text: "hi" } }] }] });
    const r = await sim.kit.postWebhook(raw, { "x-hub-signature-256": hubSignature(APP_SECRET, raw) });
    expect(r.status).toBe(200);
    expect(await e.count("conversations", channelId)).toBe(convs);
  });
});
