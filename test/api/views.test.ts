import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";
import { makeWorld, type World } from "../support/world.js";
import type { Role } from "../../src/domain/roles.js";

let t: TestApp;
let w: World;
let seq = 0;
const MIN = 60_000;

beforeAll(async () => {
  t = await startTestApp();
  w = await makeWorld(t, "views");
  // Texts containing 「營業時間」 trigger a keyword auto-reply: those conversations land in the bot queue (LIFE-8).
  const r = await t.req("POST", "/api/keyword-rules", { token: w.tokens.admin, body: { kind: "auto_reply", keywords: ["營業時間"], matchMode: "contains", replies: [{ text: "週一至週五 10:00–19:00" }] } });
  expect(r.status).toBe(201);
});
afterAll(() => t.close());

/** A fresh API channel, so each test's lists and counts hold only its own conversations. */
async function channel(name = "API"): Promise<string> {
  const r = await t.req("POST", "/api/channels", { token: w.tokens.admin, body: { platform: "api", name: `${name} ${++seq}` } });
  expect(r.status).toBe(201);
  return r.body.id;
}

/** A customer message on a channel; returns the conversation id. */
async function say(channelId: string, userId: string, text = "你好"): Promise<string> {
  const r = await t.req("POST", `/api/channels/${channelId}/inbound`, { token: w.integration, body: { userId, displayName: `客人${userId}`, messageId: `v-${++seq}`, text } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.conversationId;
}

type Params = Record<string, string | number | boolean | undefined>;
const tokenOf = (who: Role | "agent2") => (who === "agent2" ? w.agent2.token : w.tokens[who]);

async function list(who: Role | "agent2", params: Params) {
  const qs = new URLSearchParams(Object.entries(params).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]]))).toString();
  return t.req("GET", `/api/conversations?${qs}`, { token: tokenOf(who) });
}

async function ids(who: Role | "agent2", params: Params): Promise<string[]> {
  const r = await list(who, params);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.items.map((c: any) => c.id);
}

