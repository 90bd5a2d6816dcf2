import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";
import { makeWorld, type World } from "../support/world.js";
import { receiveCustomerEvent } from "../../src/usecases/receive-inbound.js";

let t: TestApp;
let w: World;
// A real 1×1 PNG.
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
const PDF = Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(200, 32), Buffer.from("\n%%EOF")]);

beforeAll(async () => {
  t = await startTestApp();
  w = await makeWorld(t);
});
afterAll(() => t.close());

async function lineConversation(user: string) {
  const line = await t.req("POST", "/api/channels", { token: w.tokens.admin, body: { platform: "line", name: `L-${user}`, credentials: { channelSecret: "s" } } });
  const r = await receiveCustomerEvent(t.app.ctx, { id: line.body.id, workspace_id: w.workspaceId, platform: "line" }, { type: "message", eventKey: user, at: t.clock.now(), sender: { userId: user }, platformMessageId: user, message: { kind: "text", text: "hi" } });
  if (r.status !== "stored") throw new Error("not stored");
  await w.act("agent", r.conversationId, "follow");
  return r.conversationId;
}

async function upload(conv: string, bytes: Buffer, query: Record<string, string>) {
  const res = await t.app.server.inject({
    method: "POST",
    url: `/api/conversations/${conv}/attachments?${new URLSearchParams(query)}`,
    payload: bytes,
    headers: { authorization: `Bearer ${w.tokens.agent}`, "content-type": "application/octet-stream" },
  });
  return { status: res.statusCode, body: res.json() };
}

describe("media", () => {
  it("MEDIA-1: an agent sends an image; it is stored, 發送中, and served back at its URL with its type", async () => {
    const conv = await lineConversation("m-u1");
    const r = await upload(conv, PNG, { fileName: "photo.png", kind: "image" });
    expect(r.status).toBe(201);
    expect(r.body.message).toMatchObject({ kind: "image", status: "sending", content: { kind: "image", media: { mimeType: "image/png", fileName: "photo.png", size: PNG.length } } });
    const url = new URL(r.body.message.content.media.url);
    const got = await t.app.server.inject({ method: "GET", url: url.pathname });
    expect(got.statusCode).toBe(200);
    expect(got.headers["content-type"]).toBe("image/png");
    expect(got.headers["x-content-type-options"]).toBe("nosniff");
    expect(Buffer.from(got.rawPayload).equals(PNG)).toBe(true);
    expect((await t.app.server.inject({ method: "GET", url: url.pathname.replace(/[^/]+$/, "wrong-token-123") })).statusCode).toBe(404);
  });

  it("MEDIA-8: the bytes decide the type: a .png name on non-image bytes is refused", async () => {
    const conv = await lineConversation("m-u2");
    const r = await upload(conv, Buffer.from("MZ this is not an image at all"), { fileName: "evil.png", kind: "image" });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: "validation", message: "不支援此檔案類型" });
  });

  it("MEDIA-7: a file over the channel's limit is refused with the limit in the message", async () => {
    const { conversationId } = await w.customer("m-u3", "hi"); // API channel: images ≤ 10 MB
    await w.act("agent", conversationId, "follow");
    const big = Buffer.concat([PNG, Buffer.alloc(10 * 1024 * 1024)]);
    const r = await upload(conversationId, big, { fileName: "big.png", kind: "image" });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toBe("檔案超過大小限制(10MB)");
  });

  it("MEDIA-10: a LINE file sent 1:1 gets its download expiry, and after it the link answers expired", async () => {
    const conv = await lineConversation("m-u4");
    const r = await upload(conv, PDF, { fileName: "../../etc/說明.pdf" });
    expect(r.status).toBe(201);
    expect(r.body.message.kind).toBe("file");
    expect(r.body.message.content.media.fileName).toBe("說明.pdf"); // no path survives
    const now = t.clock.now();
    const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const expected = (midnight === now.getTime() ? midnight : midnight + 86_400_000) + 30 * 86_400_000;
    expect(Date.parse(r.body.message.mediaExpiresAt)).toBe(expected);
    const path = new URL(r.body.message.content.media.url).pathname;
    expect((await t.app.server.inject({ method: "GET", url: path })).headers["content-disposition"]).toContain("attachment");
    t.clock.set(new Date(expected + 1000));
    const gone = await t.app.server.inject({ method: "GET", url: path });
    expect(gone.statusCode).toBe(410);
    t.clock.set(now); // back, so the members' sessions are still valid for the next tests
  });

  it("MEDIA-9: files on other channels have no download expiry", async () => {
    const { conversationId } = await w.customer("m-u5", "hi");
    await w.act("agent", conversationId, "follow");
    const r = await upload(conversationId, PDF, { fileName: "a.pdf" });
    expect(r.status).toBe(201);
    expect(r.body.message.mediaExpiresAt).toBeNull();
  });

  it("MEDIA-2: the kind picked in the + menu must be one the channel offers (Instagram: images only)", async () => {
    const ig = await t.req("POST", "/api/channels", { token: w.tokens.admin, body: { platform: "instagram", name: "IG", credentials: { appSecret: "s" } } });
    const r0 = await receiveCustomerEvent(t.app.ctx, { id: ig.body.id, workspace_id: w.workspaceId, platform: "instagram" }, { type: "message", eventKey: "ig1", at: t.clock.now(), sender: { userId: "ig-u" }, platformMessageId: "ig1", message: { kind: "text", text: "hi" } });
    if (r0.status !== "stored") throw new Error("not stored");
    await w.act("agent", r0.conversationId, "follow");
    const r = await upload(r0.conversationId, PDF, { fileName: "a.pdf", kind: "file" });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toBe("不支援此檔案類型");
  });

  it("MEDIA-25: media an agent sends is a human reply (the customer's wait ends, VIEW-21); an image from the customer routes by row 9 (closed → human queue)", async () => {
    const { conversationId } = await w.customer("m-u25", "請問這款還有現貨嗎?");
    expect((await w.act("agent", conversationId, "follow")).status).toBe(200);
    expect((await w.get(w.tokens.agent, `/api/conversations/${conversationId}`)).waitingSince).not.toBeNull();
    const r = await upload(conversationId, PNG, { fileName: "現貨.png", kind: "image" });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(await w.get(w.tokens.agent, `/api/conversations/${conversationId}`)).toMatchObject({ state: "processing", waitingSince: null, waitingLevel: 0 });

    expect((await w.act("agent", conversationId, "close")).status).toBe(200);
    const again = await w.customer("m-u25", undefined, { kind: "image", text: undefined, mediaUrl: "https://example.com/photo.png" });
    expect(again.conversationId).toBe(conversationId);
    expect(await w.get(w.tokens.admin, `/api/conversations/${conversationId}`)).toMatchObject({ state: "pending", queue: "human", waitingSince: expect.any(String) });
  });
});
