/**
 * The website chat widget through HTTP and the /widget socket, with a
 * socket.io client acting as the frame: visitor sessions and their scope,
 * inbound messages and the page they came from, replies pushed to the
 * visitor, 已收到 / 已讀 receipts, idempotent retries, image uploads checked
 * by their bytes, and presence (用戶已離線).
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtemp, mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { io as connect } from "socket.io-client";
import { makeWorld, type World } from "../support/world.js";
import { startWidgetApp, frameSocket, eventually, type WidgetTestApp, type FrameSocket } from "./support.js";
import { STATUS_TEXT } from "../../src/domain/message-status.js";
import { signVisitorToken, verifyVisitorToken, VISITOR_TOKEN_TTL_MS } from "../../src/channels/webchat/token.js";
import { WIDGET_IMAGE_LIMIT_BYTES } from "../../src/channels/webchat/contract.js";

let t: WidgetTestApp;
let w: World;
let channelId: string;
let restrictedChannelId: string;
let dist: string;
const sockets: FrameSocket[] = [];
let seq = 0;

const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from("JFIF\0"), Buffer.alloc(64, 1), Buffer.from([0xff, 0xd9])]);

beforeAll(async () => {
  // A stand-in for widget/dist, so these tests do not need the vite build (the browser test builds it).
  dist = await mkdtemp(join(tmpdir(), "parley-widget-dist-"));
  await mkdir(join(dist, "assets"));
  await writeFile(join(dist, "loader.js"), "(function(){})();");
  await writeFile(join(dist, "frame.html"), "<!doctype html><title>線上客服</title>");
  await writeFile(join(dist, "assets", "frame-abc123.js"), "export {};");
  t = await startWidgetApp({ distDir: dist });
  w = await makeWorld(t, "widget");
  const ch = await t.req("POST", "/api/channels", { token: w.tokens.admin, body: { platform: "webchat", name: "官網" } });
  expect(ch.status).toBe(201);
  channelId = ch.body.id;
  const r = await t.req("POST", "/api/channels", { token: w.tokens.admin, body: { platform: "webchat", name: "限定網站", settings: { allowedOrigins: ["https://shop.example"] } } });
  restrictedChannelId = r.body.id;
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.close();
  await rm(dist, { recursive: true, force: true });
});

interface Session {
  token: string;
  visitorId: string;
  expiresAt: string;
}

async function session(visitorId?: string, ch = channelId): Promise<Session> {
  const r = await t.req("POST", "/widget/api/sessions", { body: { channelId: ch, visitorId } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

async function say(s: Session, text: string, extra: Record<string, unknown> = {}) {
  return t.req("POST", "/widget/api/messages", { token: s.token, body: { text, clientMessageId: `c-${++seq}-${Date.now()}`, ...extra } });
}

async function frame(s: Session): Promise<FrameSocket> {
  const f = await frameSocket(t.base, s.token);
  sockets.push(f);
  return f;
}

/** The inbox's conversation whose last message is `text` (as an agent sees the pending list). */
async function inboxConversation(text: string, view = "pending_human"): Promise<any> {
  const list = await w.get(w.tokens.admin, `/api/conversations?view=${view}&channelId=${channelId}&limit=100`);
  const c = list.items.find((i: any) => i.lastMessagePreview === text);
  expect(c, `no conversation with "${text}" in ${view}`).toBeDefined();
  return c;
}

async function inboxMessages(conversationId: string): Promise<any[]> {
  return (await w.get(w.tokens.admin, `/api/conversations/${conversationId}/messages?limit=200`)).items;
}

