/**
 * Opens the database: PostgreSQL when DATABASE_URL is set, otherwise the
 * embedded PGlite under DATA_DIR (or in memory for tests). Both run the same
 * migrations and the same queries.
 */
import { Kysely, Migrator, PostgresDialect, sql, type Migration, type MigrationProvider, type Transaction } from "kysely";
import pg from "pg";
import { PGlite } from "@electric-sql/pglite";
import { mkdirSync } from "node:fs";
import { createHash } from "node:crypto";
import { setFlagsFromString } from "node:v8";
import { PGliteDialect } from "./pglite-dialect.js";
import type { DB } from "./schema.js";
import * as m0001 from "./migrations/0001_init.js";
import * as m0002 from "./migrations/0002_member_preferences.js";
import * as m0003 from "./migrations/0003_media.js";
import * as m0004 from "./migrations/0004_login_failures.js";
import * as m0005 from "./migrations/0005_search_order_index.js";
import * as m0006 from "./migrations/0006_search_order_covering.js";
import * as m0007 from "./migrations/0007_ingest.js";
import * as m0008 from "./migrations/0008_member_counter_shards.js";

export type Db = Kysely<DB>;
export type Tx = Transaction<DB>;
export type Backend = "pglite" | "postgres";

const MIGRATIONS: Record<string, Migration> = {
  "0001_init": m0001, "0002_member_preferences": m0002, "0003_media": m0003, "0004_login_failures": m0004, "0005_search_order_index": m0005, "0006_search_order_covering": m0006,
  "0007_ingest": m0007, "0008_member_counter_shards": m0008,
};

class StaticProvider implements MigrationProvider {
  async getMigrations() {
    return MIGRATIONS;
  }
}

// timestamptz and int8 as JS values the code expects, for node-postgres.
pg.types.setTypeParser(20, (v) => v); // bigint stays a string (job ids)

export interface OpenOptions {
  databaseUrl?: string;
  /** Folder of the embedded database; undefined = in memory. */
  dataDir?: string;
  /** PostgreSQL pool size (config DATABASE_POOL_SIZE); PGlite is one connection. */
  poolSize?: number;
  /** PGlite: let V8 recompile hot WebAssembly with TurboFan (config PGLITE_WASM_TIERUP). */
  wasmTierUp?: boolean;
}

export interface Database {
  db: Db;
  backend: Backend;
  close(): Promise<void>;
}

const PREPARED_MARK = "/* prepared */ ";
/** Put first in a statement whose text is the same on every call: PostgreSQL keeps its plan per connection. */
export const PREPARED = sql.raw(PREPARED_MARK);
const preparedName = (text: string) => `p_${createHash("sha1").update(text).digest("hex").slice(0, 20)}`;

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  let db: Db;
  let backend: Backend;
  if (opts.databaseUrl) {
    // JIT off: every query here is short, and a misestimated one (stale statistics) paid 100+ ms of
    // compilation for a few ms of work (docs/benchmarks.md).
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 20, options: "-c jit=off" });
    // An idle client losing its server (PostgreSQL restart) must not crash the process.
    pool.on("error", () => {});
    // A connection in use (mid-transaction) that loses its server emits on the client, not the
    // pool: without a listener that crashes the process. Its query fails (the request gets a
    // 503 and the platform retries) and the pool replaces the connection.
    pool.on("connect", (client) => {
      client.on("error", () => {});
      // Statements marked PREPARED are named by their text: each connection parses and plans
      // them once, not on every batch (docs/benchmarks.md). Their text must not vary with data.
      const query = client.query.bind(client) as (...a: unknown[]) => unknown;
      client.query = ((text: unknown, values?: unknown, cb?: unknown) =>
        typeof text === "string" && text.startsWith(PREPARED_MARK) ? query({ name: preparedName(text), text, values }, cb) : query(text, values, cb)) as typeof client.query;
    });
    db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    backend = "postgres";
  } else {
    if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
    if (!opts.wasmTierUp) baselineWasmOnly();
    const lite = new PGlite(opts.dataDir);
    db = new Kysely<DB>({ dialect: new PGliteDialect(lite) });
    backend = "pglite";
  }
  await migrate(db);
  return { db, backend, close: () => db.destroy() };
}

/**
 * PGlite is PostgreSQL compiled to a 9 MB WebAssembly module. V8 compiles it
 * with its baseline compiler (Liftoff), then recompiles hot functions with
 * TurboFan and keeps both: ≈ 60–110 MB more resident memory, and the
 * recompiling competes with the server for the CPU. Measured on a 2-core
 * machine: inserts and index lookups as fast with Liftoff alone, sequential
 * scans ≈ 30 % slower (docs/benchmarks.md, "Memory"). The embedded database is
 * the small-deployment choice, so memory wins; PGLITE_WASM_TIERUP=1
 * (OpenOptions.wasmTierUp) keeps V8's default. The flag is read when a
 * module is compiled, so it is set before the first PGlite starts; it only
 * concerns WebAssembly.
 */
function baselineWasmOnly(): void {
  setFlagsFromString("--liftoff-only");
}

export async function migrate(db: Kysely<any>): Promise<void> {
  const migrator = new Migrator({ db, provider: new StaticProvider() });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error");
    throw new Error(`migration ${failed?.migrationName ?? "?"} failed: ${String((error as Error).message ?? error)}`);
  }
}