async function act(who: Role | "agent2", id: string, action: string, body?: unknown) {
  const r = await w.act(who, id, action, body);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

/** One conversation in each state: pending human, pending bot, agent's processing, agent's closed. */
async function oneOfEach(ch: string) {
  const human = await say(ch, `h${seq}`, "我想詢問訂單");
  const bot = await say(ch, `b${seq}`, "請問營業時間");
  const proc = await say(ch, `p${seq}`, "我要退貨");
  await act("agent", proc, "follow");
  const closed = await say(ch, `c${seq}`, "謝謝");
  await act("agent", closed, "follow");
  await act("agent", closed, "close");
  return { human, bot, proc, closed };
}

describe("views and who sees them", () => {
  it("VIEW-1: each conversation is listed in exactly its view: human queue, bot queue, my/team processing, my/team closed", async () => {
    const ch = await channel();
    const c = await oneOfEach(ch);
    const agent = { pending_human: [c.human], pending_bot: [c.bot], my_processing: [c.proc], my_closed: [c.closed] };
    for (const [view, expected] of Object.entries(agent)) expect(await ids("agent", { view, channelId: ch }), view).toEqual(expected);
    const admin = { pending_human: [c.human], pending_bot: [c.bot], my_processing: [], team_processing: [c.proc], my_closed: [], team_closed: [c.closed] };
    for (const [view, expected] of Object.entries(admin)) expect(await ids("admin", { view, channelId: ch }), view).toEqual(expected);
    const items = (await list("admin", { view: "team_processing", channelId: ch })).body.items;
    expect(items[0]).toMatchObject({ state: "processing", view: "team_processing", follower: { id: w.ids.agent, name: "Jess" } });
  });

  it("VIEW-2: the closed views split the member's own closed conversations from the team's", async () => {
    const ch = await channel();
    const mine = await say(ch, "closed-mine");
    const theirs = await say(ch, "closed-theirs");
    await act("supervisor", mine, "follow");
    await act("supervisor", mine, "close");
    await act("agent", theirs, "close"); // closed from pending: the closer is the last handler (LIFE-34)
    expect(await ids("supervisor", { view: "my_closed", channelId: ch })).toEqual([mine]);
    expect(await ids("supervisor", { view: "team_closed", channelId: ch })).toEqual([theirs]);
    expect(await ids("agent", { view: "my_closed", channelId: ch })).toEqual([theirs]);
  });

  it("VIEW-4: team views answer 403 to agent, sales and marketing roles and 200 to admin, supervisor and cs manager", async () => {
    const ch = await channel();
    await oneOfEach(ch);
    for (const role of ["agent", "sales_manager", "sales", "marketing_agent"] as const) {
      for (const view of ["team_processing", "team_closed"]) {
        const r = await list(role, { view, channelId: ch });
        expect(r.status, `${role} ${view}`).toBe(403);
      }
      for (const view of ["pending_human", "pending_bot", "my_processing", "my_closed"]) expect((await list(role, { view })).status, `${role} ${view}`).toBe(200);
      const counts = await w.get(w.tokens[role], `/api/conversations/counts?channelId=${ch}`);
      expect(counts).toMatchObject({ team_processing: null, team_closed: null });
    }
    for (const role of ["admin", "supervisor", "cs_manager"] as const) {
      expect(await ids(role, { view: "team_processing", channelId: ch }), role).toHaveLength(1);
      expect(await ids(role, { view: "team_closed", channelId: ch }), role).toHaveLength(1);
      const counts = await w.get(w.tokens[role], `/api/conversations/counts?channelId=${ch}`);
      expect(counts).toMatchObject({ team_processing: 1, team_closed: 1 });
    }
  });

  it("VIEW-5: an agent cannot open a colleague's processing conversation; a manager can", async () => {
    const ch = await channel();
    const id = await say(ch, "vis-1");
    await act("agent2", id, "follow");
    const r = await t.req("GET", `/api/conversations/${id}`, { token: w.tokens.agent });
    expect(r.status).toBe(403);
    expect(r.body.error.message).toBe("沒有權限查看此顧客對話");
    expect((await t.req("GET", `/api/conversations/${id}`, { token: w.tokens.cs_manager })).body).toMatchObject({ id, view: "team_processing" });
  });
});

describe("channel filter", () => {
  it("VIEW-7: picking one of two API channels restricts every view and the counts to that channel", async () => {
    const a = await channel("LINE A");
    const b = await channel("LINE B");
    const ca = await oneOfEach(a);
    const cb = await oneOfEach(b);
    for (const view of ["pending_human", "pending_bot", "my_processing", "my_closed"]) {
      const key = { pending_human: "human", pending_bot: "bot", my_processing: "proc", my_closed: "closed" }[view] as keyof typeof ca;
      expect(await ids("agent", { view, channelId: a }), view).toEqual([ca[key]]);
      expect(await ids("agent", { view, channelId: b }), view).toEqual([cb[key]]);
      const all = await ids("agent", { view, limit: 100 });
      expect(all, view).toEqual(expect.arrayContaining([ca[key], cb[key]]));
    }
    const items = (await list("agent", { view: "pending_human", channelId: b })).body.items;
    expect(items[0].channel).toMatchObject({ id: b, platform: "api" });
    const ca2 = await w.get(w.tokens.agent, `/api/conversations/counts?channelId=${a}`);
    expect(ca2).toMatchObject({ pending_human: 1, pending_bot: 1, my_processing: 1, my_closed: 1 });
    await say(a, "extra-a");
    expect(await w.get(w.tokens.agent, `/api/conversations/counts?channelId=${a}`)).toMatchObject({ pending_human: 2 });
    expect(await w.get(w.tokens.agent, `/api/conversations/counts?channelId=${b}`)).toMatchObject({ pending_human: 1 });
  });
});

describe("sorting", () => {
  it("VIEW-9: last-message sort, new → old by default and old → new on request; a new message moves a conversation up", async () => {
    const ch = await channel();
    const c1 = await say(ch, "s1");
    t.clock.advance(MIN);
    const c2 = await say(ch, "s2");
    t.clock.advance(MIN);
    const c3 = await say(ch, "s3");
    const def = await list("agent", { view: "pending_human", channelId: ch });
    expect(def.body).toMatchObject({ sort: "last_message", order: "desc" });
    expect(def.body.items.map((c: any) => c.id)).toEqual([c3, c2, c1]);
    expect(await ids("agent", { view: "pending_human", channelId: ch, sort: "last_message", order: "asc" })).toEqual([c1, c2, c3]);
    t.clock.advance(MIN);
    await say(ch, "s1", "還在嗎");
    expect(await ids("agent", { view: "pending_human", channelId: ch })).toEqual([c1, c3, c2]);
    for (const id of [c2, c1, c3]) await act("agent", id, "follow");
    expect(await ids("agent", { view: "my_processing", channelId: ch, order: "asc" })).toEqual([c2, c3, c1]);
  });

  it("VIEW-10: follow-time sort orders processing by when it was followed, both directions, in my and team views", async () => {
    const ch = await channel();
    const c1 = await say(ch, "f1");
    t.clock.advance(MIN);
    const c2 = await say(ch, "f2");
    t.clock.advance(MIN);
    const c3 = await say(ch, "f3");
    // Followed in the order c2, c3, c1: the opposite of neither message order.
    for (const id of [c2, c3, c1]) {
      t.clock.advance(MIN);
      await act("agent", id, "follow");
    }
    const desc = await list("agent", { view: "my_processing", channelId: ch, sort: "follow_time" });
    expect(desc.body).toMatchObject({ sort: "follow_time", order: "desc" });
    expect(desc.body.items.map((c: any) => c.id)).toEqual([c1, c3, c2]);
    expect(await ids("agent", { view: "my_processing", channelId: ch, sort: "follow_time", order: "asc" })).toEqual([c2, c3, c1]);
    expect(await ids("admin", { view: "team_processing", channelId: ch, sort: "follow_time", order: "asc" })).toEqual([c2, c3, c1]);
    expect(await ids("agent", { view: "my_processing", channelId: ch })).toEqual([c3, c2, c1]);
  });

  it("VIEW-13: follow-time sort is refused with 400 outside processing views", async () => {
    const ch = await channel();
    await oneOfEach(ch);
    for (const [who, view] of [["agent", "pending_human"], ["agent", "pending_bot"], ["agent", "my_closed"], ["admin", "team_closed"]] as const) {
      const r = await list(who, { view, channelId: ch, sort: "follow_time" });
      expect(r.status, view).toBe(400);
    }
    expect((await list("agent", { view: "my_processing", channelId: ch, sort: "follow_time" })).status).toBe(200);
  });

  it("VIEW-13: closed lists are always newest first, whatever order is asked for", async () => {
    const ch = await channel();
    const cs: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = await say(ch, `cl${i}`);
      t.clock.advance(MIN);
      cs.push(id);
    }
    for (const id of [cs[1], cs[0], cs[2]]) await act("agent", id, "close");
    const newest = [cs[2], cs[1], cs[0]];
    for (const params of [{}, { order: "asc" }, { sort: "last_message", order: "asc" }]) {
      const r = await list("agent", { view: "my_closed", channelId: ch, ...params });
      expect(r.body.items.map((c: any) => c.id)).toEqual(newest);
      expect(r.body).toMatchObject({ sort: "last_message", order: "desc" });
    }
    expect(await ids("admin", { view: "team_closed", channelId: ch, order: "asc" })).toEqual(newest);
  });
});

