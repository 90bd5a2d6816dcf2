/**
 * Message search over a generated workspace large enough for both of its
 * paths (walking conversations newest first, and the token index for rare
 * terms): every page together is exactly what a plain ILIKE over all the
 * searcher's conversations finds, in the same order; and the plans use the
 * indexes the strategy is built on.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { sql } from "kysely";
import { startTestApp, type TestApp } from "../support/app.js";
import { makeWorld, type World } from "../support/world.js";
import { searchConversations, WALK_BATCHES } from "../../src/usecases/search-conversations.js";
import { indexTokens } from "../../src/store/search-tokens.js";
import type { Actor } from "../../src/usecases/actor.js";
import { capturing, planFacts } from "../../bench/explain.js";
import { CompiledQuery } from "kysely";

let t: TestApp;
let w: World;
const N = 12_000;
const walked = WALK_BATCHES.reduce((a, b) => a + b, 0);

// Texts by conversation number: a common Chinese and English term, a medium-rare one, rare ones.
const TEXTS: [string, string][] = [
  ["n % 1500 = 7", "請問產品保固多久"],
  ["n % 1000 = 11", "What is the warranty period?"],
  ["n % 97 = 5", "可以開發票嗎"],
  ["n % 3 = 0", "你好,我想詢問訂單狀態"],
  ["n % 5 = 1", "Where is my order please"],
  ["true", "你好"],
];

beforeAll(async () => {
  t = await startTestApp();
  w = await makeWorld(t);
  const db = t.app.ctx.db;
  const ws = w.workspaceId;
  const followers = [w.ids.agent, w.agent2.id, w.ids.admin];
  const textCase = sql.raw(`case ${TEXTS.map(([c], i) => `when ${c} then ${i + 1}`).join(" ")} end`);
  await sql`insert into contacts (id, workspace_id, display_name, created_at, updated_at)
            select md5('k' || n)::uuid, ${ws}::uuid, 'c' || n, now(), now() from generate_series(1, ${N}::int) n`.execute(db);
  await sql`insert into contact_identities (id, workspace_id, channel_id, contact_id, platform_user_id, created_at)
            select md5('i' || n)::uuid, ${ws}::uuid, ${w.channelId}::uuid, md5('k' || n)::uuid, 'gen-' || n, now() from generate_series(1, ${N}::int) n`.execute(db);
  await sql`insert into conversations (id, workspace_id, channel_id, kind, contact_id, identity_id, state, queue, follower_id, last_handler_id,
              followed_at, last_message_at, created_at, updated_at)
            select md5('c' || n)::uuid, ${ws}::uuid, ${w.channelId}::uuid, 'individual', md5('k' || n)::uuid, md5('i' || n)::uuid,
              s.state, s.queue, s.follower, s.handler, case when s.follower is not null then now() end,
              now() - (n || ' seconds')::interval, now(), now()
            from generate_series(1, ${N}::int) n
            cross join lateral (select
              case when n % 10 < 3 then 'pending' when n % 10 < 6 then 'processing' else 'closed' end as state,
              case when n % 10 < 3 then 'human' end as queue,
              case when n % 10 between 3 and 5 then (${sql.val(followers)}::uuid[])[1 + n % 3] end as follower,
              case when n % 10 >= 3 then (${sql.val(followers)}::uuid[])[1 + n % 3] end as handler) s`.execute(db);
  await sql`create temporary table gen_texts (i int primary key, text text, tokens text[])`.execute(db);
  for (const [i, [, text]] of TEXTS.entries()) await sql`insert into gen_texts values (${i + 1}, ${text}, ${sql.val(indexTokens(text))}::text[])`.execute(db);
  // Two messages per conversation: the customer's text, then an agent's 「謝謝」 (a system message carries the term and must not count).
  await sql`insert into messages (id, workspace_id, conversation_id, channel_id, direction, sender_kind, kind, content, text, search_tokens, status, created_at)
            select md5('m' || n || '.' || k)::uuid, ${ws}::uuid, md5('c' || n)::uuid, ${w.channelId}::uuid,
              case k when 0 then 'in' else 'out' end, case k when 0 then 'customer' when 1 then 'agent' else 'system' end, 'text', '{}'::jsonb,
              case k when 0 then g.text when 1 then '謝謝' else '系統:保固訂單發票 warranty' end,
              case k when 0 then g.tokens when 1 then ${sql.val(indexTokens("謝謝"))}::text[] else ${sql.val(indexTokens("系統:保固訂單發票 warranty"))}::text[] end,
              'sent', now() - (n || ' seconds')::interval - ((2 - k) || ' milliseconds')::interval
            from generate_series(1, ${N}::int) n cross join generate_series(0, 2) k join gen_texts g on g.i = ${textCase}`.execute(db);
  await sql`analyze`.execute(db);
}, 180_000);
afterAll(() => t.close());

const actorOf = (role: "admin" | "agent"): Actor => ({ workspaceId: w.workspaceId, memberId: w.ids[role], role, name: role });

/** Every page, following nextCursor (a page may be short when the budget of an unindexed query is spent). */
async function allPages(actor: Actor, message: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const r = await searchConversations(t.app.ctx, actor, { message, cursor, limit: 30 });
    ids.push(...r.items.map((c) => c.id));
    if (!r.nextCursor) return ids;
    cursor = r.nextCursor;
  }
  throw new Error("too many pages");
}

