/**
 * Inbox lists: every view's first page and a deep page (reached by following
 * the cursor N pages), timed over HTTP (GET /api/conversations, 30 per page,
 * as the console asks) from the driver process, sequentially; and the plan
 * of each page query — buildListQuery, the query the API runs — with
 * EXPLAIN (ANALYZE, BUFFERS).
 */
import type { App } from "../src/app.js";
import type { Actor } from "../src/usecases/actor.js";
import { buildListQuery, type ListQuery } from "../src/usecases/list-conversations.js";
import type { Helper } from "./ipc.js";
import type { Fixtures } from "./setup.js";
import { explain, type Plan } from "./explain.js";
import { summarize, type Summary } from "./stats.js";

export interface ListCase {
  name: string;
  role: "agent" | "admin";
  q: ListQuery;
}

export const LIST_CASES: ListCase[] = [
  { name: "pending_human", role: "agent", q: { view: "pending_human" } },
  { name: "pending_bot", role: "agent", q: { view: "pending_bot" } },
  { name: "my_processing", role: "agent", q: { view: "my_processing" } },
  { name: "team_processing", role: "admin", q: { view: "team_processing" } },
  { name: "my_closed", role: "agent", q: { view: "my_closed" } },
  { name: "team_closed", role: "admin", q: { view: "team_closed" } },
  { name: "pending_human, longest waiting first", role: "agent", q: { view: "pending_human", sort: "waiting" } },
  { name: "my_processing, by follow time", role: "agent", q: { view: "my_processing", sort: "follow_time" } },
];

export interface PageResult {
  view: string;
  role: string;
  page: "first" | "deep";
  /** 1 for the first page; for the deep page, how many pages deep it is. */
  depth: number;
  items: number;
  ms: Summary;
  plan: Plan;
  error?: string;
}

export interface ListsResult {
  pageSize: number;
  pages: PageResult[];
  /** Over every timed request of every page above. */
  all: Summary;
  /** Pages whose plan read `conversations` by a sequential scan, or used no conv_* index. */
  planProblems: string[];
}

const PAGE = 30;

function pathOf(q: ListQuery, cursor?: string): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined) p.set(k, String(v));
  p.set("limit", String(PAGE));
  if (cursor) p.set("cursor", cursor);
  return `/api/conversations?${p}`;
}

export async function measureLists(driver: Helper, origin: string, app: App, fx: Fixtures, o: { repeats: number; deepPages: number; cases?: ListCase[]; explain?: boolean }): Promise<ListsResult> {
  const agent = fx.agents[0];
  const who = (role: ListCase["role"]): { token: string; actor: Actor } =>
    role === "admin"
      ? { token: fx.admin.token, actor: { workspaceId: fx.workspaceId, memberId: fx.admin.id, role: "admin", name: "Bench Admin" } }
      : { token: agent.token, actor: { workspaceId: fx.workspaceId, memberId: agent.id, role: "agent", name: "Agent 001" } };
  const pages: PageResult[] = [];
  const all: number[] = [];
  for (const c of o.cases ?? LIST_CASES) {
    const { token, actor } = who(c.role);
    // Follow the cursor to the deep page once.
    let cursor: string | undefined;
    let depth = 1;
    for (let i = 1; i < o.deepPages; i++) {
      const r = await driver.call<{ status: number; body: any }>("get", { origin, path: pathOf(c.q, cursor), token }, 120_000);
      if (r.status !== 200) throw new Error(`${c.name}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      if (!r.body.nextCursor) break;
      cursor = r.body.nextCursor;
      depth = i + 1;
    }
    for (const [page, cur, d] of [["first", undefined, 1], ["deep", cursor, depth]] as const) {
      if (page === "deep" && !cur) continue;
      const t = await driver.call<{ status: number; items: number; times: number[]; error?: string }>(
        "timeGet",
        { origin, path: pathOf(c.q, cur), token, repeats: o.repeats, warmup: 2, budgetMs: 60_000 },
        600_000,
      );
      all.push(...t.times);
      const plan = o.explain === false ? { text: "", indexes: [], seqScans: [], executionMs: null } : await explain(app.ctx.db, buildListQuery(app.ctx, actor, { ...c.q, limit: PAGE, cursor: cur }).query.compile());
      pages.push({ view: c.name, role: c.role, page, depth: d, items: t.items, ms: summarize(t.times), plan, ...(t.error ? { error: t.error } : {}) });
    }
  }
  const planProblems = pages
    .filter((p) => o.explain !== false && (p.plan.seqScans.includes("conversations") || !p.plan.indexes.some((i) => i.startsWith("conv_"))))
    .map((p) => `${p.view} (${p.page}): ${p.plan.seqScans.includes("conversations") ? "sequential scan of conversations" : "no conv_* index"}`);
  return { pageSize: PAGE, pages, all: summarize(all), planProblems };
}

/** The six views' first and deep pages without plans (the growth steps). */
export async function listTimes(driver: Helper, origin: string, app: App, fx: Fixtures, repeats: number, deepPages: number): Promise<Summary> {
  const r = await measureLists(driver, origin, app, fx, { repeats, deepPages, cases: LIST_CASES.slice(0, 6), explain: false });
  return r.all;
}
