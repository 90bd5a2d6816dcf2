import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";
import { makeWorld, type World } from "../support/world.js";
import type { Role } from "../../src/domain/roles.js";

let t: TestApp;
let w: World;
let seq = 0;

beforeAll(async () => {
  t = await startTestApp();
  w = await makeWorld(t, "batch");
  // 「營業時間」 puts a new conversation in the bot queue (LIFE-8).
  const r = await t.req("POST", "/api/keyword-rules", { token: w.tokens.admin, body: { kind: "auto_reply", keywords: ["營業時間"], matchMode: "contains", replies: [{ text: "週一至週五 10:00–19:00" }] } });
  expect(r.status).toBe(201);
});
afterAll(() => t.close());

type Who = Role | "agent2";
const tokenOf = (who: Who) => (who === "agent2" ? w.agent2.token : w.tokens[who]);
const user = () => `bu-${++seq}`;
const STATE_CHANGED = "此對話狀態已變更,請重新整理";

async function pending(n: number, text = "你好"): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await w.customer(user(), text)).conversationId);
  return out;
}
async function act(who: Who, id: string, action: string, body?: unknown) {
  const r = await w.act(who, id, action, body);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}
async function followed(who: Who, n: number): Promise<string[]> {
  const ids = await pending(n);
  for (const id of ids) await act(who, id, "follow");
  return ids;
}
const batch = (who: Who, action: string, ids: string[], extra: Record<string, unknown> = {}) =>
  t.req("POST", "/api/conversations/batch", { token: tokenOf(who), body: { action, ids, ...extra } });
async function batchOk(who: Who, action: string, ids: string[], extra: Record<string, unknown> = {}) {
  const r = await batch(who, action, ids, extra);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}
const conv = (who: Who, id: string) => w.get(tokenOf(who), `/api/conversations/${id}`);
async function listIds(who: Who, view: string): Promise<string[]> {
  return (await w.get(tokenOf(who), `/api/conversations?view=${view}&channelId=${w.channelId}&limit=100`)).items.map((c: any) => c.id);
}
const counts = (who: Who) => w.get(tokenOf(who), `/api/conversations/counts?channelId=${w.channelId}`);
const notifications = async (who: Who) => (await w.get(tokenOf(who), "/api/notifications")).items;

describe("batch actions from the pending queues", () => {
  it("VIEW-39: batch follow from pending (human and bot queue) moves every conversation to my processing", async () => {
    const human = await pending(2);
    const [bot] = await pending(1, "營業時間?");
    expect(await conv("agent", bot)).toMatchObject({ queue: "bot" });
    const ids = [...human, bot];
    const r = await batchOk("agent", "follow", ids);
    expect(r).toMatchObject({ action: "follow", succeeded: 3, failed: 0, summary: "成功跟進 3 筆,失敗 0 筆" });
    expect(r.results).toEqual(ids.map((id) => ({ id, ok: true })));
    const mine = await listIds("agent", "my_processing");
    for (const id of ids) {
      expect(mine).toContain(id);
      expect(await conv("agent", id)).toMatchObject({ state: "processing", follower: { id: w.ids.agent } });
    }
  });

  it("VIEW-39: batch close from pending closes them into the closer's my closed", async () => {
    const ids = await pending(3);
    const before = await counts("agent");
    const r = await batchOk("agent", "close", ids);
    expect(r).toMatchObject({ succeeded: 3, failed: 0, summary: "成功結束 3 筆,失敗 0 筆" });
    const closed = await listIds("agent", "my_closed");
    for (const id of ids) expect(closed).toContain(id);
    expect(await counts("agent")).toMatchObject({ pending_human: before.pending_human - 3, my_closed: before.my_closed + 3 });
  });

  it("VIEW-57: batch close has no size limit: 25 conversations in one operation", async () => {
    const ids = await pending(25);
    const r = await batchOk("supervisor", "close", ids);
    expect(r).toMatchObject({ succeeded: 25, failed: 0, summary: "成功結束 25 筆,失敗 0 筆" });
    expect(r.results.every((x: any) => x.ok)).toBe(true);
  });
});

