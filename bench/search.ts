/**
 * Message-content search (GET /api/conversations/search?message=…) as an
 * admin (who searches every state, the broadest case), Chinese
 * two-character terms and English words from common to rare, timed over
 * HTTP from the driver; and the plan of the query searchConversations runs,
 * captured from the use case itself and EXPLAINed with its parameters.
 */
import { sql } from "kysely";
import type { App } from "../src/app.js";
import { searchConversations } from "../src/usecases/search-conversations.js";
import type { Helper } from "./ipc.js";
import type { Fixtures } from "./setup.js";
import { capturing, explain, type Plan } from "./explain.js";
import { summarize, type Summary } from "./stats.js";
import { SEARCH_TERMS } from "./vocab.js";

export interface TermResult {
  term: string;
  lang: "zh" | "en";
  /** Share of messages whose text contains the term (from the text templates, which messages use uniformly). */
  messageShare: number;
  items: number;
  ms: Summary;
  plan: Plan;
  error?: string;
}

export interface SearchResult {
  terms: TermResult[];
  all: Summary;
}

export async function measureSearch(driver: Helper, origin: string, app: App, fx: Fixtures, o: { repeats: number; budgetMs: number; explain?: boolean }): Promise<SearchResult> {
  const actor = { workspaceId: fx.workspaceId, memberId: fx.admin.id, role: "admin" as const, name: "Bench Admin" };
  const out: TermResult[] = [];
  const all: number[] = [];
  for (const { term, lang } of SEARCH_TERMS) {
    const share = await sql<{ s: number }>`select (count(*) filter (where text ilike ${`%${term}%`}))::float / greatest(count(*), 1) as s from bench_templates`.execute(app.ctx.db);
    const path = `/api/conversations/search?${new URLSearchParams({ message: term, limit: "30" })}`;
    const t = await driver.call<{ status: number; items: number; times: number[]; error?: string }>("timeGet", { origin, path, token: fx.admin.token, repeats: o.repeats, warmup: 1, budgetMs: o.budgetMs }, 900_000);
    all.push(...t.times);
    let plan: Plan = { text: "", indexes: [], seqScans: [], executionMs: null };
    if (o.explain !== false) {
      const cap = capturing(app.ctx.db);
      await searchConversations({ ...app.ctx, db: cap.db }, actor, { message: term, limit: 30 });
      // The walk (conversations newest first, each probed by LATERAL … LIMIT 1) and, for a rare term, the token-index query.
      const walk = cap.queries.filter((q) => q.sql.includes("lateral"));
      const tokens = cap.queries.find((q) => q.sql.includes("search_tokens"));
      const plans = [];
      for (const q of [...walk, ...(tokens ? [tokens] : [])]) plans.push(await explain(app.ctx.db, q));
      if (plans.length)
        plan = {
          text: plans.map((p, i) => `-- query ${i + 1} of ${plans.length}\n${p.text}`).join("\n\n"),
          indexes: [...new Set(plans.flatMap((p) => p.indexes))],
          seqScans: [...new Set(plans.flatMap((p) => p.seqScans))],
          executionMs: plans.reduce((a, p) => a + (p.executionMs ?? 0), 0),
        };
    }
    out.push({ term, lang, messageShare: Math.round(Number(share.rows[0].s) * 10000) / 10000, items: t.items, ms: summarize(t.times), plan, ...(t.error ? { error: t.error } : {}) });
  }
  return { terms: out, all: summarize(all) };
}