async function reply(conversationId: string, text: string): Promise<string> {
  const r = await t.req("POST", `/api/conversations/${conversationId}/messages`, { token: w.tokens.admin, body: { text } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  expect(r.body.status).toBe("sending");
  return r.body.id;
}

async function statusOf(conversationId: string, messageId: string): Promise<string> {
  return (await inboxMessages(conversationId)).find((m) => m.id === messageId)?.status;
}

/** The frame acknowledges receipt over the socket; resolves with the server's answer. */
function ack(f: FrameSocket, ids: unknown): Promise<any> {
  return new Promise((resolve) => f.socket.emit("received", ids, resolve));
}

describe("visitor sessions", () => {
  it("a visitor gets a 24-hour token for this channel; a kept visitor id is reused, a malformed one replaced", async () => {
    const a = await session();
    expect(a.visitorId).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
    expect(new Date(a.expiresAt).getTime() - t.clock.now().getTime()).toBe(VISITOR_TOKEN_TTL_MS);
    expect(verifyVisitorToken(t.secret, a.token, t.clock.now())).toMatchObject({ channelId, visitorId: a.visitorId, workspaceId: w.workspaceId });
    expect((await session(a.visitorId)).visitorId).toBe(a.visitorId);
    const odd = await session("../../etc/passwd");
    expect(odd.visitorId).not.toContain("/");
    expect(odd.visitorId).not.toBe(a.visitorId);
  });

  it("only an active webchat channel opens sessions; the answer carries no CORS grant and is not cached", async () => {
    const api = await t.req("POST", "/widget/api/sessions", { body: { channelId: w.channelId } });
    expect(api.status).toBe(404);
    expect(api.body.error).toMatchObject({ code: "not_found" });
    expect((await t.req("POST", "/widget/api/sessions", { body: { channelId: "00000000-0000-4000-8000-000000000000" } })).status).toBe(404);
    const bad = await t.req("POST", "/widget/api/sessions", { body: { channelId: "nope" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: "validation" });
    const ok = await t.req("POST", "/widget/api/sessions", { body: { channelId }, headers: { origin: "https://evil.example" } });
    expect(ok.status).toBe(201);
    expect(ok.headers["access-control-allow-origin"]).toBeUndefined();
    expect(ok.headers["cache-control"]).toBe("no-store");
  });

  it("a channel limited to some sites refuses sessions from others and lets only them frame it", async () => {
    const evil = await t.req("POST", "/widget/api/sessions", { body: { channelId: restrictedChannelId, origin: "https://evil.example" } });
    expect(evil.status).toBe(403);
    expect(evil.body.error.code).toBe("forbidden");
    expect((await t.req("POST", "/widget/api/sessions", { body: { channelId: restrictedChannelId } })).status).toBe(403);
    expect((await t.req("POST", "/widget/api/sessions", { body: { channelId: restrictedChannelId, origin: "https://shop.example" } })).status).toBe(201);
    const html = await t.req("GET", `/widget/frame.html?channel=${restrictedChannelId}`);
    expect(html.headers["content-security-policy"]).toContain("frame-ancestors https://shop.example");
  });
});

describe("token scope", () => {
  it("a visitor token reads only its own conversation and opens no member API (401)", async () => {
    const a = await session();
    const b = await session();
    expect((await say(a, "A 的問題")).status).toBe(201);
    expect((await say(b, "B 的問題")).status).toBe(201);
    const ha = await t.req("GET", "/widget/api/messages", { token: a.token });
    const hb = await t.req("GET", "/widget/api/messages", { token: b.token });
    expect(ha.body.items.map((m: any) => m.text)).toEqual(["A 的問題"]);
    expect(hb.body.items.map((m: any) => m.text)).toEqual(["B 的問題"]);

    const conv = await inboxConversation("A 的問題");
    for (const [method, url] of [
      ["GET", "/api/conversations?view=pending_human"],
      ["GET", `/api/conversations/${conv.id}`],
      ["GET", `/api/conversations/${conv.id}/messages`],
      ["POST", `/api/conversations/${conv.id}/messages`],
      ["GET", `/api/contacts/${conv.contact.id}`],
      ["GET", "/api/channels"],
    ] as const) {
      const r = await t.req(method, url, { token: a.token, body: method === "POST" ? { text: "hi" } : undefined });
      expect(r.status, `${method} ${url}`).toBe(401);
      expect(r.body.error.code).toBe("unauthorized");
    }
    // Nor does the member stream accept it.
    const member = connect(t.base, { path: "/socket.io", auth: { token: a.token }, transports: ["websocket"], reconnection: false, forceNew: true });
    const refused = await new Promise<string>((resolve) => member.once("connect_error", (e: Error) => resolve(e.message)));
    member.close();
    expect(refused).toBe("unauthorized");
  });

  it("a forged, foreign or member token opens no widget endpoint or socket", async () => {
    const a = await session();
    const [head, body, sig] = a.token.split(".");
    const claims = JSON.parse(Buffer.from(body, "base64url").toString());
    const forgedBody = Buffer.from(JSON.stringify({ ...claims, v: "someone-else-visitor-id" })).toString("base64url");
    const foreign = signVisitorToken("another-secret-another-secret-another-secret", { workspaceId: w.workspaceId, channelId, visitorId: a.visitorId }, t.clock.now()).token;
    for (const token of [`${head}.${forgedBody}.${sig}`, foreign, w.tokens.admin, w.integration, "garbage"]) {
      const r = await t.req("GET", "/widget/api/messages", { token });
      expect(r.status).toBe(401);
      expect(r.body.error).toMatchObject({ code: "unauthorized", message: expect.any(String) });
      await expect(frameSocket(t.base, token)).rejects.toThrow("unauthorized");
    }
    expect((await t.req("GET", "/widget/api/messages")).status).toBe(401);
    await expect(frameSocket(t.base, undefined)).rejects.toThrow("unauthorized");
    await expect(frameSocket(t.base, { not: "a string" })).rejects.toThrow("unauthorized");
  });
});

describe("messages from the visitor", () => {
  it("PROF-34, LIFE-11: a visitor's message opens a pending conversation in the inbox, with the page it was sent from", async () => {
    const s = await session();
    const r = await say(s, "請問這件有 M 號嗎?", { pageUrl: "https://shop.example/products/42?color=red", pageTitle: "  純棉T恤 - 商品頁 " });
    expect(r.status).toBe(201);
    expect(r.body.message).toMatchObject({ from: "visitor", kind: "text", text: "請問這件有 M 號嗎?", clientMessageId: expect.any(String) });
    expect(Object.keys(r.body.message).sort()).toEqual(["clientMessageId", "createdAt", "from", "id", "kind", "text"]);

    const conv = await inboxConversation("請問這件有 M 號嗎?");
    expect(conv).toMatchObject({ state: "pending", queue: "human", channel: { id: channelId, platform: "webchat" } });
    const contact = await w.get(w.tokens.admin, `/api/contacts/${conv.contact.id}`);
    expect(contact).toMatchObject({ online: true, lastPageUrl: "https://shop.example/products/42?color=red" });
    const row = await t.app.ctx.db.selectFrom("contacts").select(["last_page_title", "last_seen_at"]).where("id", "=", conv.contact.id).executeTakeFirstOrThrow();
    expect(row.last_page_title).toBe("純棉T恤 - 商品頁");
    expect(row.last_seen_at).not.toBeNull();

    // Writing from another page moves the record.
    await say(s, "還有 L 號嗎?", { pageUrl: "https://shop.example/products/43", pageTitle: "另一件" });
    expect((await w.get(w.tokens.admin, `/api/contacts/${conv.contact.id}`)).lastPageUrl).toBe("https://shop.example/products/43");
  });

  it("a retry with the same clientMessageId stores one message", async () => {
    const s = await session();
    const body = { text: "重送測試", clientMessageId: "retry-0001-abcdef" };
    const first = await t.req("POST", "/widget/api/messages", { token: s.token, body });
    const again = await t.req("POST", "/widget/api/messages", { token: s.token, body });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.message.id).toBe(first.body.message.id);
    const conv = await inboxConversation("重送測試");
    expect((await inboxMessages(conv.id)).filter((m) => m.senderKind === "customer")).toHaveLength(1);
    expect((await t.req("GET", "/widget/api/messages", { token: s.token })).body.items).toHaveLength(1);
    // Another visitor may use the same client id: it is scoped to the visitor.
    const other = await session();
    expect((await t.req("POST", "/widget/api/messages", { token: other.token, body })).status).toBe(201);
  });

  it("refuses empty, unstorable or oddly addressed input with the API's error shape", async () => {
    const s = await session();
    for (const body of [
      { text: "   ", clientMessageId: "val-000001" },
      { text: "a\u0000b", clientMessageId: "val-000002" },
      { text: "hi", clientMessageId: "x" },
      { text: "hi", clientMessageId: "val-000003", pageUrl: "javascript:alert(1)" },
      { text: "x".repeat(5001), clientMessageId: "val-000004" },
    ]) {
      const r = await t.req("POST", "/widget/api/messages", { token: s.token, body });
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(r.body.error).toMatchObject({ code: "validation", message: expect.any(String) });
    }
  });
});

describe("replies and their status", () => {
  it("STAT-7, STAT-10, STAT-12: an agent's reply is pushed to the visitor's socket, the frame's receipt makes it 已收到 and the read call 已讀", async () => {
    const s = await session();
    await say(s, "想確認訂單");
    const conv = await inboxConversation("想確認訂單");
    expect((await w.act("admin", conv.id, "follow")).status).toBe(200);
    const f = await frame(s);
    const tab2 = await frame(s); // a second tab of the same visitor

    const id = await reply(conv.id, "您好,請提供訂單編號 <b>謝謝</b>");
    await t.app.worker.drain();
    const pushed = await f.next("message", (m) => m.id === id);
    expect(pushed).toEqual({ id, from: "agent", kind: "text", text: "您好,請提供訂單編號 <b>謝謝</b>", status: "sent", createdAt: expect.any(String) });
    await tab2.next("message", (m) => m.id === id);
    expect(await statusOf(conv.id, id)).toBe("sent");

    // STAT-10: the widget reports delivery.
    expect(await ack(f, [id])).toEqual({ ok: true, received: [id] });
    expect(await statusOf(conv.id, id)).toBe("received");
    expect(STATUS_TEXT.received.zh).toBe("已收到");
    await tab2.next("message.status", (x) => x.id === id && x.status === "received");

    // STAT-7, STAT-12: the frame (open, visible, focused) says it was read.
    const read = await t.req("POST", "/widget/api/read", { token: s.token, body: { upToMessageId: id } });
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ ok: true, read: 1 });
    expect(await statusOf(conv.id, id)).toBe("read");
    expect(STATUS_TEXT.read.zh).toBe("已讀");
    await f.next("message.status", (x) => x.id === id && x.status === "read");

    // STAT-9: a late receipt does not move it back.
    expect(await ack(f, [id])).toEqual({ ok: true, received: [] });
    expect(await statusOf(conv.id, id)).toBe("read");
    const history = (await t.req("GET", "/widget/api/messages", { token: s.token })).body.items;
    expect(history.find((m: any) => m.id === id)).toMatchObject({ from: "agent", status: "read" });
  });

  it("STAT-12: the read call covers the replies up to the one named, not the later ones", async () => {
    const s = await session();
    await say(s, "兩則回覆");
    const conv = await inboxConversation("兩則回覆");
    await w.act("admin", conv.id, "follow");
    const f = await frame(s);
    const first = await reply(conv.id, "第一則");
    t.clock.advance(1000);
    const second = await reply(conv.id, "第二則");
    await t.app.worker.drain();
    await f.next("message", (m) => m.id === second);
    expect((await t.req("POST", "/widget/api/read", { token: s.token, body: { upToMessageId: first } })).body).toEqual({ ok: true, read: 1 });
    expect(await statusOf(conv.id, first)).toBe("read");
    expect(await statusOf(conv.id, second)).toBe("sent");
    expect((await t.req("POST", "/widget/api/read", { token: s.token, body: { upToMessageId: second } })).body).toEqual({ ok: true, read: 1 });
    expect(await statusOf(conv.id, second)).toBe("read");
  });

  it("another visitor can neither acknowledge nor read someone else's reply", async () => {
    const s = await session();
    await say(s, "別人的回覆");
    const conv = await inboxConversation("別人的回覆");
    await w.act("admin", conv.id, "follow");
    const id = await reply(conv.id, "只給你");
    await t.app.worker.drain();
    const intruder = await session();
    await say(intruder, "我是別人");
    const f = await frame(intruder);
    expect(await ack(f, [id, "not-a-uuid", 42])).toEqual({ ok: true, received: [] });
    const r = await t.req("POST", "/widget/api/read", { token: intruder.token, body: { upToMessageId: id } });
    expect(r.status).toBe(404);
    expect(r.body.error).toMatchObject({ code: "not_found", message: expect.any(String) });
    expect(await statusOf(conv.id, id)).toBe("sent");
    expect(f.events.filter((e) => e.name === "message")).toEqual([]);
  });

  it("a reply to an offline visitor is still 已送出 and comes with the history; internal messages never do", async () => {
    const s = await session();
    await say(s, "晚點再看");
    const conv = await inboxConversation("晚點再看");
    await w.act("admin", conv.id, "follow"); // writes the system message 「Amy 跟進了對話。」
    const id = await reply(conv.id, "已為您查詢");
    await t.app.worker.drain();
    expect(await statusOf(conv.id, id)).toBe("sent");
    const all = await inboxMessages(conv.id);
    expect(all.some((m) => m.senderKind === "system")).toBe(true);

    const history = (await t.req("GET", "/widget/api/messages", { token: s.token })).body.items;
    expect(history.map((m: any) => [m.from, m.text, m.status])).toEqual([
      ["visitor", "晚點再看", undefined],
      ["agent", "已為您查詢", "sent"],
    ]);
    for (const m of history) {
      for (const k of Object.keys(m)) expect(["id", "from", "kind", "text", "imageUrl", "status", "clientMessageId", "createdAt"]).toContain(k);
    }
    // Once the frame opens it confirms what it got.
    const f = await frame(s);
    expect(await ack(f, [id])).toEqual({ ok: true, received: [id] });
  });
});

