/**
 * LINE end to end: the LINE simulator signs webhooks into a listening app and
 * records what the delivery job pushes through the official SDK.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LineSimulator, type LineEvent } from "../../src/channels/line/simulator.js";
import { lineAdapter } from "../../src/channels/line/adapter.js";
import { PlatformError } from "../../src/channels/types.js";
import { startE2E, postUnsigned, type E2E } from "./e2e-support.js";

const SECRET = "line-channel-secret";
const TOKEN = "line-channel-access-token";

let e: E2E;
let sim: LineSimulator;
let channelId: string;
let creds: Record<string, string>;

beforeAll(async () => {
  e = await startE2E();
  sim = await LineSimulator.start({ channelSecret: SECRET, channelAccessToken: TOKEN, now: () => e.t.clock.now() });
  creds = { channelSecret: SECRET, channelAccessToken: TOKEN, apiBaseUrl: sim.baseUrl };
  channelId = await e.createChannel("line", creds);
  sim.webhookUrl = `${e.origin}/webhooks/line/${channelId}`;
});
afterAll(async () => {
  await sim?.close();
  await e?.close();
});

/** A customer who has written once; returns their conversation id. */
async function customer(text = "請問營業時間?"): Promise<{ user: string; conv: string; events: LineEvent[] }> {
  const user = sim.newUserId();
  const r = await sim.text(user, text);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const conv = await e.conversationOf(channelId, user);
  expect(conv).toBeDefined();
  return { user, conv: conv!.id, events: r.events };
}