describe("batch actions in my processing", () => {
  it("VIEW-40: batch transfer from my processing hands every conversation to the target", async () => {
    const ids = await followed("agent", 3);
    const r = await batchOk("agent", "transfer", ids, { toMemberId: w.agent2.id });
    expect(r).toMatchObject({ action: "transfer", succeeded: 3, failed: 0, summary: "成功移轉 3 筆,失敗 0 筆" });
    const theirs = await listIds("agent2", "my_processing");
    const mine = await listIds("agent", "my_processing");
    for (const id of ids) {
      expect(theirs).toContain(id);
      expect(mine).not.toContain(id);
    }
  });

  it("VIEW-40: batch close from my processing closes the follower's conversations", async () => {
    const ids = await followed("agent", 2);
    const r = await batchOk("agent", "close", ids);
    expect(r).toMatchObject({ succeeded: 2, failed: 0, summary: "成功結束 2 筆,失敗 0 筆" });
    for (const id of ids) expect(await conv("agent", id)).toMatchObject({ state: "closed", view: "my_closed" });
  });

  it("VIEW-40: batch follow is not offered in my processing: each item fails with a reason and nothing changes", async () => {
    const ids = await followed("agent", 2);
    const r = await batchOk("agent", "follow", ids);
    expect(r).toMatchObject({ succeeded: 0, failed: 2, summary: "成功跟進 0 筆,失敗 2 筆" });
    for (const item of r.results) expect(item).toMatchObject({ ok: false, error: { code: expect.any(String), message: expect.stringMatching(/\S/) } });
    for (const id of ids) expect(await conv("agent", id)).toMatchObject({ state: "processing", follower: { id: w.ids.agent } });
  });

  it("VIEW-50: conversations that changed meanwhile fail with the state-changed reason, the others are transferred", async () => {
    const [a, b, c] = await followed("agent", 3);
    await act("admin", b, "take-over");
    await act("agent", c, "close");
    const r = await batchOk("agent", "transfer", [a, b, c], { toMemberId: w.agent2.id });
    expect(r).toMatchObject({ succeeded: 1, failed: 2, summary: "成功移轉 1 筆,失敗 2 筆" });
    expect(r.results).toEqual([
      { id: a, ok: true },
      { id: b, ok: false, error: { code: "state_changed", message: STATE_CHANGED } },
      { id: c, ok: false, error: { code: "state_changed", message: STATE_CHANGED } },
    ]);
    expect(await conv("agent2", a)).toMatchObject({ follower: { id: w.agent2.id } });
    expect(await conv("admin", b)).toMatchObject({ state: "processing", follower: { id: w.ids.admin } });
    expect(await conv("agent", c)).toMatchObject({ state: "closed", view: "my_closed" });
  });

  it("VIEW-50: a transfer target that may not take the conversations fails every item with the reason", async () => {
    const ids = await followed("agent", 2);
    const r = await batchOk("agent", "transfer", ids, { toMemberId: w.ids.agent });
    expect(r).toMatchObject({ succeeded: 0, failed: 2, summary: "成功移轉 0 筆,失敗 2 筆" });
    for (const item of r.results) expect(item).toMatchObject({ ok: false, error: { code: "invalid_target", message: "無法移轉給此成員" } });
  });

  it("VIEW-47: the transferee gets one notification with the transferrer's name and the number transferred", async () => {
    const before = new Set((await notifications("agent2")).map((n: any) => n.id));
    const ids = await followed("agent", 3);
    const [, gone] = ids;
    await act("agent", gone, "close");
    const r = await batchOk("agent", "transfer", ids, { toMemberId: w.agent2.id });
    expect(r).toMatchObject({ succeeded: 2, failed: 1, summary: "成功移轉 2 筆,失敗 1 筆" });
    const fresh = (await notifications("agent2")).filter((n: any) => !before.has(n.id));
    expect(fresh).toHaveLength(1);
    expect(fresh[0]).toMatchObject({ kind: "transferred_to_you", text: "Jess (客服人員) 已將 2 個對話移轉給你。", read: false });
    expect((await notifications("agent")).some((n: any) => n.text.includes("移轉給你"))).toBe(false);
  });

  it("VIEW-41: there is no batch action in team processing", async () => {
    const [id] = await followed("agent", 1);
    for (const action of ["close", "follow", "delete"]) {
      const r = await batchOk("admin", action, [id]);
      expect(r, action).toMatchObject({ succeeded: 0, failed: 1 });
    }
    expect(await conv("admin", id)).toMatchObject({ state: "processing", follower: { id: w.ids.agent } });
  });
});