describe("image uploads", () => {
  const upload = (s: Session, bytes: Buffer, q: Record<string, string>, type = "application/octet-stream") =>
    t.req("POST", `/widget/api/uploads?${new URLSearchParams({ clientMessageId: `up-${++seq}-${Date.now()}`, ...q })}`, { token: s.token, body: bytes, headers: { "content-type": type } });

  it("MEDIA-6, MEDIA-7: a PNG becomes an image message in the inbox and is served back by its id", async () => {
    const s = await session();
    const r = await upload(s, PNG, { name: "商品照片.png", pageUrl: "https://shop.example/p/1" });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.message).toMatchObject({ from: "visitor", kind: "image", imageUrl: expect.stringMatching(/^\/widget\/api\/uploads\/[0-9a-f-]{36}$/) });
    const got = await t.app.server.inject({ method: "GET", url: r.body.message.imageUrl });
    expect(got.statusCode).toBe(200);
    expect(got.headers["content-type"]).toBe("image/png");
    expect(got.headers["x-content-type-options"]).toBe("nosniff");
    expect(got.rawPayload.equals(PNG)).toBe(true);
    const conv = await inboxConversation("[圖片]");
    const [m] = (await inboxMessages(conv.id)).filter((x) => x.kind === "image");
    expect(m.content.media).toMatchObject({ mimeType: "image/png", fileName: "商品照片.png", size: PNG.length, url: r.body.message.imageUrl });
  });

  it("the type comes from the bytes: JPEG bytes named .png are a JPEG, text named .png is refused (400)", async () => {
    const s = await session();
    const jpeg = await upload(s, JPEG, { name: "photo.png" }, "image/png");
    expect(jpeg.status).toBe(201);
    const served = await t.app.server.inject({ method: "GET", url: jpeg.body.message.imageUrl });
    expect(served.headers["content-type"]).toBe("image/jpeg");

    const before = (await readdir(t.uploadsDir)).length;
    for (const bytes of [Buffer.from("<svg onload=alert(1)>not an image</svg>"), Buffer.from("GIF89a......"), Buffer.from("%PDF-1.7"), Buffer.alloc(0)]) {
      const r = await upload(s, bytes, { name: "photo.png" }, "image/png");
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ error: { code: "unsupported_file_type", message: "不支援此檔案類型", messageEn: expect.any(String) } });
    }
    const wrongType = await upload(s, PNG, { name: "a.png" }, "application/pdf");
    expect(wrongType.status).toBe(415);
    expect(wrongType.body.error).toMatchObject({ code: "unsupported_file_type", message: "不支援此檔案類型" });
    expect((await readdir(t.uploadsDir)).length).toBe(before);
  });

  it("file names that name a path are refused; nothing is written", async () => {
    const s = await session();
    const before = (await readdir(t.uploadsDir)).length;
    for (const name of ["../../etc/passwd", "..\\..\\win.ini", "a/b.png", "/etc/passwd.png", "C:evil.png", ".htaccess", "..", "x\u0000.png", ""]) {
      const r = await upload(s, PNG, { name });
      expect(r.status, name).toBe(400);
      expect(r.body.error).toMatchObject({ code: "invalid_file_name", message: "檔案名稱不合法" });
    }
    // Percent-encoded traversal in the URL is decoded first and refused the same way.
    const enc = await t.req("POST", "/widget/api/uploads?clientMessageId=enc-000001&name=%2e%2e%2f%2e%2e%2fx.png", { token: s.token, body: PNG, headers: { "content-type": "image/png" } });
    expect(enc.status).toBe(400);
    expect((await readdir(t.uploadsDir)).length).toBe(before);
    for (const url of ["/widget/api/uploads/..%2f..%2fpackage.json", "/widget/api/uploads/%2e%2e", "/widget/api/uploads/..%5c..%5cwin.ini"]) {
      const r = await t.req("GET", url);
      // Refused by the id's schema (400) or by the router (404): never a file.
      expect([400, 404], url).toContain(r.status);
      expect(r.body.error).toMatchObject({ code: expect.stringMatching(/^(validation|not_found)$/), message: expect.any(String) });
    }
    expect((await t.req("GET", "/widget/api/uploads/00000000-0000-4000-8000-000000000000")).status).toBe(404);
  });

  it("MEDIA-7: images up to 10 MB are accepted, larger ones refused with 檔案超過大小限制(10MB) (413); a retry stores one", async () => {
    const s = await session();
    const exact = Buffer.concat([PNG, Buffer.alloc(WIDGET_IMAGE_LIMIT_BYTES - PNG.length)]);
    const clientMessageId = "big-000000001";
    const ok = await t.req("POST", `/widget/api/uploads?clientMessageId=${clientMessageId}&name=big.png`, { token: s.token, body: exact, headers: { "content-type": "image/png" } });
    expect(ok.status).toBe(201);
    const again = await t.req("POST", `/widget/api/uploads?clientMessageId=${clientMessageId}&name=big.png`, { token: s.token, body: PNG, headers: { "content-type": "image/png" } });
    expect(again.status).toBe(200);
    expect(again.body.message.id).toBe(ok.body.message.id);
    const tooBig = await upload(s, Buffer.concat([exact, Buffer.alloc(1)]), { name: "big.png" });
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error).toMatchObject({ code: "file_too_large", message: "檔案超過大小限制(10MB)" });
  });
});