describe("filters", () => {
  it("VIEW-12: the conversation-type filter shows all by default, individual on request, and no 1-to-1 conversation under group", async () => {
    const ch = await channel();
    const c1 = await say(ch, "ty1");
    const c2 = await say(ch, "ty2");
    expect(await ids("admin", { view: "pending_human", channelId: ch })).toEqual([c2, c1]);
    expect(await ids("admin", { view: "pending_human", channelId: ch, type: "all" })).toEqual([c2, c1]);
    expect(await ids("admin", { view: "pending_human", channelId: ch, type: "individual" })).toEqual([c2, c1]);
    expect(await ids("admin", { view: "pending_human", channelId: ch, type: "group" })).toEqual([]);
    const items = (await list("admin", { view: "pending_human", channelId: ch })).body.items;
    expect(items.map((c: any) => c.kind)).toEqual(["individual", "individual"]);
    // Sales roles never see groups (GROUP-2); narrowing to groups leaves them nothing, not their 1-to-1 list.
    expect(await ids("sales", { view: "pending_human", channelId: ch, type: "individual" })).toEqual([c2, c1]);
    expect(await ids("sales", { view: "pending_human", channelId: ch, type: "group" })).toEqual([]);
  });

  it("VIEW-14: follow type 「只有跟進者」 keeps ordinary conversations, 「協作」 keeps only collaborative ones", async () => {
    const ch = await channel();
    const c1 = await say(ch, "ft1");
    await act("agent", c1, "follow");
    expect(await ids("agent", { view: "my_processing", channelId: ch, followType: "all" })).toEqual([c1]);
    expect(await ids("agent", { view: "my_processing", channelId: ch, followType: "follower_only" })).toEqual([c1]);
    expect(await ids("agent", { view: "my_processing", channelId: ch, followType: "collaborative" })).toEqual([]);
  });

  it("VIEW-15: the unread filter keeps only conversations with unread messages for the viewer, combined with the channel filter", async () => {
    const a = await channel();
    const b = await channel();
    const read = await say(a, "ur1");
    const unread = await say(a, "ur2");
    const other = await say(b, "ur3");
    const reply = await t.req("POST", `/api/conversations/${read}/messages`, { token: w.tokens.agent, body: { text: "您好" } });
    expect(reply.status).toBe(201);
    expect(await ids("agent", { view: "pending_human", channelId: a, unread: true })).toEqual([unread]);
    expect(await ids("agent", { view: "pending_human", channelId: b, unread: true })).toEqual([other]);
    // In my processing, the follower's own count: viewing clears it (VIEW-24), so the filter drops it.
    for (const id of [unread, other]) await act("agent", id, "follow");
    expect(await ids("agent", { view: "my_processing", channelId: a, unread: true })).toEqual([unread]);
    expect((await t.req("POST", `/api/conversations/${unread}/view`, { token: w.tokens.agent })).status).toBe(200);
    expect(await ids("agent", { view: "my_processing", channelId: a, unread: true })).toEqual([]);
    expect(await ids("agent", { view: "my_processing", channelId: a, unread: false })).toEqual([unread]);
  });

  it("VIEW-15: the overdue filter keeps conversations waiting ≥ 30 minutes, longest first, and never the bot queue", async () => {
    const ch = await channel();
    const c1 = await say(ch, "od1");
    const bot = await say(ch, "od-bot", "營業時間?");
    t.clock.advance(10 * MIN);
    const c2 = await say(ch, "od2");
    t.clock.advance(10 * MIN);
    const c3 = await say(ch, "od3");
    t.clock.advance(5 * MIN);
    await say(ch, "od1", "有人嗎"); // a second message does not restart c1's wait
    t.clock.advance(15 * MIN); // now c1 waits 40 min, c2 30 min (inclusive), c3 20 min
    const r = await list("agent", { view: "pending_human", channelId: ch, overdue: true });
    expect(r.body.items.map((c: any) => c.id)).toEqual([c1, c2]);
    expect(r.body.items.map((c: any) => c.waitingLevel)).toEqual([30, 30]);
    expect(await ids("agent", { view: "pending_human", channelId: ch })).toEqual([c1, c3, c2]);
    expect(await ids("agent", { view: "pending_bot", channelId: ch })).toEqual([bot]);
    expect(await ids("agent", { view: "pending_bot", channelId: ch, overdue: true })).toEqual([]);
    for (const id of [c3, c2, c1]) await act("agent", id, "follow");
    t.clock.advance(30 * MIN); // c1 70, c2 60, c3 50 minutes
    const p = await list("agent", { view: "my_processing", channelId: ch, overdue: true });
    expect(p.body.items.map((c: any) => [c.id, c.waitingLevel])).toEqual([[c1, 60], [c2, 60], [c3, 30]]);
    const reply = await t.req("POST", `/api/conversations/${c2}/messages`, { token: w.tokens.agent, body: { text: "讓您久等了" } });
    expect(reply.status).toBe(201);
    expect(await ids("agent", { view: "my_processing", channelId: ch, overdue: true })).toEqual([c1, c3]);
    // Filters combine with AND, and with the channel filter.
    expect((await t.req("POST", `/api/conversations/${c3}/view`, { token: w.tokens.agent })).status).toBe(200);
    expect(await ids("agent", { view: "my_processing", channelId: ch, overdue: true, unread: true })).toEqual([c1]);
    expect(await ids("agent", { view: "my_processing", channelId: await channel(), overdue: true })).toEqual([]);
  });
});

