/**
 * Random sequences of member actions and customer messages through the real
 * use cases and database; after each sequence the stored invariants hold, the
 * status log replays to the current state, and the maintained view counters
 * equal a recount.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import fc from "fast-check";
import { sql } from "kysely";
import { startTestApp, type TestApp } from "../support/app.js";
import { makeWorld, type World } from "../support/world.js";
import { performAction } from "../../src/usecases/perform-action.js";
import { receiveCustomerEvent } from "../../src/usecases/receive-inbound.js";
import { sendReply } from "../../src/usecases/send-message.js";
import { AppError } from "../../src/usecases/errors.js";
import type { Actor } from "../../src/usecases/actor.js";
import type { Role } from "../../src/domain/roles.js";

let t: TestApp;
let w: World;
let n = 0;
beforeAll(async () => {
  t = await startTestApp();
  w = await makeWorld(t);
  await t.req("POST", "/api/keyword-rules", { token: w.tokens.admin, body: { kind: "auto_reply", keywords: ["bot"], replies: [{ text: "hi" }] } });
});
afterAll(() => t.close());

const ROLES_USED: Role[] = ["admin", "supervisor", "cs_manager", "agent", "sales"];
const step = fc.oneof(
  fc.record({ type: fc.constantFrom("follow", "take_over", "close", "reopen"), who: fc.constantFrom(...ROLES_USED) }),
  fc.record({ type: fc.constant("transfer"), who: fc.constantFrom(...ROLES_USED), to: fc.constantFrom(...ROLES_USED) }),
  fc.record({ type: fc.constant("customer"), text: fc.constantFrom("bot", "hello", "需要真人") }),
  fc.record({ type: fc.constant("reply"), who: fc.constantFrom(...ROLES_USED) }),
);

describe("stored lifecycle invariants", () => {
  it("LIFE-5: random sequences keep one state, the follower rule, a replayable log and exact counters", async () => {
    const actor = (r: Role): Actor => ({ workspaceId: w.workspaceId, memberId: w.ids[r], role: r, name: w.names[r] });
    const channel = { id: w.channelId, workspace_id: w.workspaceId, platform: "api" };
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 20 }), async (steps) => {
        const user = `p-${++n}`;
        const first = await receiveCustomerEvent(t.app.ctx, channel, { type: "message", eventKey: `${user}:0`, at: t.clock.now(), sender: { userId: user }, platformMessageId: `${user}:0`, message: { kind: "text", text: "hello" } });
        if (first.status !== "stored") throw new Error("not stored");
        const id = first.conversationId;
        let i = 0;
        for (const s of steps) {
          t.clock.advance(60_000);
          try {
            if (s.type === "customer")
              await receiveCustomerEvent(t.app.ctx, channel, { type: "message", eventKey: `${user}:${++i}`, at: t.clock.now(), sender: { userId: user }, platformMessageId: `${user}:${i}`, message: { kind: "text", text: s.text } });
            else if (s.type === "reply") await sendReply(t.app.ctx, actor(s.who), id, { text: "ok" });
            else if (s.type === "transfer") await performAction(t.app.ctx, actor(s.who), id, { type: "transfer", toMemberId: w.ids[s.to] });
            else await performAction(t.app.ctx, actor(s.who), id, { type: s.type });
          } catch (e) {
            // Refusals are part of the property: they must be typed errors with a message, never crashes.
            expect(e).toBeInstanceOf(AppError);
            expect((e as AppError).message.length).toBeGreaterThan(0);
          }
        }
        const c = await t.app.ctx.db.selectFrom("conversations").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
        expect(["pending", "processing", "closed"]).toContain(c.state);
        expect(c.state === "pending").toBe(c.queue !== null);
        expect(c.state === "processing").toBe(c.follower_id !== null);
        if (c.state === "closed") expect(c.unread_count).toBe(0);
        const log = await t.app.ctx.db.selectFrom("status_log").selectAll().where("conversation_id", "=", id).orderBy("at").orderBy("id").execute();
        const last = log[log.length - 1];
        expect({ state: last.state, queue: last.queue, follower: last.follower_id }).toEqual({ state: c.state, queue: c.queue, follower: c.follower_id });
      }),
      { numRuns: 25 },
    );
    // VIEW counters maintained by trigger equal a full recount.
    const recount = await sql<{ bucket: string; member_id: string; n: number }>`
      select case state when 'pending' then 'pending_' || queue else state end as bucket,
             coalesce(case state when 'processing' then follower_id when 'closed' then last_handler_id end, '00000000-0000-0000-0000-000000000000') as member_id,
             count(*)::int as n
      from conversations where workspace_id = ${w.workspaceId} group by 1, 2`.execute(t.app.ctx.db);
    const counters = await sql<{ bucket: string; member_id: string; n: number }>`
      select bucket, member_id, sum(count)::int as n from view_counters
      where workspace_id = ${w.workspaceId} and bucket <> 'unread' group by 1, 2 having sum(count) <> 0`.execute(t.app.ctx.db);
    const norm = (rows: { bucket: string; member_id: string; n: number }[]) => rows.map((r) => `${r.bucket}/${r.member_id}=${r.n}`).sort();
    expect(norm(counters.rows)).toEqual(norm(recount.rows));
    const unread = await sql<{ member_id: string; n: number }>`
      select member_id, count(*)::int as n from conversation_member_state where workspace_id = ${w.workspaceId} and unread_count > 0 group by 1`.execute(t.app.ctx.db);
    const unreadCounters = await sql<{ member_id: string; n: number }>`
      select member_id, sum(count)::int as n from view_counters where workspace_id = ${w.workspaceId} and bucket = 'unread' group by 1 having sum(count) <> 0`.execute(t.app.ctx.db);
    expect(unreadCounters.rows.map((r) => `${r.member_id}=${r.n}`).sort()).toEqual(unread.rows.map((r) => `${r.member_id}=${r.n}`).sort());
  }, 120_000);
});