describe("presence", () => {
  it("PROF-34: when the visitor's last socket closes the contact turns 用戶已離線 at once for the inbox, and the page link is not kept", async () => {
    const s = await session();
    await say(s, "我在看商品", { pageUrl: "https://shop.example/products/7", pageTitle: "商品 7" });
    const conv = await inboxConversation("我在看商品");
    const contactUrl = `/api/contacts/${conv.contact.id}`;
    const agent = connect(t.base, { path: "/socket.io", auth: { token: w.tokens.admin }, transports: ["websocket"], reconnection: false, forceNew: true });
    const updates: any[] = [];
    agent.on("conversation.updated", (d) => updates.push(d));
    await new Promise((r) => agent.once("ready", r));

    const one = await frame(s);
    const two = await frame(s);
    one.close();
    await new Promise((r) => setTimeout(r, 300)); // past this harness's grace (50 ms): another tab is still open
    expect(await w.get(w.tokens.admin, contactUrl)).toMatchObject({ online: true, lastPageUrl: "https://shop.example/products/7" });

    two.close();
    await eventually(async () => !(await w.get(w.tokens.admin, contactUrl)).online, 5000, "offline");
    expect(await w.get(w.tokens.admin, contactUrl)).toMatchObject({ online: false, lastPageUrl: null });
    await eventually(async () => updates.find((u) => u.conversationId === conv.id && u.contact?.online === false), 3000, "conversation.updated");
    agent.close();

    // Back on the site: online again; the page is recorded with the next message.
    const back = await frame(s);
    await eventually(async () => (await w.get(w.tokens.admin, contactUrl)).online, 3000, "online again");
    await say(s, "我回來了", { pageUrl: "https://shop.example/cart" });
    expect((await w.get(w.tokens.admin, contactUrl)).lastPageUrl).toBe("https://shop.example/cart");
    back.close();
  });
});

