/**
 * Issue 7 item 5: Parley driven as a black box, over HTTP only — the test
 * clock, the public setup API and the simulator control API. Nothing here
 * reads the database or touches a simulator object directly.
 */
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";

let t: TestApp;
let origin: string;

interface Res<T = any> {
  status: number;
  body: T;
}

async function api<T = any>(method: string, path: string, body?: unknown, token?: string): Promise<Res<T>> {
  const res = await fetch(`${origin}${path}`, {
    method,
    headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed as T };
}

async function ok<T = any>(p: Promise<Res<T>>, status = 200): Promise<T> {
  const r = await p;
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  return r.body;
}

const PW = "password-123";
let seq = 0;

/** Reset, then a workspace with an admin and an agent, through the public API. */
async function freshWorkspace(): Promise<{ admin: string; agent: string; agentId: string }> {
  await ok(api("POST", "/api/test/reset"));
  const n = ++seq;
  await ok(api("POST", "/api/workspaces", { name: `模擬 ${n}`, admin: { email: `admin${n}@sim.test`, password: PW, name: "Amy" } }), 201);
  const admin = (await ok(api("POST", "/api/auth/login", { email: `admin${n}@sim.test`, password: PW }))).token as string;
  const member = await ok(api("POST", "/api/members", { email: `agent${n}@sim.test`, name: "Jess", role: "agent", password: PW }, admin), 201);
  const agent = (await ok(api("POST", "/api/auth/login", { email: `agent${n}@sim.test`, password: PW }))).token as string;
  return { admin, agent, agentId: member.id };
}

const channel = async (admin: string, platform: string, name = platform): Promise<string> => (await ok(api("POST", "/api/channels", { platform, name }, admin), 201)).id;
const inbound = (channelId: string, body: Record<string, unknown>) => api("POST", `/api/simulator/channels/${channelId}/inbound`, body);
const conversation = (id: string, token: string) => ok(api("GET", `/api/conversations/${id}`, undefined, token));
const messages = async (id: string, token: string): Promise<any[]> => (await ok(api("GET", `/api/conversations/${id}/messages?limit=200`, undefined, token))).items;
const message = async (conv: string, id: string, token: string) => (await messages(conv, token)).find((m) => m.id === id);
const sent = async (channelId: string): Promise<{ items: any[]; held: number }> => ok(api("GET", `/api/simulator/channels/${channelId}/sent`));
const advance = (minutes: number) => ok(api("POST", "/api/test/clock", { advanceMinutes: minutes }));

async function write(channelId: string, body: Record<string, unknown>): Promise<any> {
  const r = await ok(inbound(channelId, body));
  expect(r.webhook.status, JSON.stringify(r.webhook.body)).toBe(200);
  return r;
}

async function followAndReply(conv: string, agent: string, text: string, follow = true): Promise<any> {
  if (follow) await ok(api("POST", `/api/conversations/${conv}/follow`, {}, agent));
  const m = await ok(api("POST", `/api/conversations/${conv}/messages`, { text }, agent), 201);
  expect(m.status).toBe("sending");
  return m;
}

beforeAll(async () => {
  t = await startTestApp({}, { listen: true });
  origin = `http://127.0.0.1:${(t.app.server.server.address() as AddressInfo).port}`;
});
afterAll(() => t?.close());

describe("issue 7: one full scenario over HTTP (LINE)", () => {
  it("VIEW-19, STAT-1, STAT-2, STAT-6, LIFE-11: reset, setup, a customer writes, 31 minutes pass, an agent replies, the push is visible, the customer's next message reads it, close, back to pending", async () => {
    const { admin, agent } = await freshWorkspace();
    const line = await channel(admin, "line", "LINE 官方帳號");

    // The channel was pointed at its simulator, with secrets generated for it.
    const ch = await ok(api("GET", `/api/channels/${line}`, undefined, admin));
    expect(ch.credentialsSet).toEqual(expect.arrayContaining(["apiBaseUrl", "channelSecret", "channelAccessToken"]));
    const sim = await ok(api("GET", `/api/simulator/channels/${line}`));
    expect(sim).toMatchObject({ platform: "line", webhookUrl: `${origin}/webhooks/line/${line}` });
    expect(sim.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    // A named customer writes.
    const first = await write(line, { customer: { id: "lin", name: "林小姐" }, kind: "text", text: "請問營業時間?" });
    expect(first.customer.platformUserId).toMatch(/^U[0-9a-f]{32}$/);
    expect(first.platformMessageId).toMatch(/^\d{18}$/);
    expect(first.platformEventIds).toHaveLength(1);
    const conv: string = first.conversationId;
    expect(await conversation(conv, admin)).toMatchObject({ state: "pending", queue: "human", waitingLevel: 0, contact: { name: "林小姐" } });

    // 31 minutes later: the 30-minute badge.
    await advance(31);
    expect((await conversation(conv, admin)).waitingLevel).toBe(30);

    // An agent follows and replies; the delivery runs when the clock is told to move.
    const reply = await followAndReply(conv, agent, "您好,我們 10 點開門");
    expect(await sent(line)).toEqual({ items: [], held: 0 });
    await advance(0);
    const { items } = await sent(line);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      path: "/v2/bot/message/push",
      status: 200,
      accepted: true,
      recipient: first.customer.platformUserId,
      retryKey: reply.id,
      body: { to: first.customer.platformUserId, messages: [{ type: "text", text: "您好,我們 10 點開門" }] },
    });
    expect(items[0].platformMessageIds).toEqual([items[0].platformMessageId]);
    expect(await message(conv, reply.id, agent)).toMatchObject({ status: "sent", platformMessageId: items[0].platformMessageId });

    // LINE has no read receipt: the control API says so; the customer's next message reads the reply.
    const receipt = await api("POST", `/api/simulator/channels/${line}/receipts`, { platformMessageIds: [items[0].platformMessageId], status: "read" });
    expect(receipt.status).toBe(400);
    expect(receipt.body.error).toMatchObject({ code: "validation" });
    expect(receipt.body.error.messageEn).toMatch(/customer writes again/);
    await advance(1);
    await write(line, { customer: { id: "lin" }, kind: "text", text: "好的,謝謝" });
    expect((await message(conv, reply.id, agent)).status).toBe("read");

    // Close; the customer writes again and the conversation is back in pending.
    await ok(api("POST", `/api/conversations/${conv}/close`, {}, agent));
    expect(await conversation(conv, admin)).toMatchObject({ state: "closed" });
    const again = await write(line, { customer: { id: "lin" }, kind: "text", text: "我又來了" });
    expect(again.conversationId).toBe(conv);
    expect(await conversation(conv, admin)).toMatchObject({ state: "pending", queue: "human" });
  });
});