describe("batch reopen from closed", () => {
  it("VIEW-41: batch reopen from my closed makes the member the follower again; another member's closed one fails", async () => {
    const mine = await followed("agent", 2);
    const [theirs] = await followed("agent2", 1);
    for (const id of mine) await act("agent", id, "close");
    await act("agent2", theirs, "close");
    const r = await batchOk("agent", "reopen", [...mine, theirs]);
    expect(r).toMatchObject({ action: "reopen", succeeded: 2, failed: 1, summary: "成功重啟 2 筆,失敗 1 筆" });
    expect(r.results[2]).toMatchObject({ id: theirs, ok: false });
    const processing = await listIds("agent", "my_processing");
    for (const id of mine) {
      expect(processing).toContain(id);
      expect(await conv("agent", id)).toMatchObject({ state: "processing", follower: { id: w.ids.agent } });
    }
    expect(await conv("agent2", theirs)).toMatchObject({ state: "closed", view: "my_closed" });
    // A manager may batch-reopen from team closed (LIFE-33).
    const m = await batchOk("cs_manager", "reopen", [theirs]);
    expect(m).toMatchObject({ succeeded: 1, failed: 0 });
    expect(await conv("cs_manager", theirs)).toMatchObject({ state: "processing", follower: { id: w.ids.cs_manager } });
  });
});

describe("batch actions on collaborative conversations", () => {
  // No collaboration API yet (COLLAB): collaborators are written directly, as the invite will write them.
  async function collaborate(ids: string[], collaborator: string) {
    const now = new Date();
    for (const id of ids) {
      const c = await t.app.ctx.db.selectFrom("conversations").select("workspace_id").where("id", "=", id).executeTakeFirstOrThrow();
      await t.app.ctx.db.insertInto("conversation_participants").values({ conversation_id: id, member_id: collaborator, workspace_id: c.workspace_id, position: 1, added_by: null, added_at: now }).execute();
      await t.app.ctx.db.updateTable("conversations").set({ is_collaborative: true }).where("id", "=", id).execute();
    }
  }

  it("VIEW-55: the main follower batch-closes collaborative conversations; a collaborator's batch close fails with 協作者無法結束對話", async () => {
    const ids = await followed("agent", 2);
    await collaborate(ids, w.agent2.id);
    expect(await listIds("agent2", "my_processing")).toEqual(expect.arrayContaining(ids));
    const refused = await batchOk("agent2", "close", ids);
    expect(refused).toMatchObject({ succeeded: 0, failed: 2, summary: "成功結束 0 筆,失敗 2 筆" });
    for (const item of refused.results) expect(item).toMatchObject({ ok: false, error: { code: "forbidden", message: "協作者無法結束對話" } });
    for (const id of ids) expect(await conv("agent", id)).toMatchObject({ state: "processing", follower: { id: w.ids.agent } });

    const closed = await batchOk("agent", "close", ids);
    expect(closed).toMatchObject({ succeeded: 2, failed: 0, summary: "成功結束 2 筆,失敗 0 筆" });
    for (const id of ids) expect(await conv("agent", id)).toMatchObject({ state: "closed", view: "my_closed" });
  });

  it("VIEW-56: batch reopen of collaborative conversations from my closed has no per-operation limit (21 > the transfer limit of 20)", async () => {
    const ids = await followed("agent", 21);
    await collaborate(ids, w.agent2.id);
    expect(await batchOk("agent", "close", ids)).toMatchObject({ succeeded: 21, failed: 0 });
    const r = await batchOk("agent", "reopen", ids);
    expect(r).toMatchObject({ action: "reopen", succeeded: 21, failed: 0, summary: "成功重啟 21 筆,失敗 0 筆" });
    const processing = await listIds("agent", "my_processing");
    for (const id of ids) {
      expect(processing).toContain(id);
      expect(await conv("agent", id)).toMatchObject({ state: "processing", follower: { id: w.ids.agent } });
    }
    // The same selection is over the limit for a transfer (VIEW-46): only transfer has one (VIEW-57).
    const transfer = await batch("agent", "transfer", ids, { toMemberId: w.agent2.id });
    expect(transfer.status).toBe(422);
    expect(transfer.body.error.code).toBe("batch_limit");
  });
});

