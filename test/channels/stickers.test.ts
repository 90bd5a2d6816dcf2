/**
 * Sending stickers (MEDIA-17..MEDIA-19, MEDIA-23, MEDIA-25): on LINE an agent
 * sends one of LINE's official stickers, pushed through the official SDK to
 * the LINE simulator as a sticker message; anything else is refused before
 * anything is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LineSimulator } from "../../src/channels/line/simulator.js";
import { LINE_OFFICIAL_PACKS } from "../../src/domain/stickers.js";
import { startE2E, type E2E } from "./e2e-support.js";

let e: E2E;
let sim: LineSimulator;
let lineChannel: string;

beforeAll(async () => {
  e = await startE2E();
  sim = await LineSimulator.start({ channelSecret: "sticker-secret", channelAccessToken: "sticker-token", now: () => e.t.clock.now() });
  lineChannel = await e.createChannel("line", { channelSecret: "sticker-secret", channelAccessToken: "sticker-token", apiBaseUrl: sim.baseUrl });
  sim.webhookUrl = `${e.origin}/webhooks/line/${lineChannel}`;
});
afterAll(async () => {
  await sim?.close();
  await e?.close();
});

async function followedLineCustomer(text = "可以傳個貼圖嗎?") {
  const user = sim.newUserId();
  expect((await sim.text(user, text)).status).toBe(200);
  const conv = (await e.conversationOf(lineChannel, user))!.id;
  expect((await e.w.act("agent", conv, "follow")).status).toBe(200);
  return { user, conv };
}
const send = (conv: string, body: Record<string, unknown>) => e.t.req("POST", `/api/conversations/${conv}/stickers`, { token: e.w.tokens.agent, body });
const packs = async (conv: string) => (await e.w.get(e.w.tokens.agent, `/api/conversations/${conv}/sticker-packs`)).packs as { packageId: string; stickers: { stickerId: string; url: string }[] }[];

describe("sending stickers", () => {
  it("MEDIA-19: in a LINE conversation the sticker window offers LINE's official packs, first pack first, each sticker with its picture", async () => {
    const { conv } = await followedLineCustomer();
    const p = await packs(conv);
    expect(p.map((x) => x.packageId)).toEqual(LINE_OFFICIAL_PACKS.map((x) => x.packageId));
    expect(p[0].packageId).toBe("446");
    expect(p[0].stickers[0]).toEqual({ stickerId: "1988", url: "https://stickershop.line-scdn.net/stickershop/v1/sticker/1988/android/sticker.png" });
    expect(p.reduce((n, x) => n + x.stickers.length, 0)).toBe(456);
  });

  it("MEDIA-18: a LINE official sticker is pushed to LINE as a sticker message and becomes 已送出; the conversation shows its picture", async () => {
    const { user, conv } = await followedLineCustomer();
    const r = await send(conv, { packageId: "11537", stickerId: "52002734", clientMessageId: "st-1" });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ kind: "sticker", status: "sending", direction: "out", content: { kind: "sticker", sticker: { packageId: "11537", stickerId: "52002734" }, media: { url: "https://stickershop.line-scdn.net/stickershop/v1/sticker/52002734/android/sticker.png" } } });
    // The same client id again is the same message (a retried click), not a second sticker.
    expect((await send(conv, { packageId: "11537", stickerId: "52002734", clientMessageId: "st-1" })).body.id).toBe(r.body.id);
    const before = sim.pushes.length;
    await e.t.app.worker.drain();
    expect(sim.pushes.length).toBe(before + 1);
    expect(sim.pushes.at(-1)!.body).toEqual({ to: user, messages: [{ type: "sticker", packageId: "11537", stickerId: "52002734" }] });
    expect(await e.message(conv, r.body.id)).toMatchObject({ status: "sent", kind: "sticker" });
  });

  it("MEDIA-18: a sticker outside LINE's official list is refused with 僅支援 LINE 官方貼圖 and nothing is stored or pushed", async () => {
    const { conv } = await followedLineCustomer();
    const count = (await e.messages(conv)).length;
    for (const body of [{ packageId: "446", stickerId: "9999" }, { packageId: "1", stickerId: "1" }, { packageId: "789", stickerId: "1988" }]) {
      const r = await send(conv, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error).toMatchObject({ code: "validation", message: "僅支援 LINE 官方貼圖" });
    }
    const bad = await send(conv, { packageId: "446", stickerId: "<img>" });
    expect(bad.status).toBe(400);
    expect((await e.messages(conv)).length).toBe(count);
  });

  it("MEDIA-17, MEDIA-23: other channels send no stickers: no packs, and a sticker is refused with 此渠道不支援傳送貼圖", async () => {
    const { conversationId } = await e.w.customer("st-api", "hello");
    expect((await e.w.act("agent", conversationId, "follow")).status).toBe(200);
    expect(await packs(conversationId)).toEqual([]);
    const r = await send(conversationId, { packageId: "446", stickerId: "1988" });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toBe("此渠道不支援傳送貼圖");
  });

  it("MEDIA-25: a sticker an agent sends is a human reply: the customer's wait ends", async () => {
    const { conv } = await followedLineCustomer("在嗎?");
    expect((await e.w.get(e.w.tokens.agent, `/api/conversations/${conv}`)).waitingSince).not.toBeNull();
    expect((await send(conv, { packageId: "446", stickerId: "1989" })).status).toBe(201);
    expect(await e.w.get(e.w.tokens.agent, `/api/conversations/${conv}`)).toMatchObject({ waitingSince: null, waitingLevel: 0 });
  });
});
