import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";
import { makeWorld, type World } from "../support/world.js";

let t: TestApp;
let w: World;
let channelId = "";
let n = 0;
beforeAll(async () => {
  t = await startTestApp();
  w = await makeWorld(t);
  channelId = (await t.req("POST", "/api/channels", { token: w.tokens.admin, body: { platform: "api", name: "extra" } })).body.id;
});
afterAll(() => t.close());

const customer = async () => (await t.req("POST", `/api/channels/${channelId}/inbound`, { token: w.integration, body: { userId: `vx-${++n}`, messageId: `vx-${n}`, text: "hi" } })).body.conversationId as string;

describe("inbox filters and batch actions", () => {
  it("VIEW-11: the inbox offers the three filter groups — type, follow type, other (overdue, unread) — and they combine with AND", async () => {
    const waiting = await customer();
    await w.act("agent", waiting, "follow");
    t.clock.advance(40 * 60_000);
    const fresh = await customer();
    await w.act("agent", fresh, "follow");
    const ids = async (q: string) => (await w.get(w.tokens.agent, `/api/conversations?view=my_processing&channelId=${channelId}${q}`)).items.map((c: any) => c.id);
    expect((await ids("&type=individual&followType=follower_only")).sort()).toEqual([waiting, fresh].sort());
    expect(await ids("&type=individual&followType=follower_only&overdue=true")).toEqual([waiting]);
    await t.req("POST", `/api/conversations/${waiting}/view`, { token: w.tokens.agent });
    expect(await ids("&overdue=true&unread=true")).toEqual([]);
    expect(await ids("&type=group")).toEqual([]);
    expect((await t.req("GET", `/api/conversations?view=my_processing&type=everything`, { token: w.tokens.agent })).status).toBe(400);
  });

  it("VIEW-38: batch management follows, transfers, closes, deletes and blacklists many conversations at once", async () => {
    const batch = (token: string, action: string, ids: string[], extra: Record<string, unknown> = {}) =>
      t.req("POST", "/api/conversations/batch", { token, body: { action, ids, ...extra } });
    const a = [await customer(), await customer()];
    expect((await batch(w.tokens.admin, "follow", a)).body).toMatchObject({ succeeded: 2, failed: 0 });
    expect((await batch(w.tokens.admin, "transfer", a, { toMemberId: w.ids.agent })).body).toMatchObject({ succeeded: 2, summary: "成功移轉 2 筆,失敗 0 筆" });
    expect((await batch(w.tokens.agent, "close", a)).body).toMatchObject({ succeeded: 2, summary: "成功結束 2 筆,失敗 0 筆" });
    const b = [await customer(), await customer()];
    expect((await batch(w.tokens.supervisor, "delete", [b[0]])).body.succeeded).toBe(1);
    expect((await batch(w.tokens.supervisor, "blacklist", [b[1]])).body.succeeded).toBe(1);
    for (const id of b) expect((await t.req("GET", `/api/conversations/${id}`, { token: w.tokens.admin })).status).toBe(404);
  });
});
