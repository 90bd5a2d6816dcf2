import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createServer, type Server } from "node:http";
import { startTestApp, type TestApp } from "../support/app.js";
import { makeWorld, type World } from "../support/world.js";

/** A stand-in integrator endpoint on loopback: answers with the queued statuses, records bodies. */
let server: Server;
let url = "";
const answers: number[] = [];
const received: any[] = [];
let t: TestApp;
let w: World;
let channelId = "";

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: JSON.parse(body) });
      const status = answers.shift() ?? 200;
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(status === 200 ? { id: `ext-${received.length}` } : { error: "nope" }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
  t = await startTestApp();
  w = await makeWorld(t);
  const ch = await t.req("POST", "/api/channels", { token: w.tokens.admin, body: { platform: "api", name: "hooked", credentials: { outboundUrl: url, secret: "s" } } });
  channelId = ch.body.id;
});
afterAll(async () => {
  await t.close();
  server.close();
});

let n = 0;
async function conversationWithReply(text = "reply") {
  const r = await t.req("POST", `/api/channels/${channelId}/inbound`, { token: w.integration, body: { userId: `d-${++n}`, messageId: `dm-${n}`, text: "hi" } });
  const id = r.body.conversationId;
  await w.act("agent", id, "follow");
  const m = await t.req("POST", `/api/conversations/${id}/messages`, { token: w.tokens.agent, body: { text } });
  return { id, messageId: m.body.id as string, first: m.body };
}
const messageById = async (cid: string, mid: string) => (await w.get(w.tokens.agent, `/api/conversations/${cid}/messages`)).items.find((m: any) => m.id === mid);
const report = (messageId: string, status: string, reason?: string) => t.req("POST", `/api/channels/${channelId}/statuses`, { token: w.integration, body: { messageId, status, reason } });

describe("delivery status", () => {
  it("STAT-2: a reply is 發送中 (sending) until the channel accepts it", async () => {
    const { first } = await conversationWithReply();
    expect(first.status).toBe("sending");
  });

  it("STAT-3: when the channel's API accepts it, the reply is 已送出 (sent) with the platform's id, sent exactly once", async () => {
    const before = received.length;
    const { id, messageId } = await conversationWithReply("once");
    await t.app.worker.drain();
    await t.app.worker.drain();
    const m = await messageById(id, messageId);
    expect(m.status).toBe("sent");
    expect(m.platformMessageId).toMatch(/^ext-/);
    expect(received.slice(before).filter((r) => r.body.id === messageId)).toHaveLength(1);
    expect(received.at(-1).headers["idempotency-key"]).toBe(messageId);
  });

  it("STAT-4: a delivery report moves it to 已收到 (received), then read", async () => {
    const { id, messageId } = await conversationWithReply();
    await t.app.worker.drain();
    expect((await report(messageId, "received")).body.moved).toBe(true);
    expect((await messageById(id, messageId)).status).toBe("received");
    await report(messageId, "read");
    expect((await messageById(id, messageId)).status).toBe("read");
  });

  it("STAT-9: a receipt arriving after read never moves the status backwards; a redelivered one changes nothing", async () => {
    const { id, messageId } = await conversationWithReply();
    await t.app.worker.drain();
    await report(messageId, "read");
    expect((await report(messageId, "received")).body.moved).toBe(false);
    expect((await report(messageId, "read")).body.moved).toBe(false);
    expect((await messageById(id, messageId)).status).toBe("read");
  });

  it("STAT-13: a synchronous rejection by the channel goes from sending straight to 傳送失敗 with the reason", async () => {
    answers.push(400);
    const { id, messageId } = await conversationWithReply();
    await t.app.worker.drain();
    const m = await messageById(id, messageId);
    expect(m.status).toBe("failed");
    expect(m.statusReason).toContain("400");
  });

  it("STAT-8: a message can fail after reaching sent, and the reason is kept", async () => {
    const { id, messageId } = await conversationWithReply();
    await t.app.worker.drain();
    await report(messageId, "failed", "recipient blocked the account");
    const m = await messageById(id, messageId);
    expect(m).toMatchObject({ status: "failed", statusReason: "recipient blocked the account" });
  });

  it("STAT-17: a temporary error is retried with backoff, but a failed message is never resent", async () => {
    answers.push(503, 503);
    const { id, messageId } = await conversationWithReply("retry me");
    await t.app.worker.drain();
    expect((await messageById(id, messageId)).status).toBe("sending");
    t.clock.advance(5_000);
    await t.app.worker.drain();
    t.clock.advance(10_000);
    await t.app.worker.drain();
    expect((await messageById(id, messageId)).status).toBe("sent");
    expect(received.filter((r) => r.body.id === messageId)).toHaveLength(3);

    answers.push(422);
    const failed = await conversationWithReply("fails");
    await t.app.worker.drain();
    const count = received.filter((r) => r.body.id === failed.messageId).length;
    t.clock.advance(3_600_000);
    await t.app.worker.drain();
    expect(received.filter((r) => r.body.id === failed.messageId)).toHaveLength(count);
    expect((await messageById(failed.id, failed.messageId)).status).toBe("failed");
  });

  it("STAT-15: bot auto-replies carry a delivery status like agents' messages; customers' messages carry none", async () => {
    await t.req("POST", "/api/keyword-rules", { token: w.tokens.admin, body: { kind: "auto_reply", keywords: ["價格"], replies: [{ text: "請參考官網" }] } });
    const r = await t.req("POST", `/api/channels/${channelId}/inbound`, { token: w.integration, body: { userId: "bot-user", messageId: "bm-1", text: "價格" } });
    await t.app.worker.drain();
    const items = (await w.get(w.tokens.admin, `/api/conversations/${r.body.conversationId}/messages`)).items;
    expect(items.find((m: any) => m.senderKind === "bot")).toMatchObject({ status: "sent" });
    expect(items.find((m: any) => m.senderKind === "customer").status).toBeNull();
  });
});