describe("Messenger: receipts and failures", () => {
  it("STAT-4, STAT-5, STAT-9: delivery then read watermarks, reversed and redelivered, never move a message back", async () => {
    const { admin, agent } = await freshWorkspace();
    const fb = await channel(admin, "messenger", "粉絲專頁");
    const first = await write(fb, { customer: { id: "chen", name: "陳先生" }, kind: "text", text: "有貨嗎?" });
    expect(first.customer.platformUserId).toMatch(/^\d{16}$/);
    expect(first.platformMessageId).toMatch(/^m_/);
    const conv = first.conversationId;
    expect((await conversation(conv, admin)).contact.name).toBe("陳先生");
    const a = await followAndReply(conv, agent, "有的");
    const b = await followAndReply(conv, agent, "需要幫您保留嗎?", false);
    await advance(0);
    const { items } = await sent(fb);
    // ADV-19: human replies on Messenger carry the HUMAN_AGENT tag.
    expect(items.map((i) => i.body)).toEqual([
      { recipient: { id: first.customer.platformUserId }, messaging_type: "MESSAGE_TAG", tag: "HUMAN_AGENT", message: { text: "有的" } },
      { recipient: { id: first.customer.platformUserId }, messaging_type: "MESSAGE_TAG", tag: "HUMAN_AGENT", message: { text: "需要幫您保留嗎?" } },
    ]);
    const [midA, midB] = items.map((i) => i.platformMessageId);
    expect(await message(conv, a.id, agent)).toMatchObject({ status: "sent", platformMessageId: midA });

    const delivered = await ok(api("POST", `/api/simulator/channels/${fb}/receipts`, { platformMessageIds: [midA, midB], status: "delivered" }));
    expect(delivered.receipts.map((r: any) => [r.platformMessageId, r.webhook.status, r.format])).toEqual([
      [midA, 200, "delivery.watermark+mids"],
      [midB, 200, "delivery.watermark+mids"],
    ]);
    expect((await message(conv, a.id, agent)).status).toBe("received");
    expect((await message(conv, b.id, agent)).status).toBe("received");

    const read = await ok(api("POST", `/api/simulator/channels/${fb}/receipts`, { platformMessageIds: [midA, midB], status: "read", order: "reversed" }));
    expect(read.receipts.map((r: any) => r.platformMessageId)).toEqual([midB, midA]);
    expect((await message(conv, a.id, agent)).status).toBe("read");
    expect((await message(conv, b.id, agent)).status).toBe("read");

    // A late, redelivered delivery receipt leaves them read.
    const late = await ok(api("POST", `/api/simulator/channels/${fb}/receipts`, { platformMessageIds: [midB, midA], status: "delivered", redeliver: true }));
    expect(late.redeliveries.map((r: any) => r.webhook.status)).toEqual([200, 200]);
    expect((await message(conv, a.id, agent)).status).toBe("read");
    expect((await message(conv, b.id, agent)).status).toBe("read");
  });

  it("STAT-2: a 5xx from Meta keeps the reply 發送中; after the clock moves the retry sends it", async () => {
    const { admin, agent } = await freshWorkspace();
    const fb = await channel(admin, "messenger");
    const { conversationId: conv } = await write(fb, { customer: { id: "wang" }, kind: "text", text: "在嗎" });
    await ok(api("POST", `/api/simulator/channels/${fb}/failures`, { kind: "server_error", count: 1 }));
    const m = await followAndReply(conv, agent, "在的");
    await advance(0);
    expect((await message(conv, m.id, agent)).status).toBe("sending");
    expect((await sent(fb)).items.map((i) => [i.status, i.accepted])).toEqual([[500, false]]);
    await advance(1);
    const { items } = await sent(fb);
    expect(items.map((i) => i.status)).toEqual([500, 200]);
    expect(await message(conv, m.id, agent)).toMatchObject({ status: "sent", platformMessageId: items[1].platformMessageId });
  });

  it("STAT-13: invalid_recipient fails the reply at once with Meta's reason; window_closed too", async () => {
    const { admin, agent } = await freshWorkspace();
    const fb = await channel(admin, "messenger");
    const { conversationId: conv } = await write(fb, { customer: { id: "lee" }, kind: "text", text: "hi" });
    await ok(api("POST", `/api/simulator/channels/${fb}/failures`, { kind: "invalid_recipient", count: 1 }));
    const m = await followAndReply(conv, agent, "您好");
    await advance(0);
    const failed = await message(conv, m.id, agent);
    expect(failed.status).toBe("failed");
    expect(failed.statusReason).toMatch(/551/);
    await ok(api("POST", `/api/simulator/channels/${fb}/failures`, { kind: "window_closed", count: 1 }));
    const late = await followAndReply(conv, agent, "還在嗎", false);
    await advance(0);
    expect(await message(conv, late.id, agent)).toMatchObject({ status: "failed", statusReason: expect.stringMatching(/outside of allowed window/) });
    expect((await sent(fb)).items.map((i) => i.status)).toEqual([400, 400]);
  });

  it("STAT-2: a held send stays 發送中 until released", async () => {
    const { admin, agent } = await freshWorkspace();
    const fb = await channel(admin, "messenger");
    const { conversationId: conv } = await write(fb, { customer: { id: "hold" }, kind: "text", text: "hi" });
    await ok(api("POST", `/api/simulator/channels/${fb}/hold`));
    const m = await followAndReply(conv, agent, "處理中");
    const draining = advance(0);
    await expect.poll(async () => (await sent(fb)).held).toBe(1);
    expect((await message(conv, m.id, agent)).status).toBe("sending");
    expect(await ok(api("POST", `/api/simulator/channels/${fb}/release`))).toMatchObject({ released: 1 });
    await draining;
    expect((await message(conv, m.id, agent)).status).toBe("sent");
  });
});