describe("cursor pagination", () => {
  async function walk(who: Role | "agent2", params: Params): Promise<string[]> {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 20; page++) {
      const r = await list(who, { ...params, limit: 2, ...(cursor ? { cursor } : {}) });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...r.body.items.map((c: any) => c.id));
      cursor = r.body.nextCursor;
      if (!cursor) return seen;
    }
    throw new Error("pagination did not end");
  }

  it("VIEW-9: pages of 2 walk all 7 conversations in every sort without duplicates or gaps, ties included", async () => {
    const ch = await channel();
    const cs: string[] = [];
    for (let i = 0; i < 7; i++) {
      cs.push(await say(ch, `pg${i}`));
      if (i % 3 === 2) t.clock.advance(MIN); // groups of equal last-message times: ties broken by id
    }
    for (const params of [{}, { order: "asc" }, { sort: "waiting" }, { overdue: true }]) {
      if ("overdue" in params) t.clock.advance(30 * MIN);
      const full = await ids("agent", { view: "pending_human", channelId: ch, limit: 100, ...params });
      expect(full, JSON.stringify(params)).toHaveLength(7);
      expect(new Set(full).size).toBe(7);
      expect(await walk("agent", { view: "pending_human", channelId: ch, ...params }), JSON.stringify(params)).toEqual(full);
    }
    expect((await ids("agent", { view: "pending_human", channelId: ch, limit: 100 })).slice().sort()).toEqual(cs.slice().sort());
    for (const id of cs) await act("agent", id, "follow"); // same follow time for all: ties again
    for (const params of [{ sort: "follow_time" }, { sort: "follow_time", order: "asc" }, {}]) {
      const full = await ids("agent", { view: "my_processing", channelId: ch, limit: 100, ...params });
      expect(full).toHaveLength(7);
      expect(await walk("agent", { view: "my_processing", channelId: ch, ...params })).toEqual(full);
      expect(await walk("admin", { view: "team_processing", channelId: ch, ...params })).toEqual(full);
    }
    for (const id of cs.slice(0, 5)) await act("agent", id, "close");
    const closed = await walk("agent", { view: "my_closed", channelId: ch });
    expect(closed).toHaveLength(5);
    expect(closed).toEqual(await ids("agent", { view: "my_closed", channelId: ch, limit: 100 }));
  });

  it("VIEW-9: a malformed cursor is refused with 400", async () => {
    const r = await list("agent", { view: "pending_human", cursor: "not-a-cursor" });
    expect(r.status).toBe(400);
  });
});
