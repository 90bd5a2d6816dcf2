/**
 * A real Parley app for a test: real database (PGlite in memory, or a fresh
 * PostgreSQL database), real HTTP routes through fastify.inject, a test
 * clock, and a job worker the test drains by hand.
 */
import { createApp, type App } from "../../src/app.js";
import { TestClock } from "../../src/clock.js";
import type { Config } from "../../src/config.js";
import { createTestDatabase } from "./backend.js";

export interface TestApp {
  app: App;
  clock: TestClock;
  close(): Promise<void>;
  req<T = any>(method: string, url: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: T; headers: Record<string, unknown> }>;
}

export async function startTestApp(over: Partial<Config> = {}, opts: { listen?: boolean; runJobs?: boolean } = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const config: Config = {
    port: 0,
    host: "127.0.0.1",
    dataDir: ":memory:",
    databaseUrl: db?.url,
    testMode: true,
    publicUrl: "http://parley.test",
    seedDemo: false,
    secureCookies: false,
    allowPlatformUrls: true,
    ...over,
  };
  const clock = new TestClock(new Date("2026-03-02T02:00:00Z"));
  const app = await createApp(config, { clock, runJobs: opts.runJobs ?? false });
  if (opts.listen) await app.listen();
  else await app.server.ready();
  return {
    app,
    clock,
    async close() {
      await app.close();
      await db?.drop();
    },
    async req(method, url, o = {}) {
      const res = await app.server.inject({
        method: method as "GET",
        url,
        payload: o.body === undefined ? undefined : (o.body as object),
        headers: { ...(o.token ? { authorization: `Bearer ${o.token}` } : {}), ...o.headers },
      });
      let body: unknown = res.body;
      try {
        body = res.json();
      } catch {
        /* not JSON */
      }
      return { status: res.statusCode, body: body as any, headers: res.headers };
    },
  };
}
