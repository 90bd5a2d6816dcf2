/**
 * EXPLAIN (ANALYZE, BUFFERS) of the exact SQL the API runs, with its bound
 * parameters, and what the plan says about indexes: which ones it used and
 * whether any table was read by a sequential scan.
 */
import { CompiledQuery, PostgresQueryCompiler, type KyselyPlugin } from "kysely";
import type { Db } from "../src/store/db.js";

export interface Plan {
  text: string;
  indexes: string[];
  seqScans: string[];
  executionMs: number | null;
}

export async function explain(db: Db, q: { sql: string; parameters: readonly unknown[] }): Promise<Plan> {
  const res = await db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(`explain (analyze, buffers) ${q.sql}`, [...q.parameters]));
  const text = res.rows.map((r) => String(Object.values(r)[0])).join("\n");
  return { text, ...planFacts(text) };
}

export function planFacts(text: string): Omit<Plan, "text"> {
  const indexes = new Set<string>();
  for (const m of text.matchAll(/(?:Index Scan|Index Only Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\S+)/g)) indexes.add(m[1]);
  const seqScans = new Set<string>();
  for (const m of text.matchAll(/Seq Scan on (\S+)/g)) seqScans.add(m[1]);
  const exec = /Execution Time: ([\d.]+) ms/.exec(text);
  return { indexes: [...indexes], seqScans: [...seqScans], executionMs: exec ? Number(exec[1]) : null };
}

/**
 * A view of `db` that records every query it compiles (to EXPLAIN what a use
 * case runs without copying its SQL). Kysely plugins see each query's tree;
 * the Postgres compiler turns it into the same SQL and parameters.
 */
export function capturing(db: Db): { db: Db; queries: CompiledQuery[] } {
  const compiler = new PostgresQueryCompiler();
  const queries: CompiledQuery[] = [];
  const plugin: KyselyPlugin = {
    transformQuery(a) {
      queries.push(compiler.compileQuery(a.node, a.queryId));
      return a.node;
    },
    async transformResult(a) {
      return a.result;
    },
  };
  return { db: db.withPlugin(plugin), queries };
}
