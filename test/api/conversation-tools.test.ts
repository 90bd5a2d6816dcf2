import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";
import { makeWorld, type World } from "../support/world.js";
import { ROLES } from "../../src/domain/roles.js";

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp();
  w = await makeWorld(t);
});
afterAll(() => t.close());

describe("block toggle", () => {
  it("PROF-31: switching 「狀態功能:有效」 off stops the customer's messages; switching it on receives them again", async () => {
    const { conversationId: id } = await w.customer("blk-1", "hello");
    await w.act("agent", id, "follow");
    const off = await t.req("POST", `/api/conversations/${id}/active`, { token: w.tokens.agent, body: { active: false } });
    expect(off.status).toBe(200);
    expect((await w.customer("blk-1", "are you there")).status).toBe("dropped");
    expect((await w.get(w.tokens.agent, `/api/conversations/${id}`)).active).toBe(false);
    await t.req("POST", `/api/conversations/${id}/active`, { token: w.tokens.agent, body: { active: true } });
    expect((await w.customer("blk-1", "back")).status).toBe("stored");
    const texts = (await w.get(w.tokens.agent, `/api/conversations/${id}/messages`)).items.map((m: any) => m.text);
    expect(texts).toContain("back");
    expect(texts).not.toContain("are you there");
  });

  it("PROF-32: while blocked nothing changes (no unread, no state move) and the composer is refused; the switch is logged", async () => {
    const { conversationId: id } = await w.customer("blk-2", "hi");
    await w.act("agent", id, "follow");
    await t.req("POST", `/api/conversations/${id}/messages`, { token: w.tokens.agent, body: { text: "hello" } });
    await t.req("POST", `/api/conversations/${id}/active`, { token: w.tokens.agent, body: { active: false } });
    const before = await w.get(w.tokens.agent, `/api/conversations/${id}`);
    await w.customer("blk-2", "ignored");
    const after = await w.get(w.tokens.agent, `/api/conversations/${id}`);
    expect([after.unreadCount, after.lastMessagePreview, after.state]).toEqual([before.unreadCount, before.lastMessagePreview, before.state]);
    const reply = await t.req("POST", `/api/conversations/${id}/messages`, { token: w.tokens.agent, body: { text: "x" } });
    expect(reply.status).toBe(403);
    const log = (await w.get(w.tokens.agent, `/api/conversations/${id}/status-log`)).items;
    expect(log.at(-1)).toMatchObject({ kind: "blocked", text: "Jess 關閉了對話狀態(封鎖此客人)。" });
  });

  it("PROF-33: any member who may view the conversation may switch it; others get the permission message", async () => {
    const { conversationId: id } = await w.customer("blk-3", "hi");
    await w.act("agent", id, "follow");
    const other = await t.req("POST", `/api/conversations/${id}/active`, { token: w.agent2.token, body: { active: false } });
    expect(other.status).toBe(403);
    expect(other.body.error.message).toBe("沒有權限查看此顧客對話");
    expect((await t.req("POST", `/api/conversations/${id}/active`, { token: w.tokens.supervisor, body: { active: false } })).status).toBe(200);
  });
});

describe("conversation export", () => {
  it("PROF-39: the export is a special setting, refused until the workspace has it", async () => {
    const { conversationId: id } = await w.customer("exp-0", "hi");
    const r = await t.req("GET", `/api/conversations/${id}/export.csv`, { token: w.tokens.admin });
    expect(r.status).toBe(403);
    expect(r.body.error.message).toBe("此功能為特殊設定,如您有需要可與您的專屬顧問或線上客服團隊提出申請");
  });

  it("PROF-38: only 管理員 may export a conversation", async () => {
    await t.req("PATCH", "/api/workspace", { token: w.tokens.admin, body: { settings: { conversationExport: true } } });
    const { conversationId: id } = await w.customer("exp-1", "hi");
    for (const role of ROLES.filter((r) => r !== "admin")) expect((await t.req("GET", `/api/conversations/${id}/export.csv`, { token: w.tokens[role] })).status, role).toBe(403);
    expect((await t.req("GET", `/api/conversations/${id}/export.csv`, { token: w.tokens.admin })).status).toBe(200);
  });

  it("PROF-37: one row per message with time, sender type, agent name and content, UTF-8 with BOM", async () => {
    await t.req("PATCH", "/api/workspace", { token: w.tokens.admin, body: { settings: { conversationExport: true } } });
    await t.req("POST", "/api/keyword-rules", { token: w.tokens.admin, body: { kind: "auto_reply", keywords: ["運費"], matchMode: "contains", replies: [{ text: "滿千免運" }] } });
    const { conversationId: id } = await w.customer("exp-2", "運費多少?");
    t.clock.advance(60_000);
    await w.act("agent", id, "follow");
    await t.req("POST", `/api/conversations/${id}/messages`, { token: w.tokens.agent, body: { text: '好的,"=SUM(A1)" 沒問題' } });
    const res = await t.app.server.inject({ method: "GET", url: `/api/conversations/${id}/export.csv`, headers: { authorization: `Bearer ${w.tokens.admin}` } });
    expect(res.headers["content-type"]).toContain("text/csv");
    const body = res.body;
    expect(body.charCodeAt(0)).toBe(0xfeff);
    const lines = body.slice(1).trim().split("\r\n");
    expect(lines[0]).toBe("時間,由誰發出,名字,對話內容");
    const rows = lines.slice(1).map((l) => l.split(",")[1]);
    expect(rows).toEqual(["客人", "機器人自動回覆", "系統訊息", "客服人員"]);
    expect(lines[1]).toMatch(/^2026-03-02T10:00:00\+08:00,客人,,運費多少\?$/);
    expect(lines[4]).toContain(',客服人員,Jess,"好的,""=SUM(A1)"" 沒問題"');
  });

  it("PROF-36: the last export time is shown and the export is in the state log", async () => {
    const { conversationId: id } = await w.customer("exp-3", "hi");
    expect((await w.get(w.tokens.admin, `/api/conversations/${id}`)).lastExportedAt).toBeNull();
    await t.req("GET", `/api/conversations/${id}/export.csv`, { token: w.tokens.admin });
    const c = await w.get(w.tokens.admin, `/api/conversations/${id}`);
    expect(c.lastExportedAt).toBe(t.clock.now().toISOString());
    const log = (await w.get(w.tokens.admin, `/api/conversations/${id}/status-log`)).items;
    expect(log.at(-1)).toMatchObject({ kind: "exported", text: "Amy 導出了對話。" });
  });
});
