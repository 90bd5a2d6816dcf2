import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";
import { makeWorld, type World } from "../support/world.js";
import { receiveCustomerEvent } from "../../src/usecases/receive-inbound.js";

let t: TestApp;
let w: World;
let uid = 0;
const user = () => `in-${++uid}`;

beforeAll(async () => {
  t = await startTestApp();
  w = await makeWorld(t);
  const rule = (body: unknown) => t.req("POST", "/api/keyword-rules", { token: w.tokens.admin, body });
  expect((await rule({ kind: "auto_reply", keywords: ["營業時間"], matchMode: "contains", replies: [{ text: "週一至週五 10:00–19:00" }] })).status).toBe(201);
  expect((await rule({ kind: "auto_reply", keywords: ["退貨"], matchMode: "exact", replies: [{ text: "退貨說明" }], states: ["bot", "processing"] })).status).toBe(201);
  expect((await rule({ kind: "auto_assign", keywords: ["VIP"], matchMode: "contains", assignMemberId: w.agent2.id })).status).toBe(201);
  expect((await t.req("POST", "/api/community-codes", { token: w.tokens.admin, body: { code: "123456" } })).status).toBe(201);
});
afterAll(() => t.close());

const conv = (id: string) => w.get(w.tokens.admin, `/api/conversations/${id}`);
const messages = async (id: string) => (await w.get(w.tokens.admin, `/api/conversations/${id}/messages`)).items;