describe("LINE through the simulator", () => {
  it("LIFE-14 row 8, LIFE-4: a signed customer text opens one pending human-queue conversation", async () => {
    const { user, conv, events } = await customer("請問營業時間?");
    expect(await e.conversationOf(channelId, user)).toMatchObject({ state: "pending", queue: "human" });
    const [m] = await e.messages(conv);
    expect(m).toMatchObject({ direction: "in", senderKind: "customer", kind: "text", text: "請問營業時間?", platformMessageId: (events[0].message as any).id, status: null });
    // A second message of the same customer lands in the same conversation.
    await sim.text(user, "還有嗎");
    expect((await e.messages(conv)).length).toBe(2);
    expect(await e.count("conversations", channelId)).toBeGreaterThanOrEqual(1);
  });

  it("STAT-1, STAT-2, STAT-3: an agent reply is pushed with X-Line-Retry-Key = message id and becomes sent with LINE's id", async () => {
    const { user, conv } = await customer();
    const msg = await e.reply(conv, "您好,我們 10 點開門");
    const before = sim.pushes.length;
    await e.t.app.worker.drain();
    expect(sim.pushes.length).toBe(before + 1);
    const push = sim.pushes.at(-1)!;
    expect(push.body).toEqual({ to: user, messages: [{ type: "text", text: "您好,我們 10 點開門" }] });
    expect(push.headers["x-line-retry-key"]).toBe(msg.id);
    expect(push.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(await e.message(conv, msg.id)).toMatchObject({ status: "sent", platformMessageId: push.platformMessageId });
  });

  it("STAT-2: a push held by LINE keeps the message 發送中 until LINE answers", async () => {
    const { conv } = await customer();
    const msg = await e.reply(conv, "稍等");
    sim.hold();
    const draining = e.t.app.worker.drain();
    await expect.poll(() => sim.kit.heldCount).toBe(1);
    expect((await e.message(conv, msg.id)).status).toBe("sending");
    sim.release();
    await draining;
    expect((await e.message(conv, msg.id)).status).toBe("sent");
  });

  it("STAT-6, STAT-11: LINE has no read receipt; the customer's next message marks every earlier reply read", async () => {
    const { user, conv } = await customer();
    const a = await e.reply(conv, "第一則");
    const b = await e.reply(conv, "第二則");
    await e.t.app.worker.drain();
    expect((await e.message(conv, a.id)).status).toBe("sent");
    e.t.clock.advance(60_000);
    await sim.text(user, "收到,謝謝");
    expect((await e.message(conv, a.id)).status).toBe("read");
    expect((await e.message(conv, b.id)).status).toBe("read");
  });

  it("a redelivered webhook (same webhookEventId, isRedelivery) stores nothing new", async () => {
    const { conv, events } = await customer("重送測試");
    const msgs = await e.count("messages", channelId);
    const keys = await e.count("webhook_events", channelId);
    const r = await sim.redeliver(events);
    expect(r.status).toBe(200);
    expect(await e.count("messages", channelId)).toBe(msgs);
    expect(await e.count("webhook_events", channelId)).toBe(keys);
    expect((await e.messages(conv)).length).toBe(1);
  });

  it("the console's Verify request (no events) is answered 200", async () => {
    const r = await sim.send([]);
    expect(r.status).toBe(200);
  });

  it("a storage failure answers 5xx so LINE redelivers; the redelivery stores the message once", async () => {
    const user = sim.newUserId();
    const db = e.t.app.ctx.db;
    const transaction = db.transaction.bind(db);
    db.transaction = () => {
      throw new Error("database unavailable");
    };
    let first;
    try {
      first = await sim.text(user, "資料庫暫停時傳的");
    } finally {
      db.transaction = transaction;
    }
    expect(first.status).toBeGreaterThanOrEqual(500);
    expect(await e.conversationOf(channelId, user)).toBeUndefined();
    expect((await sim.redeliver(first.events)).status).toBe(200);
    expect((await sim.redeliver(first.events)).status).toBe(200);
    const conv = await e.conversationOf(channelId, user);
    expect((await e.messages(conv!.id)).map((m) => m.text)).toEqual(["資料庫暫停時傳的"]);
  });

  it("a bad or missing signature is refused with 401 invalid_signature and nothing is stored; an unknown channel is 404", async () => {
    const keys = await e.count("webhook_events", channelId);
    const ids = await e.count("contact_identities", channelId);
    const forged = await sim.text(sim.newUserId(), "假的", { secret: "not-the-secret" });
    expect(forged.status).toBe(401);
    expect(forged.body).toMatchObject({ error: { code: "invalid_signature" } });
    const unsigned = await postUnsigned(sim.webhookUrl, forged.raw);
    expect(unsigned.status).toBe(401);
    const unknown = await sim.kit.postWebhook(forged.raw, forged.headers, `${e.origin}/webhooks/line/${randomUUID()}`);
    expect(unknown.status).toBe(404);
    expect((await sim.kit.postWebhook(forged.raw, forged.headers, `${e.origin}/webhooks/meta/${channelId}`)).status).toBe(404);
    expect(await e.count("webhook_events", channelId)).toBe(keys);
    expect(await e.count("contact_identities", channelId)).toBe(ids);
  });

  it("STAT-2: a 5xx keeps the message 發送中; after the backoff the retry sends it, under the same retry key", async () => {
    const { conv } = await customer();
    sim.failNext("server_error");
    const msg = await e.reply(conv, "重試測試");
    const before = sim.pushes.length;
    await e.t.app.worker.drain();
    expect((await e.message(conv, msg.id)).status).toBe("sending");
    await e.t.app.worker.drain(); // not due yet: nothing is sent again
    expect(sim.pushes.length).toBe(before + 1);
    e.t.clock.advance(5_000);
    await e.t.app.worker.drain();
    const pushes = sim.pushes.slice(before);
    expect(pushes.map((p) => p.status)).toEqual([500, 200]);
    expect(pushes.map((p) => p.headers["x-line-retry-key"])).toEqual([msg.id, msg.id]);
    expect(await e.message(conv, msg.id)).toMatchObject({ status: "sent", platformMessageId: pushes[1].platformMessageId });
  });

  it("a response lost after LINE accepted the push: the retry gets 409 and the customer receives the message once", async () => {
    const { conv } = await customer();
    sim.failNext("lost_response");
    const msg = await e.reply(conv, "只會收到一次");
    const sentBefore = sim.sent.length, before = sim.pushes.length;
    await e.t.app.worker.drain();
    e.t.clock.advance(5_000);
    await e.t.app.worker.drain();
    expect(sim.pushes.slice(before).map((p) => p.status)).toEqual([500, 409]);
    expect(sim.sent.length).toBe(sentBefore + 1);
    expect(await e.message(conv, msg.id)).toMatchObject({ status: "sent", platformMessageId: sim.sent.at(-1)!.platformMessageId });
  });

  it("a 429 is retried only after LINE's Retry-After", async () => {
    const { conv } = await customer();
    sim.failNext("rate_limited", 1, { retryAfterSeconds: 30 });
    const msg = await e.reply(conv, "限流測試");
    await e.t.app.worker.drain();
    e.t.clock.advance(20_000);
    await e.t.app.worker.drain();
    expect((await e.message(conv, msg.id)).status).toBe("sending");
    e.t.clock.advance(11_000);
    await e.t.app.worker.drain();
    expect((await e.message(conv, msg.id)).status).toBe("sent");
  });

  it("STAT-13, STAT-14: a permanent rejection fails the message at once with LINE's reason, and it is not retried", async () => {
    const { conv } = await customer();
    sim.failNext("invalid_recipient");
    const msg = await e.reply(conv, "失敗測試");
    const before = sim.pushes.length;
    await e.t.app.worker.drain();
    const m = await e.message(conv, msg.id);
    expect(m.status).toBe("failed");
    expect(m.statusReason).toBe("400: The request body has 1 error(s); to: The property, 'to', in the request body is invalid (line: -, column: -)");
    e.t.clock.advance(600_000);
    await e.t.app.worker.drain();
    expect(sim.pushes.length).toBe(before + 1);
  });

  it("LIFE-14 row 9, LIFE-22: image and sticker messages and a rich-menu postback are stored", async () => {
    const { user, conv } = await customer("先打字");
    await sim.image(user);
    await sim.sticker(user, "446", "1988");
    await sim.postback(user, "parley:human");
    const kinds = (await e.messages(conv)).map((m) => m.kind);
    expect(kinds).toEqual(["text", "image", "sticker", "postback"]);
    const sticker = (await e.messages(conv))[2];
    expect(sticker.content.sticker).toMatchObject({ packageId: "446", stickerId: "1988" });
  });

  it("a group message is recorded but opens no conversation (group conversations come later)", async () => {
    const user = sim.newUserId();
    const convs = await e.count("conversations", channelId);
    const r = await sim.text(user, "大家好", { groupId: sim.newGroupId() });
    expect(r.status).toBe(200);
    expect(await e.count("conversations", channelId)).toBe(convs);
    const row = await e.t.app.ctx.db.selectFrom("webhook_events").select("payload").where("channel_id", "=", channelId).where("event_key", "=", r.events[0].webhookEventId).executeTakeFirst();
    expect(row?.payload).toMatchObject({ ignoredReason: "group conversations are not supported yet" });
  });

  it("unsend marks the customer's message unsent; unfollow and follow flip the identity's followed flag", async () => {
    const { user, conv, events } = await customer("我要收回這句");
    await sim.unsend(user, (events[0].message as any).id);
    expect((await e.messages(conv))[0]).toMatchObject({ unsent: true });
    const followed = () => e.t.app.ctx.db.selectFrom("contact_identities").select("followed").where("channel_id", "=", channelId).where("platform_user_id", "=", user).executeTakeFirstOrThrow();
    await sim.unfollow(user);
    expect((await followed()).followed).toBe(false);
    await sim.follow(user);
    expect((await followed()).followed).toBe(true);
  });

  it("the adapter builds LINE's message objects: sticker, image, file as a link (MEDIA-13); a bad token is auth_revoked", async () => {
    const { user } = await customer();
    const send = (message: any, c = creds) => lineAdapter.send({ id: randomUUID(), recipientUserId: user, message }, c);
    await send({ kind: "sticker", sticker: { packageId: "446", stickerId: "1988" } });
    await send({ kind: "image", media: { url: "https://cdn.example/a.jpg" } });
    await send({ kind: "file", media: { url: "https://cdn.example/menu.pdf", fileName: "menu.pdf" } });
    expect(sim.pushes.slice(-3).map((p) => (p.body as any).messages[0])).toEqual([
      { type: "sticker", packageId: "446", stickerId: "1988" },
      { type: "image", originalContentUrl: "https://cdn.example/a.jpg", previewImageUrl: "https://cdn.example/a.jpg" },
      { type: "text", text: "menu.pdf\nhttps://cdn.example/menu.pdf" },
    ]);
    const err = await send({ kind: "text", text: "x" }, { ...creds, channelAccessToken: "revoked" }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(PlatformError);
    expect(err).toMatchObject({ kind: "auth_revoked", code: "401" });
  });
});
