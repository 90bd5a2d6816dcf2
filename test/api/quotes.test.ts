import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";
import { makeWorld, type World } from "../support/world.js";
import { receiveCustomerEvent } from "../../src/usecases/receive-inbound.js";

let t: TestApp;
let w: World;
let wa = { id: "", workspace_id: "", platform: "whatsapp" };
let k = 0;
beforeAll(async () => {
  t = await startTestApp();
  w = await makeWorld(t);
  const ch = await t.req("POST", "/api/channels", { token: w.tokens.admin, body: { platform: "whatsapp", name: "WA", credentials: { appSecret: "s" } } });
  wa = { id: ch.body.id, workspace_id: w.workspaceId, platform: "whatsapp" };
});
afterAll(() => t.close());

const waSay = async (user: string, text: string, quoted?: string) => {
  const id = `wamid.${++k}`;
  const r = await receiveCustomerEvent(t.app.ctx, wa, { type: "message", eventKey: id, at: t.clock.now(), sender: { userId: user, phone: user }, platformMessageId: id, message: { kind: "text", text }, quotedPlatformMessageId: quoted });
  if (r.status !== "stored") throw new Error("not stored");
  return { ...r, platformId: id };
};
const messages = async (conv: string) => (await w.get(w.tokens.agent, `/api/conversations/${conv}/messages`)).items;

describe("quoted replies", () => {
  it("ADV-4: a WhatsApp customer's reply is shown with the message it quotes", async () => {
    const first = await waSay("886900000001", "我要退貨");
    await waSay("886900000001", "就是這個", first.platformId);
    const [reply] = await messages(first.conversationId);
    expect(reply.quote).toMatchObject({ available: true, id: first.messageId, text: "我要退貨", senderKind: "customer" });
  });

  it("ADV-5: a quote of a message not in the stored history shows 「原訊息無法顯示」", async () => {
    const r = await waSay("886900000002", "回覆舊訊息", "wamid.unknown");
    const [m] = await messages(r.conversationId);
    expect(m.quote).toEqual({ available: false, text: "原訊息無法顯示" });
  });

  it("ADV-7: an agent can quote a message when replying on WhatsApp, and the quote goes to the platform as context", async () => {
    const c = await waSay("886900000003", "請問有貨嗎");
    await w.act("agent", c.conversationId, "follow");
    const r = await t.req("POST", `/api/conversations/${c.conversationId}/messages`, { token: w.tokens.agent, body: { text: "有的", quotedMessageId: c.messageId } });
    expect(r.status).toBe(201);
    const stored = await t.app.ctx.db.selectFrom("messages").select(["quoted_message_id", "quoted_platform_message_id"]).where("id", "=", r.body.id).executeTakeFirstOrThrow();
    expect(stored).toEqual({ quoted_message_id: c.messageId, quoted_platform_message_id: c.platformId });
    const [mine] = await messages(c.conversationId);
    expect(mine.quote).toMatchObject({ available: true, text: "請問有貨嗎" });
  });

  it("ADV-7: other channels do not support quoting yet", async () => {
    const { conversationId, messageId } = await w.customer("q-api", "hello");
    await w.act("agent", conversationId, "follow");
    const r = await t.req("POST", `/api/conversations/${conversationId}/messages`, { token: w.tokens.agent, body: { text: "hi", quotedMessageId: messageId } });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toBe("目前僅 WhatsApp 支援指定回覆");
  });

  it("ADV-10: a message without a platform id (e.g. still sending or failed) cannot be quoted", async () => {
    const c = await waSay("886900000004", "hi");
    await w.act("agent", c.conversationId, "follow");
    const mine = await t.req("POST", `/api/conversations/${c.conversationId}/messages`, { token: w.tokens.agent, body: { text: "first" } });
    const r = await t.req("POST", `/api/conversations/${c.conversationId}/messages`, { token: w.tokens.agent, body: { text: "second", quotedMessageId: mine.body.id } });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toBe("此訊息無法被指定回覆");
  });
});
