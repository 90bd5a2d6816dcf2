import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";
import { makeWorld, type World } from "../support/world.js";
import type { Role } from "../../src/domain/roles.js";

let t: TestApp;
let w: World;
let seq = 0;
const MIN = 60_000;
const SEC = 1000;

beforeAll(async () => {
  t = await startTestApp();
  w = await makeWorld(t, "waiting");
  const rule = (body: unknown) => t.req("POST", "/api/keyword-rules", { token: w.tokens.admin, body });
  // 「營業時間」 puts a new conversation in the bot queue (LIFE-8); 「運費」 makes the bot answer in every state.
  expect((await rule({ kind: "auto_reply", keywords: ["營業時間"], matchMode: "contains", replies: [{ text: "週一至週五 10:00–19:00" }] })).status).toBe(201);
  expect((await rule({ kind: "auto_reply", keywords: ["運費"], matchMode: "contains", replies: [{ text: "滿千免運" }], states: ["human", "bot", "processing"] })).status).toBe(201);
});
afterAll(() => t.close());

type Who = Role | "agent2";
const tokenOf = (who: Who) => (who === "agent2" ? w.agent2.token : w.tokens[who]);
const user = () => `wu-${++seq}`;

async function say(userId: string, text = "你好"): Promise<string> {
  return (await w.customer(userId, text)).conversationId;
}
const conv = (who: Who, id: string) => w.get(tokenOf(who), `/api/conversations/${id}`);
const unread = async (who: Who, id: string): Promise<number> => (await conv(who, id)).unreadCount;
async function act(who: Who, id: string, action: string, body?: unknown) {
  const r = await w.act(who, id, action, body);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}
