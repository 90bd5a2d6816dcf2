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

describe("conversation flow through the API", () => {
  it("LIFE-11: a new customer message opens a pending conversation; follow, transfer, close, reopen move it", async () => {
    const { conversationId: id } = await w.customer("flow-1", "我想詢問訂單狀態");
    let c = await w.get(w.tokens.agent, `/api/conversations/${id}`);
    expect(c).toMatchObject({ state: "pending", queue: "human", actions: ["follow", "close"] });
    expect(c.avatars).toHaveLength(3); // VIEW-16

    const f = await w.act("agent", id, "follow");
    expect(f.status).toBe(200);
    expect(f.body).toMatchObject({ state: "processing", follower: { id: w.ids.agent }, view: "my_processing" });

    const tr = await w.act("agent", id, "transfer", { toMemberId: w.agent2.id });
    expect(tr.status).toBe(200);
    c = await w.get(w.agent2.token, `/api/conversations/${id}`);
    expect(c).toMatchObject({ state: "processing", follower: { id: w.agent2.id }, view: "my_processing" });

    expect((await w.act("agent2", id, "close")).status).toBe(200);
    c = await w.get(w.agent2.token, `/api/conversations/${id}`);
    expect(c).toMatchObject({ state: "closed", view: "my_closed", actions: ["reopen"] });

    expect((await w.act("agent2", id, "reopen")).status).toBe(200);
    c = await w.get(w.agent2.token, `/api/conversations/${id}`);
    expect(c).toMatchObject({ state: "processing", follower: { id: w.agent2.id } });

    const log = await w.get(w.tokens.admin, `/api/conversations/${id}/status-log`);
    expect(log.items.map((e: any) => e.text)).toEqual([
      "客人發起了新對話,進入待處理-真人客服。",
      "Jess 跟進了對話。",
      "Jess 將對話轉給了 Jess A。",
      "Jess A 結束了對話。",
      "Jess A 重啟了對話。",
    ]);
  });

  it("LIFE-36: the second of two members following the same conversation gets the state-changed error", async () => {
    const { conversationId: id } = await w.customer("flow-2");
    const [a, b] = await Promise.all([w.act("agent", id, "follow"), w.act("agent2", id, "follow")]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    expect(loser.body.error).toMatchObject({ code: "state_changed", message: "此對話狀態已變更,請重新整理" });
  });

  it("VIEW-46: a batch transfer of 21 conversations is refused with the spec's message", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 21; i++) {
      const { conversationId } = await w.customer(`batch-${i}`);
      ids.push(conversationId);
    }
    const r = await t.req("POST", "/api/conversations/batch", { token: w.tokens.agent, body: { action: "transfer", ids, toMemberId: w.agent2.id } });
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: "batch_limit", message: "移轉事件單次操作上限為20筆" });
  });

  it("STAT-1: an agent reply is stored as sending and the delivery job marks it sent", async () => {
    const { conversationId: id } = await w.customer("flow-3");
    await w.act("agent", id, "follow");
    const r = await t.req("POST", `/api/conversations/${id}/messages`, { token: w.tokens.agent, body: { text: "您好 {{system:customer_name}}" } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ status: "sending", senderKind: "agent", text: "您好 客人flow-3" });
    await t.app.worker.drain();
    const msgs = await w.get(w.tokens.agent, `/api/conversations/${id}/messages`);
    expect(msgs.items[0]).toMatchObject({ id: r.body.id, status: "sent" });
  });
});

describe("member preferences", () => {
  it("VIEW-8: the channel filter is remembered per member until changed", async () => {
    const set = await t.req("PATCH", "/api/me/preferences", { token: w.tokens.agent, body: { channelId: w.channelId } });
    expect(set.status).toBe(200);
    expect((await w.get(w.tokens.agent, "/api/me/preferences")).channelId).toBe(w.channelId);
    expect((await w.get(w.tokens.admin, "/api/me/preferences")).channelId).toBeUndefined();
    await t.req("PATCH", "/api/me/preferences", { token: w.tokens.agent, body: { channelId: null } });
    expect((await w.get(w.tokens.agent, "/api/me/preferences")).channelId).toBeNull();
    const bad = await t.req("PATCH", "/api/me/preferences", { token: w.tokens.agent, body: { channelId: "00000000-0000-4000-8000-000000000000" } });
    expect(bad.status).toBe(404);
  });
});
