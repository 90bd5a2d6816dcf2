/** Configuration from the environment (documented in README.md). */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  /**
   * PostgreSQL connections the process keeps (DATABASE_POOL_SIZE). A webhook holds one
   * for its whole transaction, so this bounds how many are stored at once; optional so
   * hand-built configs (tests) get the default. PGlite has one connection regardless.
   */
  databasePoolSize?: number;
  /** PGLITE_WASM_TIERUP=1: V8 may recompile PGlite's hot WebAssembly with TurboFan (decision 0005). */
  pgliteWasmTierUp?: boolean;
  /**
   * Customer-message batches the process stores at once (INGEST_BATCHES; 0 = every
   * webhook in its own transaction): usecases/ingest-batch.ts. Unset: the backend's
   * default (defaultIngestBatches).
   */
  ingestBatches?: number;
  redisUrl?: string;
  testMode: boolean;
  publicUrl: string;
  /** Create the demo workspace on first start. */
  seedDemo: boolean;
  secureCookies: boolean;
  /**
   * Whether a channel may point its platform API at another base URL (the
   * simulators). Off in production: an admin could otherwise make the server
   * send access tokens to any host.
   */
  allowPlatformUrls: boolean;
  /**
   * `npm run demo` (PARLEY_DEMO=1): platform simulators for LINE, Messenger,
   * Instagram and WhatsApp channels, and simulated customers writing in.
   * Implies allowPlatformUrls. Optional so hand-built configs (tests) need not set it.
   */
  demo?: boolean;
  /** SMTP for email exports (PROF-35); unset = email features answer "not configured". */
  smtpUrl?: string;
  mailFrom?: string;
}

/**
 * Enough connections for the webhooks, API requests and job worker a process runs at
 * once on a small server, well under PostgreSQL's default max_connections (100) with a
 * few processes.
 */
export const DEFAULT_POOL_SIZE = 20;

/**
 * On PostgreSQL two batches at once: while one waits for the database the server prepares
 * the other. They never share a customer (usecases/ingest-batch.ts) nor a counter row
 * (migration 0008), so neither waits on the other's locks: ~20 % more per second than one at
 * a time, push p99 22–27 ms at 500 msg/s with 200 sockets. PGlite has one connection, so a
 * second batch only waits for it, in smaller batches: one at a time (docs/benchmarks.md).
 */
export function defaultIngestBatches(backend: "pglite" | "postgres"): number {
  return backend === "postgres" ? 2 : 1;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${env.PORT}`);
  const testMode = env.PARLEY_TEST_MODE === "1";
  if (testMode && env.NODE_ENV === "production")
    throw new Error("PARLEY_TEST_MODE=1 is refused when NODE_ENV=production: the test clock and reset endpoints must never run in production");
  const host = env.HOST ?? "0.0.0.0";
  const databasePoolSize = env.DATABASE_POOL_SIZE ? Number(env.DATABASE_POOL_SIZE) : DEFAULT_POOL_SIZE;
  if (!Number.isInteger(databasePoolSize) || databasePoolSize < 1 || databasePoolSize > 1000)
    throw new Error(`DATABASE_POOL_SIZE must be a whole number from 1 to 1000, got ${env.DATABASE_POOL_SIZE}`);
  // Unset: chosen by the backend (defaultIngestBatches).
  const ingestBatches = env.INGEST_BATCHES ? Number(env.INGEST_BATCHES) : undefined;
  if (ingestBatches !== undefined && (!Number.isInteger(ingestBatches) || ingestBatches < 0 || ingestBatches > 100))
    throw new Error(`INGEST_BATCHES must be a whole number from 0 to 100, got ${env.INGEST_BATCHES}`);
  const demo = env.PARLEY_DEMO === "1";
  if (demo && env.NODE_ENV === "production")
    throw new Error("PARLEY_DEMO=1 is refused when NODE_ENV=production: the demo's simulators and their unauthenticated control API must never run in production");
  return {
    port,
    host,
    dataDir: env.DATA_DIR ?? "./data",
    databaseUrl: env.DATABASE_URL || undefined,
    databasePoolSize,
    pgliteWasmTierUp: env.PGLITE_WASM_TIERUP === "1",
    ingestBatches,
    redisUrl: env.REDIS_URL || undefined,
    testMode,
    publicUrl: env.PUBLIC_URL ?? `http://localhost:${port}`,
    seedDemo: env.PARLEY_SEED_DEMO !== "0",
    secureCookies: env.COOKIE_SECURE === "1",
    allowPlatformUrls: testMode || demo || env.PARLEY_ALLOW_PLATFORM_URLS === "1",
    demo,
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.MAIL_FROM ?? "Parley <no-reply@localhost>",
  };
}