/** The same search written the plain way: ILIKE over every message of every conversation the searcher may see. */
async function bruteForce(actor: Actor, message: string): Promise<string[]> {
  const seesAll = actor.role === "admin";
  const r = await sql<{ id: string }>`
    select c.id from conversations c
    where c.workspace_id = ${actor.workspaceId}::uuid and not c.is_collaborative
      and (${seesAll} or c.state = 'pending' or (c.state = 'processing' and c.follower_id = ${actor.memberId}::uuid)
           or (c.state = 'closed' and c.last_handler_id = ${actor.memberId}::uuid))
      and exists (select 1 from messages m where m.conversation_id = c.id and m.sender_kind <> 'system' and m.text ilike ${`%${message}%`})
    order by c.last_message_at desc, c.id desc`.execute(t.app.ctx.db);
  return r.rows.map((x) => x.id);
}

describe("message search at scale", () => {
  const terms = ["訂單", "order", "發票", "保固", "warranty", "WARRANTY period", "詢", "zz-none"];
  for (const role of ["admin", "agent"] as const) {
    it.each(terms)(`VIEW-30: as ${role}, «%s» gives exactly the substring matches, newest first, over every page`, async (term) => {
      const expected = await bruteForce(actorOf(role), term);
      const got = await allPages(actorOf(role), term);
      expect(got).toEqual(expected);
    }, 60_000);
  }

  it("VIEW-30: the data exercises both paths: common terms fill a page within the first walk, rare ones lie beyond it", async () => {
    const common = await bruteForce(actorOf("admin"), "訂單");
    const rare = await bruteForce(actorOf("admin"), "發票");
    const pos = async (id: string) =>
      Number((await sql<{ p: string }>`select count(*) as p from conversations where last_message_at >= (select last_message_at from conversations where id = ${id}::uuid)`.execute(t.app.ctx.db)).rows[0].p);
    expect(await pos(common[30])).toBeLessThan(WALK_BATCHES[0]);
    expect(rare.length).toBeGreaterThan(30);
    expect(await pos(rare[30])).toBeGreaterThan(walked);
  });

  it("VIEW-30: the walk reads conversations by conv_search_order and messages by messages_conv; a rare term uses the token GIN index", async () => {
    const cap = capturing(t.app.ctx.db);
    await searchConversations({ ...t.app.ctx, db: cap.db }, actorOf("agent"), { message: "保固", limit: 30 });
    const walk = cap.queries.find((q) => q.sql.includes("lateral"));
    const tokens = cap.queries.find((q) => q.sql.includes("search_tokens"));
    expect(walk && tokens).toBeTruthy();
    const facts = async (q: CompiledQuery) => {
      const res = await t.app.ctx.db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(`explain ${q.sql}`, [...q.parameters]));
      return planFacts(res.rows.map((r) => String(Object.values(r)[0])).join("\n"));
    };
    const w1 = await facts(walk!);
    expect(w1.indexes).toEqual(expect.arrayContaining(["conv_search_order", "messages_conv"]));
    expect(w1.seqScans).toEqual([]);
    const g = await facts(tokens!);
    expect(g.indexes).toContain("messages_search");
    expect(g.seqScans).toEqual([]);
  });
});