describe("LIFE-14: every inbound kind of the routing table through the control API", () => {
  it("LIFE-14 rows 1-4, 8, 9, LIFE-21, LIFE-22: LINE rich menu, community code, text, media", async () => {
    const { admin } = await freshWorkspace();
    const line = await channel(admin, "line");
    await ok(api("POST", "/api/community-codes", { code: "246810" }, admin), 201);
    const expected: [string, Record<string, unknown>, string][] = [
      ["rich_menu_bot_card", {}, "bot"],
      ["rich_menu_text_inbox", { payload: "menu-1" }, "bot"],
      ["rich_menu_text_line_console", { text: "查看菜單" }, "human"],
      ["community_code", { text: "246810" }, "bot"],
      ["text", { text: "我想退貨" }, "human"],
      ["image", {}, "human"],
      ["video", {}, "human"],
      ["audio", {}, "human"],
      ["file", { fileName: "報價單.pdf" }, "human"],
      ["sticker", { sticker: { packageId: "446", stickerId: "1988" } }, "human"],
      ["location", {}, "human"],
    ];
    for (const [kind, extra, queue] of expected) {
      const r = await write(line, { customer: { id: `c-${kind}` }, kind, ...extra });
      expect(await conversation(r.conversationId, admin), kind).toMatchObject({ state: "pending", queue });
    }
    // A quoted reply refers to the quoted message.
    const q = await write(line, { customer: { id: "c-text" }, kind: "text", text: "就是這個" });
    const quoted = await write(line, { customer: { id: "c-text" }, kind: "text", text: "上面那則", quotedPlatformMessageId: q.platformMessageId });
    const ms = await messages(quoted.conversationId, admin);
    const original = ms.find((m) => m.platformMessageId === q.platformMessageId);
    expect(ms.find((m) => m.platformMessageId === quoted.platformMessageId).quotedMessageId).toBe(original.id);
  });

  it("LIFE-14 rows 5, 6, 9: Facebook Get Started and persistent menu go to the bot queue, media to the human queue", async () => {
    const { admin } = await freshWorkspace();
    const fb = await channel(admin, "messenger");
    for (const [kind, queue] of [["fb_get_started", "bot"], ["fb_persistent_menu", "bot"], ["image", "human"], ["video", "human"], ["file", "human"], ["sticker", "human"], ["location", "human"]] as const) {
      const r = await write(fb, { customer: { id: `fb-${kind}` }, kind });
      expect(await conversation(r.conversationId, admin), kind).toMatchObject({ state: "pending", queue });
    }
  });

  it("a kind the platform does not have is 400 with the kinds it offers; unknown channel 404; API channel 400", async () => {
    const { admin } = await freshWorkspace();
    const line = await channel(admin, "line");
    const fb = await channel(admin, "messenger");
    const apiCh = await channel(admin, "api");
    const bad = await inbound(line, { customer: { id: "x" }, kind: "fb_get_started" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("validation");
    expect(bad.body.error.messageEn).toMatch(/not available on line/);
    expect((await inbound(fb, { customer: { id: "x" }, kind: "community_code", text: "123456" })).status).toBe(400);
    expect((await inbound(fb, { customer: { id: "x" }, kind: "follow" })).status).toBe(400);
    expect((await inbound(line, { customer: { id: "x" }, kind: "text" })).status).toBe(400); // no text
    expect((await inbound("8a1c2b4e-0000-4000-8000-000000000000", { customer: { id: "x" }, kind: "text", text: "hi" })).status).toBe(404);
    expect((await inbound("not-a-channel", { customer: { id: "x" }, kind: "text", text: "hi" })).status).toBe(404);
    const onApi = await inbound(apiCh, { customer: { id: "x" }, kind: "text", text: "hi" });
    expect(onApi.status).toBe(400);
    expect(onApi.body.error.messageEn).toMatch(/POST \/api\/channels\/:id\/inbound/);
    expect((await api("POST", `/api/simulator/channels/${fb}/groups/g1/events`, { type: "join" })).status).toBe(400);
    expect((await api("POST", `/api/simulator/channels/${line}/failures`, { kind: "window_closed", count: 1 })).status).toBe(400);
  });

  it("a redelivered inbound webhook stores the message once (LIFE-4)", async () => {
    const { admin } = await freshWorkspace();
    const line = await channel(admin, "line");
    const r = await write(line, { customer: { id: "dup" }, kind: "text", text: "只算一次", redeliver: true });
    expect(r.redelivery.status).toBe(200);
    expect((await messages(r.conversationId, admin)).map((m) => m.text)).toEqual(["只算一次"]);
  });
});

describe("LINE groups, Instagram, WhatsApp, WeChat", () => {
  it("LINE group events: join, members, a message, a mention of the account and an unsend are posted as LINE's events", async () => {
    const { admin } = await freshWorkspace();
    const line = await channel(admin, "line");
    const ev = (body: Record<string, unknown>) => ok(api("POST", `/api/simulator/channels/${line}/groups/vip/events`, body));
    const join = await ev({ type: "join" });
    expect(join.platformGroupId).toMatch(/^C[0-9a-f]{32}$/);
    expect(join.webhook.status).toBe(200);
    const joined = await ev({ type: "member_joined", members: [{ id: "m1", name: "小美" }, { id: "m2" }] });
    expect(joined.members).toHaveLength(2);
    const msg = await ev({ type: "message", customer: { id: "m1" }, text: "大家好" });
    expect(msg.platformMessageId).toMatch(/^\d{18}$/);
    expect((await ev({ type: "mention", customer: { id: "m1" }, text: "請問今天有營業嗎" })).webhook.status).toBe(200);
    expect((await ev({ type: "unsend", customer: { id: "m1" }, platformMessageId: msg.platformMessageId })).webhook.status).toBe(200);
    expect((await ev({ type: "member_left", members: [{ id: "m2" }] })).webhook.status).toBe(200);
    expect((await ev({ type: "leave" })).webhook.status).toBe(200);
    expect((await api("POST", `/api/simulator/channels/${line}/groups/vip/events`, { type: "message" })).status).toBe(400); // who wrote?
  });

  it("Instagram: read receipts as messaging_seen; no delivery receipts", async () => {
    const { admin, agent } = await freshWorkspace();
    const ig = await channel(admin, "instagram");
    const { conversationId: conv, platformMessageId } = await write(ig, { customer: { id: "ig", name: "Mia" }, kind: "text", text: "價格多少?" });
    expect(platformMessageId).toMatch(/^aWdf/);
    const m = await followAndReply(conv, agent, "NT$990");
    await advance(0);
    const [s] = (await sent(ig)).items;
    expect((await api("POST", `/api/simulator/channels/${ig}/receipts`, { platformMessageIds: [s.platformMessageId], status: "delivered" })).status).toBe(400);
    await ok(api("POST", `/api/simulator/channels/${ig}/receipts`, { platformMessageIds: [s.platformMessageId], status: "read" }));
    expect((await message(conv, m.id, agent)).status).toBe("read");
  });

  it("WhatsApp: the name comes in the webhook; statuses delivered and read, out of order (STAT-9)", async () => {
    const { admin, agent } = await freshWorkspace();
    const wa = await channel(admin, "whatsapp");
    const first = await write(wa, { customer: { id: "886912345678", name: "黃小姐" }, kind: "text", text: "你好" });
    expect(first.customer.platformUserId).toBe("886912345678");
    expect((await conversation(first.conversationId, admin)).contact.name).toBe("黃小姐");
    const m = await followAndReply(first.conversationId, agent, "您好,請問需要什麼協助?");
    await advance(0);
    const [s] = (await sent(wa)).items;
    expect(s.body).toMatchObject({ messaging_product: "whatsapp", to: "886912345678" });
    await ok(api("POST", `/api/simulator/channels/${wa}/receipts`, { platformMessageIds: [s.platformMessageId], status: "read" }));
    await ok(api("POST", `/api/simulator/channels/${wa}/receipts`, { platformMessageIds: [s.platformMessageId], status: "delivered", redeliver: true }));
    expect((await message(first.conversationId, m.id, agent)).status).toBe("read");
    for (const kind of ["image", "video", "audio", "file", "sticker", "location"]) {
      const r = await write(wa, { customer: { id: `wa-${kind}` }, kind });
      expect(await conversation(r.conversationId, admin), kind).toMatchObject({ state: "pending", queue: "human" });
    }
  });

  it("WeChat: a follower writes text and media; receipts do not exist there", async () => {
    const { admin } = await freshWorkspace();
    const wx = await channel(admin, "wechat");
    await write(wx, { customer: { id: "wx1" }, kind: "follow" });
    const r = await write(wx, { customer: { id: "wx1", name: "张先生" }, kind: "text", text: "你好" });
    expect(r.customer.platformUserId).toMatch(/^o[\w-]{27}$/);
    expect(await conversation(r.conversationId, admin)).toMatchObject({ state: "pending", queue: "human", contact: { name: "张先生" } });
    for (const kind of ["image", "audio", "video", "location"]) await write(wx, { customer: { id: "wx1" }, kind });
    expect((await messages(r.conversationId, admin)).map((m) => m.kind).sort()).toEqual(["audio", "image", "location", "text", "video"]);
    expect((await api("POST", `/api/simulator/channels/${wx}/receipts`, { platformMessageIds: ["x"], status: "read" })).status).toBe(400);
  });
});

describe("reset and the OpenAPI document", () => {
  it("POST /api/test/reset closes every simulator", async () => {
    const { admin } = await freshWorkspace();
    const line = await channel(admin, "line");
    const { baseUrl } = await ok(api("GET", `/api/simulator/channels/${line}`));
    expect((await ok(api("GET", "/api/simulator/channels"))).items.map((i: any) => i.channelId)).toEqual([line]);
    await ok(api("POST", "/api/test/reset"));
    expect((await ok(api("GET", "/api/simulator/channels"))).items).toEqual([]);
    expect((await api("GET", `/api/simulator/channels/${line}/sent`)).status).toBe(404);
    await expect(fetch(`${baseUrl}/v2/bot/message/push`, { method: "POST" })).rejects.toThrow();
  });

  it("every simulator route is documented under the simulator tag", async () => {
    const doc = await ok(api("GET", "/api/openapi.json"));
    const paths = Object.keys(doc.paths).filter((p) => p.startsWith("/api/simulator/"));
    expect(paths.sort()).toEqual(
      [
        "/api/simulator/channels",
        "/api/simulator/channels/{channelId}",
        "/api/simulator/channels/{channelId}/inbound",
        "/api/simulator/channels/{channelId}/groups/{groupId}/events",
        "/api/simulator/channels/{channelId}/sent",
        "/api/simulator/channels/{channelId}/failures",
        "/api/simulator/channels/{channelId}/hold",
        "/api/simulator/channels/{channelId}/release",
        "/api/simulator/channels/{channelId}/receipts",
      ].sort(),
    );
    for (const p of paths) for (const op of Object.values(doc.paths[p]) as any[]) expect(op.tags, p).toEqual(["simulator"]);
  });
});
