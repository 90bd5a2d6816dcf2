/**
 * Group commit (usecases/ingest-batch.ts) changes how many webhooks share a
 * transaction, never what is stored. The same LINE webhooks go to an app that
 * stores each webhook alone (INGEST_BATCHES=0) and to two that batch (one
 * batch at a time, and two at once as by default), sent
 * concurrently in rounds; every customer's conversation, messages, unread
 * counts, status log and the view counters must come out the same. The rounds
 * mix every path a batch has: new and known customers, a followed
 * conversation (notification, participant unread), a switched-off
 * conversation (dropped), a keyword auto-reply and an image (stored one by
 * one inside the batch), a redelivery, the same event twice in one round, and
 * an already stored message under a new event key (the batch falls back).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { LineSimulator, type LineEvent } from "../../src/channels/line/simulator.js";
import { startTestApp } from "../support/app.js";
import { newCustomerRows } from "../../src/store/inbound.js";
import { backend } from "../support/backend.js";
import { makeWorld, type World } from "../support/world.js";
import type { AddressInfo } from "node:net";
import type { TestApp } from "../support/app.js";

interface Side {
  t: TestApp;
  w: World;
  sim: LineSimulator;
  channelId: string;
}

const SECRET = "batch-secret";
const sides: Side[] = [];

async function side(ingestBatches: number): Promise<Side> {
  const t = await startTestApp({ ingestBatches }, { listen: true });
  const w = await makeWorld(t, `batch${ingestBatches}`);
  const sim = await LineSimulator.start({ channelSecret: SECRET, channelAccessToken: "batch-token", now: () => t.clock.now() });
  const r = await t.req("POST", "/api/channels", { token: w.tokens.admin, body: { platform: "line", name: "LINE", credentials: { channelSecret: SECRET, channelAccessToken: "batch-token", apiBaseUrl: sim.baseUrl } } });
  expect(r.status).toBe(201);
  const port = (t.app.server.server.address() as AddressInfo).port;
  sim.webhookUrl = `http://127.0.0.1:${port}/webhooks/line/${r.body.id}`;
  const rule = await t.req("POST", "/api/keyword-rules", { token: w.tokens.admin, body: { kind: "auto_reply", keywords: ["營業時間"], replies: [{ text: "每天 10:00–22:00" }] } });
  expect(rule.status).toBe(201);
  return { t, w, sim, channelId: r.body.id };
}

beforeAll(async () => {
  sides.push(await side(0), await side(1), await side(2));
});
afterAll(async () => {
  for (const s of sides) {
    await s.sim.close();
    await s.t.close();
  }
});

/** Sends every webhook of a round at once; all must be answered 200. */
async function round(s: Side, webhooks: LineEvent[][]): Promise<void> {
  const res = await Promise.all(webhooks.map((events) => s.sim.send(events)));
  expect(res.map((r) => r.status)).toEqual(webhooks.map(() => 200));
}

async function conversationId(s: Side, userId: string): Promise<string> {
  const row = await s.t.app.ctx.db
    .selectFrom("conversations as c")
    .innerJoin("contact_identities as i", "i.id", "c.identity_id")
    .select("c.id")
    .where("i.channel_id", "=", s.channelId)
    .where("i.platform_user_id", "=", userId)
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Another transaction holding a conversation's row lock until released. */
async function holdConversation(s: Side, id: string): Promise<{ release: () => Promise<void> }> {
  let release!: () => void;
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => (locked = r));
  const holder = s.t.app.ctx.db.transaction().execute(async (tx) => {
    await sql`select id from conversations where id = ${id} for update`.execute(tx);
    locked();
    await new Promise<void>((r) => (release = r));
  });
  await isLocked;
  return { release: () => (release(), holder) };
}

