/**
 * Every inbox view's page query is served by an index, never a sequential
 * scan of conversations (guides/architecture.md principle 7). The queries are
 * the ones the API runs (buildListQuery), EXPLAINed over 20,000 generated
 * conversations after ANALYZE.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { sql } from "kysely";
import { startTestApp, type TestApp } from "../support/app.js";
import { makeWorld, type World } from "../support/world.js";
import { buildListQuery, type ListQuery } from "../../src/usecases/list-conversations.js";
import type { Actor } from "../../src/usecases/actor.js";
import type { Role } from "../../src/domain/roles.js";

let t: TestApp;
let w: World;
const N = 20_000;

beforeAll(async () => {
  t = await startTestApp();
  w = await makeWorld(t);
  const db = t.app.ctx.db;
  const ws = w.workspaceId;
  const followers = [w.ids.agent, w.agent2.id, w.ids.admin, w.ids.supervisor];
  await sql`insert into contacts (id, workspace_id, display_name, created_at, updated_at)
            select gen_random_uuid(), ${ws}::uuid, 'c' || g, now(), now() from generate_series(1, ${N}::int) g`.execute(db);
  await sql`insert into contact_identities (id, workspace_id, channel_id, contact_id, platform_user_id, created_at)
            select gen_random_uuid(), ${ws}::uuid, ${w.channelId}::uuid, id, 'gen-' || id, now() from contacts where workspace_id = ${ws}::uuid`.execute(db);
  await sql`insert into conversations (id, workspace_id, channel_id, kind, contact_id, identity_id, state, queue, follower_id, last_handler_id,
              followed_at, last_message_at, waiting_since, created_at, updated_at)
            select gen_random_uuid(), ${ws}::uuid, ${w.channelId}::uuid, 'individual', i.contact_id, i.id,
              s.state, s.queue, s.follower, s.handler, case when s.follower is not null then now() - (rn || ' seconds')::interval end,
              now() - (rn || ' seconds')::interval, case when rn % 3 = 0 and s.state <> 'closed' then now() - (rn || ' seconds')::interval end, now(), now()
            from (select id, contact_id, row_number() over () as rn from contact_identities where workspace_id = ${ws}::uuid) i
            cross join lateral (select
              case when rn % 10 < 4 then 'pending' when rn % 10 < 5 then 'pending' when rn % 10 < 8 then 'processing' else 'closed' end as state,
              case when rn % 10 < 4 then 'human' when rn % 10 < 5 then 'bot' end as queue,
              case when rn % 10 between 5 and 7 then (${sql.val(followers)}::uuid[])[1 + rn % 4] end as follower,
              case when rn % 10 >= 5 then (${sql.val(followers)}::uuid[])[1 + rn % 4] end as handler) s`.execute(db);
  await sql`analyze`.execute(db);
}, 120_000);
afterAll(() => t.close());

type PlanNode = { "Node Type": string; "Relation Name"?: string; "Index Name"?: string; Plans?: PlanNode[] };
function nodes(p: PlanNode, out: PlanNode[] = []): PlanNode[] {
  out.push(p);
  for (const c of p.Plans ?? []) nodes(c, out);
  return out;
}

async function plan(role: Role, q: ListQuery) {
  const actor: Actor = { workspaceId: w.workspaceId, memberId: role === "agent" ? w.ids.agent : w.ids[role], role, name: "x" };
  const compiled = buildListQuery(t.app.ctx, actor, q).query.compile();
  const res = await sql.raw<{ "QUERY PLAN": unknown }>(`explain (format json) ${compiled.sql.replace(/\$(\d+)/g, (_, i) => literal(compiled.parameters[Number(i) - 1]))}`).execute(t.app.ctx.db);
  const raw = res.rows[0]["QUERY PLAN"];
  const json = (typeof raw === "string" ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
  return nodes(json[0].Plan);
}

function literal(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (v instanceof Date) return `'${v.toISOString()}'`;
  return `'${String(v).replace(/'/g, "''")}'`;
}

const CASES: [string, Role, ListQuery][] = [
  ["pending human", "agent", { view: "pending_human" }],
  ["pending bot", "agent", { view: "pending_bot" }],
  ["pending human, oldest first", "agent", { view: "pending_human", order: "asc" }],
  ["pending, one channel", "agent", { view: "pending_human", channelId: "00000000-0000-0000-0000-000000000001" }],
  ["pending, overdue", "agent", { view: "pending_human", overdue: true }],
  ["my processing", "agent", { view: "my_processing" }],
  ["my processing by follow time", "agent", { view: "my_processing", sort: "follow_time" }],
  ["team processing", "admin", { view: "team_processing" }],
  ["team processing by follow time", "admin", { view: "team_processing", sort: "follow_time" }],
  ["my closed", "agent", { view: "my_closed" }],
  ["team closed", "admin", { view: "team_closed" }],
];

describe("inbox list plans", () => {
  it.each(CASES)("VIEW-9: %s is served by an index, never a sequential scan of conversations", async (_n, role, q) => {
    const ns = await plan(role, q);
    const seq = ns.filter((n) => n["Node Type"] === "Seq Scan" && n["Relation Name"] === "conversations");
    expect(seq).toEqual([]);
    expect(ns.some((n) => (n["Index Name"] ?? "").startsWith("conv_"))).toBe(true);
  });
});
