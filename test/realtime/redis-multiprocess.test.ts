/**
 * Two real server processes (src/main.ts bundled as `npm start` runs it) on one
 * PostgreSQL database and one Redis: an event caused on process A must reach
 * a socket connected to process B through the Redis adapter, and the other
 * way round.
 *
 * Needs REDIS_URL (default redis://127.0.0.1:6379) and TEST_DATABASE_URL
 * (default postgres://postgres@127.0.0.1:5432/test). When either is
 * unreachable the suite is skipped, except under CI=true where it fails.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import pg from "pg";
import { connectClient, type StreamClient } from "./clients.js";
import { freePort, startServer, api, type ServerProcess } from "../faults/support.js";
import { IN_CI, PG_ADMIN_URL, probe } from "../faults/load.js";
import { DEMO } from "../../src/seed/demo.js";
import { attachRealtime } from "../../src/realtime/server.js";
import type { AppContext } from "../../src/context.js";

const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";
const SERVER_ENV = { PARLEY_TEST_MODE: "", NODE_ENV: "test", REDIS_URL };

const problems = (await Promise.all([probe("Redis", REDIS_URL, 6379), probe("PostgreSQL", PG_ADMIN_URL, 5432)])).filter((p): p is string => p !== null);
const unavailable = problems.length > 0;

/** The shared helper's argument order (body before token) for this file's calls. */
const http = <T = any>(base: string, method: string, path: string, token?: string, body?: unknown) => api(base, method, path, body, token) as Promise<{ status: number; body: T }>;

describe.skipIf(unavailable && !IN_CI)("realtime across two server processes through Redis", () => {
  const dbName = `parley_rt_${randomBytes(6).toString("hex")}`;
  let dbCreated = false;
  let a: ServerProcess | undefined;
  let b: ServerProcess | undefined;
  const clients: StreamClient[] = [];
  let adminToken: string;
  let agentToken: string;
  let channelId: string;
  let integration: string;

  beforeAll(async () => {
    if (unavailable) throw new Error(`CI=true: the Redis multi-process test needs Redis and PostgreSQL, but ${problems.join("; ")}`);
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    try {
      await admin.query(`create database ${dbName}`);
      dbCreated = true;
    } finally {
      await admin.end();
    }
    const dbUrl = new URL(PG_ADMIN_URL);
    dbUrl.pathname = `/${dbName}`;
    const [portA, portB] = [await freePort(), await freePort()];
    // A first, alone: it migrates the database and seeds the demo workspace.
    a = await startServer({ ...SERVER_ENV, DATABASE_URL: dbUrl.toString(), PARLEY_SEED_DEMO: "1" }, portA);
    b = await startServer({ ...SERVER_ENV, DATABASE_URL: dbUrl.toString(), PARLEY_SEED_DEMO: "0" }, portB);

    const login = await http(a.url, "POST", "/api/auth/login", undefined, { email: DEMO.email, password: DEMO.password });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    adminToken = login.body.token;
    const agentLogin = await http(a.url, "POST", "/api/auth/login", undefined, { email: DEMO.agentEmail, password: DEMO.password });
    expect(agentLogin.status, JSON.stringify(agentLogin.body)).toBe(200);
    agentToken = agentLogin.body.token;

    const channels = await http(a.url, "GET", "/api/channels", adminToken);
    expect(channels.status).toBe(200);
    const api = channels.body.items.find((c: any) => c.platform === "api");
    expect(api, "the demo workspace has an API channel").toBeTruthy();
    channelId = api.id;
    const tok = await http(a.url, "POST", "/api/tokens", adminToken, { name: "rt-multiprocess" });
    expect(tok.status, JSON.stringify(tok.body)).toBe(200);
    integration = tok.body.token;
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all([a?.stop(), b?.stop()]);
    if (dbCreated) {
      const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
      await admin.connect();
      await admin.query(`drop database if exists ${dbName} with (force)`);
      await admin.end();
    }
  }, 30_000);

  const customer = async (userId: string, text: string) => {
    const r = await http(a!.url, "POST", `/api/channels/${channelId}/inbound`, integration, { userId, displayName: `客人 ${userId}`, messageId: `${userId}-${randomBytes(4).toString("hex")}`, text });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as { conversationId: string; messageId: string; status: string };
  };

  it("an inbound customer message posted to process A reaches a socket connected to process B", async () => {
    const onB = await connectClient(b!.url, "admin on B", { token: adminToken });
    clients.push(onB);
    const r = await customer("rt-mp-1", "跨程序的訊息");
    const d = await onB.next("message.created", (x) => x.message?.id === r.messageId, 5000);
    expect(d).toMatchObject({ conversationId: r.conversationId, message: { text: "跨程序的訊息", senderKind: "customer" } });
    await onB.next("counts.changed", undefined, 5000);
  }, 15_000);

  it("VIEW-5 across processes: an action on B reaches the admin on A; a non-following agent on B stops hearing the conversation", async () => {
    const email = `agent2-${randomBytes(3).toString("hex")}@demo.parley.local`;
    const m = await http(a!.url, "POST", "/api/members", adminToken, { email, name: "Jess 2", role: "agent", password: "password-123" });
    expect(m.status, JSON.stringify(m.body)).toBe(201);
    const l2 = await http(a!.url, "POST", "/api/auth/login", undefined, { email, password: "password-123" });
    expect(l2.status).toBe(200);

    const adminOnA = await connectClient(a!.url, "admin on A", { token: adminToken });
    const agentOnB = await connectClient(b!.url, "agent on B", { token: agentToken });
    const agent2OnB = await connectClient(b!.url, "agent2 on B", { token: l2.body.token });
    clients.push(adminOnA, agentOnB, agent2OnB);
    const r = await customer("rt-mp-2", "請幫我");
    // Pending: every member hears it, on either process.
    for (const c of [adminOnA, agentOnB, agent2OnB]) await c.next("message.created", (x) => x.message?.id === r.messageId, 5000);

    const f = await http(b!.url, "POST", `/api/conversations/${r.conversationId}/follow`, agentToken, {});
    expect(f.status, JSON.stringify(f.body)).toBe(200);
    expect(await adminOnA.next("conversation.updated", (x) => x.conversationId === r.conversationId && x.state === "processing", 5000)).toMatchObject({
      followerId: agentOnB.memberId,
    });

    // Processing, followed by the agent: the admin (team view) on A and the follower on B hear
    // the next message; the other agent on B does not.
    const next = await customer("rt-mp-2", "還在嗎?");
    await adminOnA.next("message.created", (x) => x.message?.id === next.messageId, 5000);
    await agentOnB.next("message.created", (x) => x.message?.id === next.messageId, 5000);
    await agent2OnB.none("message.created", (x) => x.message?.id === next.messageId, 300);
  }, 15_000);
});

describe("a server whose Redis is unreachable", () => {
  it("fails at start-up with a clear message instead of waiting silently forever", async () => {
    const deadRedis = `redis://127.0.0.1:${await freePort()}`; // nothing listens there
    const server = createServer();
    const started = Date.now();
    try {
      await expect(attachRealtime(server, {} as AppContext, deadRedis)).rejects.toThrow(/^REDIS_URL is set but Redis at 127\.0\.0\.1:\d+ is unreachable/);
      expect(Date.now() - started).toBeLessThan(10_000);
      // Nothing was attached to the HTTP server.
      expect(server.listenerCount("upgrade")).toBe(0);
    } finally {
      server.close();
    }
  }, 15_000);
});