describe("batch delete and blacklist", () => {
  it("VIEW-53: batch delete and blacklist answer 403 to every role but admin and supervisor, and change nothing", async () => {
    const users = [user(), user()];
    const ids: string[] = [];
    for (const u of users) ids.push((await w.customer(u)).conversationId);
    for (const role of ["cs_manager", "agent", "sales_manager", "sales", "marketing_agent"] as const) {
      for (const action of ["delete", "blacklist"]) {
        const r = await batch(role, action, ids);
        expect(r.status, `${role} ${action}`).toBe(403);
        expect(r.body.error.code).toBe("forbidden");
      }
    }
    for (const id of ids) expect(await conv("admin", id)).toMatchObject({ id, state: "pending" });
    for (const u of users) expect(await w.customer(u, "還在")).toMatchObject({ status: "stored" }); // not blacklisted
  });

  it("VIEW-51: batch delete removes the conversations and their records from every view and count", async () => {
    const [p] = await pending(1);
    const [proc] = await followed("supervisor", 1); // unread 1 for its follower
    const [closed] = await followed("agent", 1);
    await act("agent", closed, "close");
    const before = { sup: await counts("supervisor"), agent: await counts("agent") };
    expect(before.sup.my_unread_conversations).toBeGreaterThan(0);
    const r = await batchOk("supervisor", "delete", [p, proc, closed]);
    expect(r).toMatchObject({ action: "delete", succeeded: 3, failed: 0, summary: "成功刪除 3 筆,失敗 0 筆" });
    for (const id of [p, proc, closed]) {
      expect((await t.req("GET", `/api/conversations/${id}`, { token: w.tokens.admin })).status).toBe(404);
      expect((await t.req("GET", `/api/conversations/${id}/messages`, { token: w.tokens.admin })).status).toBe(404);
    }
    expect(await listIds("supervisor", "pending_human")).not.toContain(p);
    expect(await listIds("supervisor", "my_processing")).not.toContain(proc);
    expect(await listIds("supervisor", "team_closed")).not.toContain(closed);
    expect(await listIds("agent", "my_closed")).not.toContain(closed);
    expect(await counts("supervisor")).toMatchObject({
      pending_human: before.sup.pending_human - 1,
      my_processing: before.sup.my_processing - 1,
      team_closed: before.sup.team_closed - 1,
      my_unread_conversations: before.sup.my_unread_conversations - 1,
    });
    expect(await counts("agent")).toMatchObject({ my_closed: before.agent.my_closed - 1 });
  });

  it("VIEW-52: a blacklisted customer's conversation is deleted and their next message is dropped", async () => {
    const u = user();
    const { conversationId: id } = await w.customer(u, "我要抱怨");
    const contactId = (await conv("admin", id)).contact.id;
    expect(await w.get(w.tokens.admin, `/api/contacts/${contactId}`)).toMatchObject({ blocked: false });
    const [other] = await pending(1);
    const before = await counts("admin");
    const r = await batchOk("admin", "blacklist", [id, other]);
    expect(r).toMatchObject({ action: "blacklist", succeeded: 2, failed: 0, summary: "成功加入黑名單 2 筆,失敗 0 筆" });
    expect((await t.req("GET", `/api/conversations/${id}`, { token: w.tokens.admin })).status).toBe(404);
    const contact = await w.get(w.tokens.admin, `/api/contacts/${contactId}`);
    expect(contact).toMatchObject({ blocked: true });
    expect(contact.identities.map((i: any) => i.conversationId)).toEqual([null]); // the chat history is gone
    expect(await counts("admin")).toMatchObject({ pending_human: before.pending_human - 2 });
    const again = await w.customer(u, "再說一次");
    expect(again).toMatchObject({ status: "dropped", reason: "blacklisted" });
    expect(await counts("admin")).toMatchObject({ pending_human: before.pending_human - 2 });
    expect((await w.customer(user(), "新客人")).status).toBe("stored");
  });
});