/** Polls until `ok` holds (5 s at most). */
async function until(ok: () => boolean, never: string): Promise<void> {
  for (let i = 0; !ok(); i++) {
    expect(i, never).toBeLessThan(500);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Everything a customer's conversation shows, without ids and times that differ between the two apps. */
async function snapshot(s: Side, users: string[]) {
  const db = s.t.app.ctx.db;
  const out: Record<string, unknown> = {};
  for (const u of users) {
    const id = await conversationId(s, u);
    const c = await db.selectFrom("conversations").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    const msgs = await db.selectFrom("messages").select(["direction", "sender_kind", "kind", "text", "content", "search_tokens", "status", "platform_message_id", "quoted_platform_message_id"]).where("conversation_id", "=", id).orderBy("created_at").orderBy("id").execute();
    const unread = await db.selectFrom("conversation_member_state").select(["unread_count"]).where("conversation_id", "=", id).execute();
    const log = await db.selectFrom("status_log").select(["text"]).where("conversation_id", "=", id).orderBy("at").orderBy("id").execute();
    const contact = await db.selectFrom("contacts").select(["display_name", "phone"]).where("id", "=", c.contact_id).executeTakeFirstOrThrow();
    out[u] = {
      contact,
      state: c.state,
      queue: c.queue,
      followed: c.follower_id !== null,
      unread: c.unread_count,
      waiting: c.waiting_since !== null,
      preview: c.last_message_preview,
      sender: c.last_message_sender,
      active: c.active,
      lastCustomer: c.last_customer_message_at !== null,
      same: [c.is_collaborative, c.reopenable, c.version, +new Date(c.last_message_at) === +new Date(c.updated_at)],
      members: unread.map((x) => x.unread_count).sort(),
      messages: msgs,
      log: log.map((l) => l.text),
    };
  }
  const counters = await sql<{ bucket: string; n: number }>`
    select bucket, sum(count)::int as n from view_counters where workspace_id = ${s.w.workspaceId} group by bucket having sum(count) <> 0 order by bucket`.execute(db);
  out.counters = counters.rows;
  out.events = Number((await sql<{ n: string }>`select count(*) as n from webhook_events where channel_id = ${s.channelId}`.execute(db)).rows[0].n);
  return out;
}

describe("group commit of customer messages", () => {
  it("LIFE-4: batched webhooks store exactly what one transaction per webhook stores, redeliveries and duplicates included", async () => {
    const [alone, batched, twoAtOnce] = sides;
    const users = Array.from({ length: 26 }, (_, i) => `U${String(i).padStart(32, "0")}`);
    const ev = (i: number, text: string) => alone.sim.textEvent(users[i], text);

    // Round 1: 24 new customers, one webhook each.
    const r1 = users.slice(0, 24).map((_, i) => [ev(i, `第一則 ${i}`)]);
    for (const s of sides) await round(s, r1);

    // Between rounds, the same console actions on both: one conversation followed, one switched off.
    for (const s of sides) {
      expect((await s.w.act("agent", await conversationId(s, users[1]), "follow")).status).toBe(200);
      const off = await s.t.req("POST", `/api/conversations/${await conversationId(s, users[2])}/active`, { token: s.w.tokens.admin, body: { active: false } });
      expect(off.status).toBe(200);
    }

    // Round 2: known customers (pending, followed, switched off), a keyword reply, an image,
    // a redelivery of round 1, the same new event twice, and several customers in one webhook.
    const twice = ev(9, "同一事件兩次");
    // An image (its download is a job, queued in the same transaction; the job does not run here).
    const image = [{ ...ev(8, ""), message: { id: "777000111222333444", type: "image", contentProvider: { type: "line" }, quoteToken: "q".repeat(24) } } as LineEvent];
    const r2: LineEvent[][] = [
      [ev(0, "還在嗎")],
      [ev(1, "我要退貨")],
      [ev(2, "被關掉的對話")],
      [ev(3, "營業時間")],
      image,
      r1[4],
      [twice],
      [twice],
      [ev(10, "一起的 A"), ev(11, "一起的 B"), ev(12, "一起的 C")],
      ...users.slice(13, 24).map((_, j) => [ev(13 + j, `第二則 ${13 + j}`)]),
      [ev(24, "營業時間")], // a new customer's first message with a keyword: the bot answers
      [ev(25, "新客人")],
    ];
    for (const s of sides) await round(s, r2);

    // Round 3: a new event key carrying a message id already stored (the batch falls back to one by one), with others.
    const reused = { ...ev(5, "重複的訊息編號"), message: { ...(r1[5][0] as any).message } } as LineEvent;
    const r3: LineEvent[][] = [[reused], ...users.slice(14, 20).map((_, j) => [ev(14 + j, `第三則 ${14 + j}`)])];
    for (const s of sides) await round(s, r3);

    const [a, b, c] = [await snapshot(alone, users), await snapshot(batched, users), await snapshot(twoAtOnce, users)];
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    // What the scenario is meant to cover did happen.
    const u = (x: number) => a[users[x]] as any;
    expect(u(1).state).toBe("processing");
    expect(u(1).members).toEqual([2]); // the shared count it took on following (VIEW-27) and one more
    expect(u(2).messages).toHaveLength(1); // switched off: round 2's message dropped
    expect(u(24).messages.map((m: any) => m.sender_kind)).toEqual(["customer", "bot"]);
    expect(u(5).messages).toHaveLength(1);
    expect(u(9).messages).toHaveLength(2); // round 1 and the event sent twice, once
    expect(u(10).messages).toHaveLength(2);
    expect(u(8).messages.map((m: any) => m.kind)).toEqual(["text", "image"]);
    expect(a.events).toBe(24 + 22 + 6);
    // The batching app fell back for the reused message id (and stored the rest of that batch).
    expect(batched.t.app.ctx.ingest!.stats.fallbacks).toBeGreaterThanOrEqual(1);
    expect(twoAtOnce.t.app.ctx.ingest!.stats.fallbacks).toBeGreaterThanOrEqual(1);
    expect(alone.t.app.ctx.ingest).toBeUndefined();
  }, 120_000);

  it("LIFE-4: webhooks that arrive while a batch is in the database are stored together by the next one", async () => {
    const s = sides[1];
    const ingest = s.t.app.ctx.ingest!;
    const before = { ...ingest.stats };
    const known = "U" + "k".repeat(32);
    expect((await s.sim.send([s.sim.textEvent(known, "先來")])).status).toBe(200);
    const id = await conversationId(s, known);
    // Another transaction holds the known customer's conversation: the batch with its next message waits.
    const hold = await holdConversation(s, id);
    const first = s.sim.send([s.sim.textEvent(known, "等一下")]);
    await until(() => ingest.running > 0 && ingest.waiting === 0, "the held message's batch never started");
    const others = Array.from({ length: 12 }, (_, i) => s.sim.send([s.sim.textEvent(`U${"w".repeat(30)}${String(i).padStart(2, "0")}`, `排隊 ${i}`)]));
    await until(() => ingest.waiting >= 12, "the 12 webhooks never queued behind the held batch");
    await hold.release();
    expect([(await first).status, ...(await Promise.all(others)).map((r) => r.status)]).toEqual(Array(13).fill(200));
    // Three batches: the first message, the held one, then all twelve together.
    expect(ingest.stats.batches - before.batches).toBe(3);
    expect(ingest.stats.webhooks - before.webhooks).toBe(14);
    expect((await s.t.app.ctx.db.selectFrom("messages").select("text").where("conversation_id", "=", id).orderBy("created_at").execute()).map((m) => m.text)).toEqual(["先來", "等一下"]);
    // The twelve were new customers, opened by the batch's one statement: each in the human queue with its entry in the status log.
    for (let i = 0; i < 12; i++) {
      const c = await conversationId(s, `U${"w".repeat(30)}${String(i).padStart(2, "0")}`);
      const conv = await s.t.app.ctx.db.selectFrom("conversations").select(["state", "queue", "unread_count", "last_message_preview"]).where("id", "=", c).executeTakeFirstOrThrow();
      expect(conv).toEqual({ state: "pending", queue: "human", unread_count: 1, last_message_preview: `排隊 ${i}` });
      expect(await s.t.app.ctx.db.selectFrom("status_log").select("state").where("conversation_id", "=", c).execute()).toEqual([{ state: "pending" }]);
    }
  }, 60_000);

  // Two batches at once: PostgreSQL only (PGlite's one connection runs one transaction at a time).
  it.skipIf(backend !== "postgres")("LIFE-4: with two batches at once, a customer's next webhook waits for the batch holding their conversation while others go on", async () => {
    const s = sides[2];
    const ingest = s.t.app.ctx.ingest!;
    const known = "U" + "p".repeat(32);
    expect((await s.sim.send([s.sim.textEvent(known, "一")])).status).toBe(200);
    const id = await conversationId(s, known);
    const hold = await holdConversation(s, id);
    const second = s.sim.send([s.sim.textEvent(known, "二")]);
    await until(() => ingest.running > 0 && ingest.waiting === 0, "the held message's batch never started");
    // The same customer again: not in a second batch beside the held one.
    const third = s.sim.send([s.sim.textEvent(known, "三")]);
    await until(() => ingest.waiting >= 1, "the third message never queued");
    // Another customer is stored meanwhile by a second batch.
    expect((await s.sim.send([s.sim.textEvent("U" + "q".repeat(32), "別人")])).status).toBe(200);
    expect(ingest.running).toBe(1);
    expect(ingest.waiting).toBe(1);
    await hold.release();
    expect([(await second).status, (await third).status]).toEqual([200, 200]);
    expect((await s.t.app.ctx.db.selectFrom("messages").select("text").where("conversation_id", "=", id).orderBy("created_at").orderBy("id").execute()).map((m) => m.text)).toEqual(["一", "二", "三"]);
  }, 60_000);

  // Two transactions at once: PostgreSQL only (PGlite has one connection, the batch would simply wait for the other).
  it.skipIf(backend !== "postgres")("LIFE-4: a new customer created meanwhile by another transaction makes the batch fall back, and the message is stored once", async () => {
    const s = sides[1];
    const ingest = s.t.app.ctx.ingest!;
    const before = { ...ingest.stats };
    const user = "U" + "r".repeat(32);
    const ws = (await s.t.app.ctx.db.selectFrom("channels").select("workspace_id").where("id", "=", s.channelId).executeTakeFirstOrThrow()).workspace_id;
    const rows = newCustomerRows({ id: s.channelId, workspace_id: ws }, { userId: user, displayName: "同時建立" }, { kind: "individual", state: "pending", queue: "human", followerId: null, lastHandlerId: null, collaboratorIds: [], reopenable: true }, s.t.clock.now());
    // Another transaction creates the same customer and commits only after the batch has looked them up (and found nobody).
    let release!: () => void;
    let created!: () => void;
    const isCreated = new Promise<void>((r) => (created = r));
    const holder = s.t.app.ctx.db.transaction().execute(async (tx) => {
      await tx.insertInto("contacts").values(rows.contact).execute();
      await tx.insertInto("contact_identities").values(rows.identity).execute();
      created();
      await new Promise<void>((r) => (release = r));
    });
    await isCreated;
    const sent = s.sim.send([s.sim.textEvent(user, "同時來的第一則")]);
    // The batch's insert of the identity now waits on the holder's uncommitted row.
    await new Promise((r) => setTimeout(r, 300));
    release();
    await holder;
    expect((await sent).status).toBe(200);
    expect(ingest.stats.fallbacks - before.fallbacks).toBe(1);
    const c = await conversationId(s, user);
    const conv = await s.t.app.ctx.db.selectFrom("conversations").select(["contact_id", "state"]).where("id", "=", c).executeTakeFirstOrThrow();
    expect(conv).toEqual({ contact_id: rows.contact.id, state: "pending" });
    expect((await s.t.app.ctx.db.selectFrom("messages").select("text").where("conversation_id", "=", c).execute()).map((m) => m.text)).toEqual(["同時來的第一則"]);
  }, 60_000);
});