describe("inbound routing through the API", () => {
  it("LIFE-8: a text that triggers a keyword auto-reply puts a new conversation in the bot queue and the bot answers", async () => {
    const { conversationId: id } = await w.customer(user(), "請問營業時間");
    expect(await conv(id)).toMatchObject({ state: "pending", queue: "bot" });
    const ms = await messages(id);
    expect(ms[0]).toMatchObject({ senderKind: "bot", text: "週一至週五 10:00–19:00", status: "sending" });
  });

  it("LIFE-9: a text that triggers no keyword goes to the human queue, and no bot reply is sent", async () => {
    const { conversationId: id } = await w.customer(user(), "我要找真人");
    expect(await conv(id)).toMatchObject({ state: "pending", queue: "human" });
    expect((await messages(id)).map((m: any) => m.senderKind)).toEqual(["customer"]);
  });

  it("LIFE-14: a bot-queue conversation jumps to the human queue on a non-keyword text, and back to the bot only from closed", async () => {
    const u = user();
    const { conversationId: id } = await w.customer(u, "營業時間?");
    expect(await conv(id)).toMatchObject({ queue: "bot" });
    await w.customer(u, "營業時間還有嗎"); // bot row on bot queue: unchanged
    expect(await conv(id)).toMatchObject({ state: "pending", queue: "bot" });
    await w.customer(u, "謝謝");
    expect(await conv(id)).toMatchObject({ state: "pending", queue: "human" });
    await w.customer(u, "營業時間"); // LIFE-17: the human queue stays
    expect(await conv(id)).toMatchObject({ state: "pending", queue: "human" });
    await w.act("admin", id, "close");
    await w.customer(u, "營業時間"); // closed → bot
    expect(await conv(id)).toMatchObject({ state: "pending", queue: "bot" });
  });

  it("LIFE-14: a LINE community six-digit code registered here routes to the bot queue", async () => {
    const { conversationId: id } = await w.customer(user(), "123456");
    expect(await conv(id)).toMatchObject({ queue: "bot" });
    const other = await w.customer(user(), "654321");
    expect(await conv(other.conversationId)).toMatchObject({ queue: "human" });
  });

  it("LIFE-23: a media message routes like row 9 (human queue)", async () => {
    const u = user();
    const { conversationId: id } = await w.customer(u, "營業時間"); // bot
    await w.customer(u, undefined, { kind: "image", text: undefined, mediaUrl: "https://example.com/a.png" });
    expect(await conv(id)).toMatchObject({ state: "pending", queue: "human", lastMessagePreview: "[圖片]" });
  });

  it("LIFE-18: a processing conversation keeps its state whatever the customer sends", async () => {
    const u = user();
    const { conversationId: id } = await w.customer(u, "hi");
    await w.act("agent", id, "follow");
    for (const text of ["營業時間", "123456", "VIP"]) await w.customer(u, text);
    expect(await conv(id)).toMatchObject({ state: "processing", follower: { id: w.ids.agent } });
  });

  it("LIFE-15: a keyword auto-assignment makes the new conversation processing with that member, logged", async () => {
    const { conversationId: id } = await w.customer(user(), "我是 VIP 會員");
    expect(await conv(id)).toMatchObject({ state: "processing", follower: { id: w.agent2.id } });
    const log = await w.get(w.tokens.admin, `/api/conversations/${id}/status-log`);
    expect(log.items.map((e: any) => e.kind)).toEqual(["created", "auto_assigned"]);
    expect(log.items[1].text).toBe("系統依關鍵字自動指派給 Jess A。");
  });

  it("LIFE-16: auto-assignment to a deactivated member sends the conversation to the human queue instead", async () => {
    const m = await t.req("POST", "/api/members", { token: w.tokens.admin, body: { email: "gone@x.test", name: "Gone", role: "agent" } });
    const rule = await t.req("POST", "/api/keyword-rules", { token: w.tokens.admin, body: { kind: "auto_assign", keywords: ["GONE"], matchMode: "contains", assignMemberId: m.body.id } });
    await t.req("POST", `/api/members/${m.body.id}/deactivate`, { token: w.tokens.admin });
    const { conversationId: id } = await w.customer(user(), "GONE please");
    expect(await conv(id)).toMatchObject({ state: "pending", queue: "human", follower: null });
    await t.req("DELETE", `/api/keyword-rules/${rule.body.id}`, { token: w.tokens.admin });
  });

  it("LIFE-19: an auto-reply fires on a processing conversation only when processing is ticked", async () => {
    const u = user();
    const { conversationId: id } = await w.customer(u, "hello");
    await w.act("agent", id, "follow");
    await w.customer(u, "營業時間"); // rule without processing ticked
    expect((await messages(id)).filter((m: any) => m.senderKind === "bot")).toHaveLength(0);
    await w.customer(u, "退貨"); // rule with processing ticked
    const bots = (await messages(id)).filter((m: any) => m.senderKind === "bot");
    expect(bots.map((m: any) => m.text)).toEqual(["退貨說明"]);
  });

  it("LIFE-20: the checklist is read after routing; a human-queue conversation gets no reply from a bot-only rule", async () => {
    const u = user();
    const { conversationId: id } = await w.customer(u, "請幫我");
    await w.customer(u, "營業時間");
    expect(await conv(id)).toMatchObject({ queue: "human" });
    expect((await messages(id)).some((m: any) => m.senderKind === "bot")).toBe(false);
  });

  it("LIFE-19: a rule edited to tick processing replies at once; PATCH changes only the fields it names; switched off it stops", async () => {
    const created = await t.req("POST", "/api/keyword-rules", { token: w.tokens.admin, body: { kind: "auto_reply", name: "保固規則", keywords: ["保固期"], matchMode: "contains", replies: [{ text: "保固一年" }], states: ["bot"], priority: 5 } });
    expect(created.status).toBe(201);
    const u = user();
    const { conversationId: id } = await w.customer(u, "hello");
    await w.act("agent", id, "follow");
    await w.customer(u, "保固期多久");
    expect((await messages(id)).filter((m: any) => m.senderKind === "bot")).toHaveLength(0);
    const patched = await t.req("PATCH", `/api/keyword-rules/${created.body.id}`, { token: w.tokens.admin, body: { states: ["bot", "processing"] } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({ name: "保固規則", matchMode: "contains", priority: 5, replies: [{ text: "保固一年" }], states: ["bot", "processing"], active: true });
    await w.customer(u, "請問保固期");
    expect((await messages(id)).filter((m: any) => m.senderKind === "bot").map((m: any) => m.text)).toEqual(["保固一年"]);
    const off = await t.req("PATCH", `/api/keyword-rules/${created.body.id}`, { token: w.tokens.admin, body: { active: false } });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    expect(off.body).toMatchObject({ active: false, states: ["bot", "processing"], replies: [{ text: "保固一年" }] });
    await w.customer(u, "保固期呢");
    expect((await messages(id)).filter((m: any) => m.senderKind === "bot")).toHaveLength(1);
  });

  it("LIFE-47: a text matching both auto-assign and auto-reply goes to processing; the reply follows its checklist", async () => {
    const { conversationId: id } = await w.customer(user(), "VIP 營業時間");
    expect(await conv(id)).toMatchObject({ state: "processing", follower: { id: w.agent2.id } });
    expect((await messages(id)).some((m: any) => m.senderKind === "bot")).toBe(false);
  });

  it("LIFE-4: a returning customer reuses the same conversation, and a redelivered message changes nothing", async () => {
    const u = user();
    const first = await w.customer(u, "one");
    await w.act("admin", first.conversationId, "close");
    const again = await w.customer(u, "two");
    expect(again.conversationId).toBe(first.conversationId);
    const body = { userId: u, messageId: "fixed-id-1", text: "three" };
    const a = await t.req("POST", `/api/channels/${w.channelId}/inbound`, { token: w.integration, body });
    const b = await t.req("POST", `/api/channels/${w.channelId}/inbound`, { token: w.integration, body });
    expect(a.body.status).toBe("stored");
    expect(b.body.status).toBe("duplicate");
    expect((await messages(first.conversationId)).filter((m: any) => m.text === "three")).toHaveLength(1);
  });
});

describe("auto-close", () => {
  it("LIFE-43: a processing conversation closes by itself when the staff's last reply is older than the setting and the customer is silent", async () => {
    await t.req("PATCH", "/api/workspace", { token: w.tokens.admin, body: { settings: { autoCloseMinutes: 60 } } });
    const u = user();
    const { conversationId: id } = await w.customer(u, "問題");
    await w.act("agent", id, "follow");
    await t.req("POST", `/api/conversations/${id}/messages`, { token: w.tokens.agent, body: { text: "已處理" } });
    t.clock.advance(59 * 60_000);
    await t.app.worker.drain();
    expect(await conv(id)).toMatchObject({ state: "processing" });
    t.clock.advance(2 * 60_000);
    await t.app.worker.drain();
    const c = await conv(id);
    expect(c).toMatchObject({ state: "closed", lastHandlerId: w.ids.agent });
    const log = await w.get(w.tokens.admin, `/api/conversations/${id}/status-log`);
    expect(log.items.at(-1)).toMatchObject({ kind: "auto_closed", text: "系統自動結束了對話。", actor: null });
  });

  it("LIFE-45: a customer message stops the auto-close timer and a new staff reply restarts it", async () => {
    const u = user();
    const { conversationId: id } = await w.customer(u, "問題");
    await w.act("agent", id, "follow");
    await t.req("POST", `/api/conversations/${id}/messages`, { token: w.tokens.agent, body: { text: "好的" } });
    t.clock.advance(30 * 60_000);
    await w.customer(u, "還有一個問題");
    t.clock.advance(31 * 60_000);
    await t.app.worker.drain();
    expect(await conv(id)).toMatchObject({ state: "processing" });
    await t.req("POST", `/api/conversations/${id}/messages`, { token: w.tokens.agent, body: { text: "回覆" } });
    t.clock.advance(61 * 60_000);
    await t.app.worker.drain();
    expect(await conv(id)).toMatchObject({ state: "closed" });
    await t.req("PATCH", "/api/workspace", { token: w.tokens.admin, body: { settings: { autoCloseMinutes: null } } });
  });

  it("LIFE-44: on LINE a reminder goes out before the auto-close, as a bot message, unless the customer writes", async () => {
    await t.req("PATCH", "/api/workspace", { token: w.tokens.admin, body: { settings: { autoCloseMinutes: 60, autoCloseReminderMinutesBefore: 10, autoCloseReminderText: "對話即將自動結束" } } });
    const line = await t.req("POST", "/api/channels", { token: w.tokens.admin, body: { platform: "line", name: "LINE", credentials: { channelSecret: "s" } } });
    const channel = { id: line.body.id, workspace_id: w.workspaceId, platform: "line" };
    const say = (text: string, k: number) =>
      receiveCustomerEvent(t.app.ctx, channel, { type: "message", eventKey: `rem-${k}`, at: t.clock.now(), sender: { userId: "line-user" }, platformMessageId: `rem-${k}`, message: { kind: "text", text } });
    const first = await say("hello", 1);
    if (first.status !== "stored") throw new Error("not stored");
    const id = first.conversationId;
    await w.act("agent", id, "follow");
    await t.req("POST", `/api/conversations/${id}/messages`, { token: w.tokens.agent, body: { text: "您好" } });
    t.clock.advance(49 * 60_000);
    await t.app.worker.drain();
    expect((await messages(id)).some((m: any) => m.text === "對話即將自動結束")).toBe(false);
    t.clock.advance(2 * 60_000);
    await t.app.worker.drain();
    expect((await messages(id)).filter((m: any) => m.senderKind === "bot").map((m: any) => m.text)).toEqual(["對話即將自動結束"]);
    expect(await conv(id)).toMatchObject({ state: "processing" });
    t.clock.advance(10 * 60_000);
    await t.app.worker.drain();
    expect(await conv(id)).toMatchObject({ state: "closed" });
    // On the website widget no reminder is sent (not a LINE/FB/WhatsApp/IG channel): the API channel behaves the same.
    const { conversationId: other } = await w.customer(user(), "hi");
    await w.act("agent", other, "follow");
    await t.req("POST", `/api/conversations/${other}/messages`, { token: w.tokens.agent, body: { text: "您好" } });
    t.clock.advance(55 * 60_000);
    await t.app.worker.drain();
    expect((await messages(other)).some((m: any) => m.senderKind === "bot")).toBe(false);
    await t.req("PATCH", "/api/workspace", { token: w.tokens.admin, body: { settings: { autoCloseMinutes: null, autoCloseReminderMinutesBefore: null } } });
  });
});

describe("satisfaction survey", () => {
  it("LIFE-39: closing with the survey option sends the workspace's satisfaction survey; without it nothing is sent", async () => {
    await t.req("PATCH", "/api/workspace", { token: w.tokens.admin, body: { settings: { satisfactionSurveyText: "請為本次服務評分 1–5" } } });
    const a = await w.customer(user(), "hi");
    await w.act("agent", a.conversationId, "follow");
    expect((await w.act("agent", a.conversationId, "close", { survey: true })).status).toBe(200);
    const bots = (await messages(a.conversationId)).filter((m: any) => m.senderKind === "bot");
    expect(bots.map((m: any) => [m.text, m.status])).toEqual([["請為本次服務評分 1–5", "sending"]]);
    const b = await w.customer(user(), "hi");
    await w.act("agent", b.conversationId, "follow");
    await w.act("agent", b.conversationId, "close");
    expect((await messages(b.conversationId)).some((m: any) => m.senderKind === "bot")).toBe(false);
  });
});