async function reply(who: Who, id: string, text = "您好") {
  const r = await t.req("POST", `/api/conversations/${id}/messages`, { token: tokenOf(who), body: { text } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
}
async function view(who: Who, id: string) {
  const r = await t.req("POST", `/api/conversations/${id}/view`, { token: tokenOf(who) });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}
const counts = (who: Who, channel = true) => w.get(tokenOf(who), `/api/conversations/counts${channel ? `?channelId=${w.channelId}` : ""}`);

describe("waiting-time badges", () => {
  it("VIEW-19: the waiting level goes 0 → 30 → 60 → 120 as the customer waits, in the list too", async () => {
    const id = await say(user());
    const steps: [number, number][] = [[0, 0], [30 * MIN - SEC, 0], [SEC, 30], [30 * MIN - SEC, 30], [SEC, 60], [60 * MIN - SEC, 60], [SEC, 120], [5 * 60 * MIN, 120]];
    for (const [ms, level] of steps) {
      t.clock.advance(ms);
      expect((await conv("agent", id)).waitingLevel).toBe(level);
    }
    const listed = (await w.get(w.tokens.agent, `/api/conversations?view=pending_human&channelId=${w.channelId}&limit=100`)).items.find((c: any) => c.id === id);
    expect(listed).toMatchObject({ waitingLevel: 120 });
  });

  it("VIEW-19: only an agent's reply clears the badge; the bot's auto-reply does not", async () => {
    const u = user();
    const id = await say(u);
    await act("agent", id, "follow"); // following is no reply: still waiting
    t.clock.advance(45 * MIN);
    expect(await conv("agent", id)).toMatchObject({ waitingLevel: 30 });
    await say(u, "運費多少?");
    const msgs = await w.get(w.tokens.agent, `/api/conversations/${id}/messages`);
    expect(msgs.items.map((m: any) => m.senderKind)).toContain("bot");
    t.clock.advance(20 * MIN);
    const before = await conv("agent", id);
    expect(before.waitingLevel).toBe(60);
    await reply("agent", id);
    expect(await conv("agent", id)).toMatchObject({ waitingLevel: 0, waitingSince: null });
    t.clock.advance(3 * 60 * MIN);
    expect((await conv("agent", id)).waitingLevel).toBe(0);
  });

  it("VIEW-21: waiting starts at the first customer message after the last human reply, and closing clears it", async () => {
    const u = user();
    const id = await say(u);
    const first = (await conv("agent", id)).waitingSince;
    expect(first).not.toBeNull();
    t.clock.advance(20 * MIN);
    await say(u, "還在嗎");
    expect((await conv("agent", id)).waitingSince).toBe(first);
    t.clock.advance(15 * MIN);
    await reply("agent", id); // a reply in the pending queue also counts
    t.clock.advance(10 * MIN);
    const at = t.clock.now().toISOString();
    await say(u, "再問一下");
    expect(await conv("agent", id)).toMatchObject({ waitingSince: at, waitingLevel: 0 });
    t.clock.advance(30 * MIN);
    expect((await conv("agent", id)).waitingLevel).toBe(30);
    await act("agent", id, "close");
    expect(await conv("agent", id)).toMatchObject({ state: "closed", waitingLevel: 0, waitingSince: null });
  });

  it("VIEW-20: a bot-queue conversation never shows a badge; VIEW-22: moved to the human queue it counts the time spent there", async () => {
    const u = user();
    const id = await say(u, "請問營業時間");
    t.clock.advance(90 * MIN);
    expect(await conv("agent", id)).toMatchObject({ queue: "bot", waitingLevel: 0 });
    await say(u, "我要找真人");
    expect(await conv("agent", id)).toMatchObject({ queue: "human", waitingLevel: 60 });
    t.clock.advance(30 * MIN);
    expect((await conv("agent", id)).waitingLevel).toBe(120);
  });
});

describe("unread counts of 1-to-1 conversations", () => {
  it("VIEW-23: every customer message adds one unread; VIEW-26: the pending count is shared and viewing does not clear it", async () => {
    const u = user();
    const id = await say(u);
    await say(u, "第二則");
    await say(u, "第三則");
    for (const who of ["agent", "agent2", "admin"] as const) expect(await unread(who, id), who).toBe(3);
    expect(await view("agent", id)).toEqual({ cleared: false });
    expect(await view("admin", id)).toEqual({ cleared: false });
    for (const who of ["agent", "agent2", "admin"] as const) expect(await unread(who, id), who).toBe(3);
    await reply("agent2", id); // replying clears the shared count
    for (const who of ["agent", "agent2", "admin"] as const) expect(await unread(who, id), who).toBe(0);
    await say(u, "第四則");
    expect(await unread("agent", id)).toBe(1);
  });

  it("VIEW-27: the follower inherits the count on follow, transfer and take-over", async () => {
    const u = user();
    const id = await say(u);
    await say(u, "在嗎");
    await act("agent", id, "follow");
    expect(await unread("agent", id)).toBe(2);
    await say(u, "還在嗎");
    expect(await unread("agent", id)).toBe(3);
    await act("agent", id, "transfer", { toMemberId: w.agent2.id });
    expect(await conv("agent2", id)).toMatchObject({ view: "my_processing", unreadCount: 3 });
    await act("supervisor", id, "take-over");
    expect(await conv("supervisor", id)).toMatchObject({ view: "my_processing", follower: { id: w.ids.supervisor }, unreadCount: 3 });
  });

  it("VIEW-24: viewing in my processing clears the follower's unread count", async () => {
    const u = user();
    const id = await say(u);
    await say(u, "在嗎");
    await act("agent", id, "follow");
    expect(await unread("agent", id)).toBe(2);
    expect(await view("agent", id)).toEqual({ cleared: true });
    expect(await unread("agent", id)).toBe(0);
    await say(u, "哈囉");
    expect(await unread("agent", id)).toBe(1);
    const listed = (await w.get(w.tokens.agent, `/api/conversations?view=my_processing&channelId=${w.channelId}&limit=100`)).items.find((c: any) => c.id === id);
    expect(listed).toMatchObject({ unreadCount: 1 });
  });

  it("VIEW-25: a team viewer's view clears nothing; a reply, even from the team view, clears everyone's count", async () => {
    const u = user();
    const id = await say(u);
    await say(u, "在嗎");
    await act("agent", id, "follow");
    expect(await conv("admin", id)).toMatchObject({ view: "team_processing", unreadCount: 2 });
    expect(await view("admin", id)).toEqual({ cleared: false });
    expect(await unread("admin", id)).toBe(2);
    expect(await unread("agent", id)).toBe(2);
    expect(await view("agent", id)).toEqual({ cleared: true }); // the follower's view clears only the follower's count
    expect(await unread("agent", id)).toBe(0);
    expect(await unread("admin", id)).toBe(2);
    await say(u, "有人嗎");
    expect(await unread("agent", id)).toBe(1);
    expect(await unread("admin", id)).toBe(3);
    await reply("admin", id); // collaboration is off: a manager may reply from the team view
    expect(await unread("agent", id)).toBe(0);
    expect(await unread("admin", id)).toBe(0);
    await say(u, "謝謝");
    await reply("agent", id);
    expect(await unread("agent", id)).toBe(0);
    expect(await unread("admin", id)).toBe(0);
  });

  it("VIEW-26: a closed conversation shows no unread count; a new customer message brings it back to pending with one", async () => {
    const u = user();
    const id = await say(u);
    await say(u, "在嗎");
    await act("agent", id, "follow");
    await act("agent", id, "close");
    expect(await conv("agent", id)).toMatchObject({ state: "closed", unreadCount: 0 });
    await say(u, "又是我");
    expect(await conv("agent", id)).toMatchObject({ state: "pending", unreadCount: 1 });
  });
});

describe("view counts", () => {
  it("VIEW-1: /api/conversations/counts moves as conversations are created, followed, closed, reopened and answered", async () => {
    const base = { agent: await counts("agent"), agent2: await counts("agent2"), admin: await counts("admin") };
    const baseBot = base.agent.pending_bot;
    const u = user();
    const id = await say(u);
    expect(await counts("agent")).toMatchObject({ pending_human: base.agent.pending_human + 1 });
    await say(user(), "營業時間");
    expect(await counts("agent")).toMatchObject({ pending_bot: baseBot + 1 });

    await act("agent", id, "follow");
    expect(await counts("agent")).toMatchObject({ pending_human: base.agent.pending_human, my_processing: base.agent.my_processing + 1 });
    expect(await counts("admin")).toMatchObject({ team_processing: base.admin.team_processing + 1, my_processing: base.admin.my_processing });
    expect(await counts("agent2")).toMatchObject({ my_processing: base.agent2.my_processing });

    await act("agent", id, "transfer", { toMemberId: w.agent2.id });
    expect(await counts("agent")).toMatchObject({ my_processing: base.agent.my_processing });
    expect(await counts("agent2")).toMatchObject({ my_processing: base.agent2.my_processing + 1 });

    await act("agent2", id, "close");
    expect(await counts("agent2")).toMatchObject({ my_processing: base.agent2.my_processing, my_closed: base.agent2.my_closed + 1 });
    expect(await counts("admin")).toMatchObject({ team_processing: base.admin.team_processing, team_closed: base.admin.team_closed + 1 });

    await act("agent2", id, "reopen");
    expect(await counts("agent2")).toMatchObject({ my_processing: base.agent2.my_processing + 1, my_closed: base.agent2.my_closed });

    await say(u, "謝謝");
    await reply("agent2", id);
    await act("agent2", id, "close");
    await say(u, "又來了"); // closed → pending
    expect(await counts("agent2")).toMatchObject({ my_closed: base.agent2.my_closed });
    expect(await counts("agent")).toMatchObject({ pending_human: base.agent.pending_human + 1 });
  });

  it("VIEW-24: my_unread_conversations counts my processing conversations with unread messages", async () => {
    const base = { agent: (await counts("agent", false)).my_unread_conversations, agent2: (await counts("agent2", false)).my_unread_conversations };
    const mine = async (who: "agent" | "agent2") => (await counts(who, false)).my_unread_conversations - base[who];
    const u1 = user();
    const u2 = user();
    const a = await say(u1);
    const b = await say(u2);
    expect(await mine("agent")).toBe(0); // pending conversations are nobody's
    await act("agent", a, "follow");
    expect(await mine("agent")).toBe(1);
    await act("agent", b, "follow");
    await say(u2, "再一則");
    expect(await mine("agent")).toBe(2); // counts conversations, not messages
    await view("agent", a);
    expect(await mine("agent")).toBe(1);
    await say(u1, "新訊息");
    expect(await mine("agent")).toBe(2);
    await reply("agent", a);
    expect(await mine("agent")).toBe(1);
    await act("agent", b, "transfer", { toMemberId: w.agent2.id });
    expect(await mine("agent")).toBe(0);
    expect(await mine("agent2")).toBe(1);
    await act("agent2", b, "close");
    expect(await mine("agent2")).toBe(0);
  });
});
