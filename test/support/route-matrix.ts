/**
 * Support for the authorization matrix (test/api/authorization-matrix.test.ts):
 *
 * - `recordingFastify` wraps Fastify's factory (for `vi.mock("fastify", …)`)
 *   so every instance records its routes through an `onRoute` hook added
 *   before any plugin registers: the list of routes comes from the app
 *   itself, with whether each declares itself public (`security: []`).
 * - `workspaceSnapshot` reads every row of one workspace straight from the
 *   database (every table with a `workspace_id` column, and the workspace
 *   row), so a test can assert that a refused request changed nothing.
 */
import { sql, type Kysely } from "kysely";

export interface RegisteredRoute {
  method: string;
  url: string;
  /** The route declares `security: []` (the server then lets anonymous callers in). */
  public: boolean;
}

const LOG = Symbol.for("parley.test.registeredRoutes");
type Log = Map<object, RegisteredRoute[]>;
const log = (): Log => ((globalThis as Record<symbol, unknown>)[LOG] ??= new Map()) as Log;

type Factory = (...args: any[]) => { addHook(name: "onRoute", fn: (route: { method: string | string[]; url: string; schema?: unknown }) => void): unknown };

/** Fastify's module with a factory whose instances record their routes. Use as `vi.mock("fastify", async (orig) => recordingFastify(await orig()))`. */
export function recordingFastify<M extends { default: unknown }>(actual: M): M {
  const original = actual.default as Factory;
  const make = (...args: unknown[]) => {
    const app = original(...args);
    const routes: RegisteredRoute[] = [];
    log().set(app, routes);
    app.addHook("onRoute", (r) => {
      const security = (r.schema as { security?: unknown } | undefined)?.security;
      for (const m of [r.method].flat()) routes.push({ method: String(m).toUpperCase(), url: r.url, public: Array.isArray(security) && security.length === 0 });
    });
    return app;
  };
  return { ...actual, default: make, fastify: make };
}

/**
 * The routes `app` registered, as "METHOD url" with Fastify's `:param`
 * syntax; the HEAD twins Fastify adds to every GET are left out.
 */
export function registeredRoutes(app: object): Map<string, RegisteredRoute> {
  const routes = log().get(app);
  if (!routes) throw new Error("this Fastify instance was not created through recordingFastify (is vi.mock(\"fastify\") in the test file?)");
  const gets = new Set(routes.filter((r) => r.method === "GET").map((r) => r.url));
  const out = new Map<string, RegisteredRoute>();
  for (const r of routes) if (!(r.method === "HEAD" && gets.has(r.url))) out.set(`${r.method} ${r.url}`, r);
  return out;
}

const tablesCache = new WeakMap<object, Promise<string[]>>();

/**
 * Every row of the workspace, table by table (every table with a
 * `workspace_id` column, and the workspace row), as a row count and the sum
 * of the rows' hashes (order-free, no sort): one query, and equal
 * snapshots mean nothing of the workspace changed.
 */
export async function workspaceSnapshot(db: Kysely<any>, workspaceId: string): Promise<Record<string, string>> {
  let tables = tablesCache.get(db);
  if (!tables) {
    tables = sql<{ table_name: string }>`select c.table_name from information_schema.columns c join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
      where c.table_schema = 'public' and c.column_name = 'workspace_id' and t.table_type = 'BASE TABLE' order by c.table_name`
      .execute(db)
      .then((r) => r.rows.map((x) => x.table_name));
    tablesCache.set(db, tables);
  }
  const digest = (table: string, where: ReturnType<typeof sql>) =>
    sql`select ${table}::text as t, count(*)::int as n, coalesce(sum(hashtextextended(x::text, 0)::numeric), 0)::text as h from ${sql.table(table)} x where ${where}`;
  const parts = [digest("workspaces", sql`id = ${workspaceId}`), ...(await tables).map((table) => digest(table, sql`workspace_id = ${workspaceId}`))];
  const rows = await sql<{ t: string; n: number; h: string }>`${sql.join(parts, sql` union all `)}`.execute(db);
  return Object.fromEntries(rows.rows.map((r) => [r.t, `${r.n} rows, ${r.h}`]));
}
