import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";
import { makeWorld, type World } from "../support/world.js";

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp();
  w = await makeWorld(t);
});
afterAll(() => t.close());

describe("state log and categories", () => {
  it("LIFE-40: the state log gives each event's time and the member responsible", async () => {
    const { conversationId: id } = await w.customer("log-1");
    t.clock.advance(60_000);
    await w.act("agent", id, "follow");
    t.clock.advance(60_000);
    await w.act("agent", id, "close");
    const log = (await w.get(w.tokens.agent, `/api/conversations/${id}/status-log`)).items;
    expect(log.map((e: any) => [e.kind, e.actor?.name ?? null])).toEqual([
      ["created", null],
      ["followed", "Jess"],
      ["closed", "Jess"],
    ]);
    const times = log.map((e: any) => Date.parse(e.at));
    expect(times[1] - times[0]).toBe(60_000);
    expect(times[2] - times[1]).toBe(60_000);
  });

  it("LIFE-42: the log is append-only and visible exactly to members who may view the conversation", async () => {
    const { conversationId: id } = await w.customer("log-2");
    await w.act("agent", id, "follow");
    const before = (await w.get(w.tokens.agent, `/api/conversations/${id}/status-log`)).items;
    await w.act("agent", id, "transfer", { toMemberId: w.agent2.id });
    const after = (await w.get(w.tokens.admin, `/api/conversations/${id}/status-log`)).items;
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after).toHaveLength(before.length + 1);
    // The agent handed it over: it is now agent2's, and an agent does not see team views.
    const denied = await t.req("GET", `/api/conversations/${id}/status-log`, { token: w.tokens.agent });
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toBe("沒有權限查看此顧客對話");
    // No route changes or deletes log entries.
    const doc = await t.req("GET", "/api/openapi.json");
    const logRoutes = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>).filter(([p]) => p.includes("status-log"));
    expect(logRoutes.flatMap(([, ops]) => Object.keys(ops))).toEqual(["get"]);
  });

  it("LIFE-1: channels of every platform the inbox consolidates can be connected, each with its webhook URL", async () => {
    for (const platform of ["line", "messenger", "instagram", "whatsapp", "wechat", "webchat"]) {
      const r = await t.req("POST", "/api/channels", { token: w.tokens.admin, body: { platform, name: platform, credentials: { secret: "x" } } });
      expect(r.status, platform).toBe(201);
      if (platform !== "webchat") expect(r.body.webhookUrl).toMatch(new RegExp(`/webhooks/(line|meta|whatsapp|wechat)/${r.body.id}$`));
    }
  });

  it("LIFE-2: a conversation tells its category: 1-to-1 (individual), collaborative or group", async () => {
    const { conversationId: id } = await w.customer("log-3");
    const c = await w.get(w.tokens.admin, `/api/conversations/${id}`);
    expect(c).toMatchObject({ kind: "individual", isCollaborative: false });
  });
});
