/**
 * Statements marked PREPARED (store/db.ts) are named by their text on
 * PostgreSQL: a connection parses and plans them once and then only binds
 * and runs them (the ingest batch's statements, docs/benchmarks.md). On
 * PGlite the mark is a comment and nothing more.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { startTestApp, type TestApp } from "../support/app.js";
import { backend } from "../support/backend.js";
import { PREPARED } from "../../src/store/db.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

describe("prepared statements", () => {
  it.runIf(backend === "postgres")("a PREPARED statement is prepared once per connection and reused with other values; others are not kept", async () => {
    await t.app.ctx.db.connection().execute(async (c) => {
      const values: number[] = [];
      for (const n of [[1, 2], [3, 4, 5], []]) values.push((await sql<{ n: number }>`${PREPARED}select cardinality(${n}::int[]) as n`.execute(c)).rows[0].n);
      expect(values).toEqual([2, 3, 0]);
      await sql`select ${1}::int as plain`.execute(c);
      const kept = await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute(c);
      expect(kept.rows.filter((r) => r.statement.includes("cardinality"))).toHaveLength(1);
      expect(kept.rows.some((r) => r.statement.includes("plain"))).toBe(false);
      expect(kept.rows.every((r) => r.name.startsWith("p_"))).toBe(true);
    });
  });

  it("a PREPARED statement gives the same rows as without the mark", async () => {
    const r = await sql<{ a: string[] }>`${PREPARED}select string_to_array(${"x\u001fy"}, chr(31)) as a`.execute(t.app.ctx.db);
    expect(r.rows[0].a).toEqual(["x", "y"]);
  });
});