describe("the built widget", () => {
  it("serves the loader as a cross-origin script, the frame with a CSP, and nothing outside widget/dist", async () => {
    const loader = await t.req("GET", "/widget/loader.js");
    expect(loader.status).toBe(200);
    expect(loader.headers["content-type"]).toMatch(/^text\/javascript/);
    expect(loader.headers["cross-origin-resource-policy"]).toBe("cross-origin");
    const html = await t.req("GET", `/widget/frame.html?channel=${channelId}`);
    expect(html.status).toBe(200);
    expect(html.headers["content-security-policy"]).toContain("script-src 'self'");
    expect(html.headers["content-security-policy"]).not.toContain("frame-ancestors");
    expect(html.headers["x-frame-options"]).toBeUndefined();
    expect((await t.req("GET", "/widget/assets/frame-abc123.js")).headers["cache-control"]).toContain("immutable");
    for (const url of ["/widget/assets/..%2f..%2fpackage.json", "/widget/assets/.env.js", "/widget/assets/missing.js", "/widget/../package.json"]) {
      expect((await t.req("GET", url)).status, url).toBe(404);
    }
  });
});

describe("token expiry", () => {
  it("a visitor token works for 24 hours, then the frame must open a new session for the same visitor", async () => {
    const s = await session();
    t.clock.advance(VISITOR_TOKEN_TTL_MS - 60_000);
    expect((await t.req("GET", "/widget/api/messages", { token: s.token })).status).toBe(200);
    t.clock.advance(60_000);
    expect((await t.req("GET", "/widget/api/messages", { token: s.token })).status).toBe(401);
    await expect(frameSocket(t.base, s.token)).rejects.toThrow("unauthorized");
    const renewed = await session(s.visitorId);
    expect(renewed.visitorId).toBe(s.visitorId);
    expect((await t.req("GET", "/widget/api/messages", { token: renewed.token })).status).toBe(200);
  });
});
