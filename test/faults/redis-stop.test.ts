/**
 * Redis stopped with two server processes. Processes A and B share one
 * PostgreSQL database and a PRIVATE redis-server started by this test on a
 * free loopback port (stopping the shared Redis would break the other
 * suites). Redis is killed mid-test (SIGKILL) and then started again on the
 * same port. It proves that:
 *  - while Redis is down each process keeps serving its own clients: a
 *    message posted to A reaches a socket on A, one posted to B a socket on
 *    B, a new socket can connect, and neither process crashes;
 *  - cross-process delivery pauses (a message posted to A does not reach B);
 *  - once Redis is back, cross-process events resume by themselves within a
 *    bounded time, both ways (A → B and B → A).
 *
 * Needs TEST_DATABASE_URL's PostgreSQL and a redis-server binary. When either
 * is missing the suite is skipped, except under CI=true where it fails.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { connectClient, type StreamClient } from "../realtime/clients.js";
import { DEMO } from "../../src/seed/demo.js";
import { freePort, startServer, api, type ServerProcess } from "./support.js";
import { IN_CI, PG_ADMIN_URL, createPgDatabase, probe, sleep, waitFor } from "./load.js";

const redisBin = (() => {
  const r = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
})();
const problems = [await probe("PostgreSQL", PG_ADMIN_URL, 5432), redisBin ? null : "redis-server is not installed (command -v redis-server)"].filter((p): p is string => p !== null);
const unavailable = problems.length > 0;
/** How long Redis stays down in the main scenario. */
const OUTAGE_MS = 4000;

/** A private redis-server in the foreground on `port`, no persistence; resolves once it accepts connections. */
async function startRedis(port: number): Promise<{ child: ChildProcess; output(): string; kill(): Promise<void> }> {
  const child = spawn(redisBin!, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  await waitFor(
    `redis-server on port ${port}`,
    async () => {
      if (gone()) throw new Error(`redis-server exited: ${out}`);
      return (await probe("Redis", `redis://127.0.0.1:${port}`, 6379)) === null;
    },
    10_000,
    50,
  );
  return {
    child,
    output: () => out,
    async kill() {
      if (gone()) return;
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      child.kill("SIGKILL");
      await exited;
    },
  };
}

describe.skipIf(unavailable && !IN_CI)("faults: Redis stopped under two server processes", () => {
  let db: { url: string; drop(): Promise<void> } | null = null;
  let redis: Awaited<ReturnType<typeof startRedis>> | null = null;
  let redisPort = 0;
  let a: ServerProcess | null = null;
  let b: ServerProcess | null = null;
  const clients: StreamClient[] = [];
  let adminToken = "";
  let integration = "";
  let channelId = "";

  beforeAll(async () => {
    if (unavailable) throw new Error(`CI=true: the Redis fault test needs Redis and PostgreSQL, but ${problems.join("; ")}`);
    db = await createPgDatabase("parley_redis");
    redisPort = await freePort();
    redis = await startRedis(redisPort);
    const env = { DATABASE_URL: db.url, REDIS_URL: `redis://127.0.0.1:${redisPort}` };
    // A first, alone: it migrates and seeds the demo workspace; then B on the same database.
    a = await startServer({ ...env, PARLEY_SEED_DEMO: "1" }, await freePort());
    b = await startServer(env, await freePort());
    const login = await api(a.url, "POST", "/api/auth/login", { email: DEMO.email, password: DEMO.password });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    adminToken = login.body.token;
    const channels = await api(a.url, "GET", "/api/channels", undefined, adminToken);
    channelId = channels.body.items.find((c: any) => c.platform === "api").id;
    const tok = await api(a.url, "POST", "/api/tokens", { name: "redis-fault" }, adminToken);
    expect(tok.status, JSON.stringify(tok.body)).toBe(200);
    integration = tok.body.token;
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.kill();
    await db?.drop().catch((e) => console.error(e));
  }, 30_000);

  /** A customer message through the integrator API of `server`; returns its ids. */
  const customer = async (server: ServerProcess, text: string) => {
    const userId = `redis-${randomBytes(4).toString("hex")}`;
    const r = await api(server.url, "POST", `/api/channels/${channelId}/inbound`, { userId, displayName: `客人 ${userId}`, messageId: `${userId}-m`, text }, integration);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as { conversationId: string; messageId: string };
  };
  const created = (c: StreamClient, messageId: string, ms = 5000) => c.next("message.created", (x) => x.message?.id === messageId, ms);
  const connect = async (server: ServerProcess, label: string) => {
    const c = await connectClient(server.url, label, { token: adminToken });
    clients.push(c);
    return c;
  };
  const alive = (s: ServerProcess) => s.child.exitCode === null && s.child.signalCode === null;

  it("each process keeps serving its own sockets while Redis is down; cross-process events resume when Redis returns", async () => {
    const onA = await connect(a!, "admin on A");
    const onB = await connect(b!, "admin on B");

    // Redis up: both ways across processes.
    const m0 = await customer(a!, "Redis 正常");
    await created(onA, m0.messageId);
    await created(onB, m0.messageId);
    const m0b = await customer(b!, "Redis up, from B");
    await created(onA, m0b.messageId);

    // Redis dies, once the publishes above have their replies (a PUBLISH still awaiting its reply
    // when Redis dies crashes the process: the known bug of the last test of this file).
    await sleep(300);
    await redis!.kill();
    const downAt = Date.now();

    // Each process serves its own sockets, old and new.
    const m1 = await customer(a!, "Redis 停了,A 自己的客人");
    await created(onA, m1.messageId, 3000);
    const m2 = await customer(b!, "Redis down, B's own customer");
    await created(onB, m2.messageId, 3000);
    const lateOnA = await connect(a!, "new socket on A while Redis is down");
    const m3 = await customer(a!, "新連線也收得到");
    await created(lateOnA, m3.messageId, 3000);
    await created(onA, m3.messageId, 3000);
    // Cross-process delivery pauses.
    await onB.none("message.created", (x) => [m1.messageId, m3.messageId].includes(x.message?.id), 500);
    await onA.none("message.created", (x) => x.message?.id === m2.messageId, 0);
    expect(alive(a!), a!.output()).toBe(true);
    expect(alive(b!), b!.output()).toBe(true);
    // Health does not depend on Redis.
    expect((await api(a!.url, "GET", "/api/health")).status).toBe(200);
    expect((await api(b!.url, "GET", "/api/health")).status).toBe(200);
    // Stay down a few seconds, so the adapters' reconnect back-off grows (it is capped at 5 s).
    while (Date.now() - downAt < OUTAGE_MS) {
      const m = await customer(a!, "Redis 還沒回來");
      await created(onA, m.messageId, 3000);
      await sleep(500);
    }
    expect(alive(a!), a!.output()).toBe(true);
    expect(alive(b!), b!.output()).toBe(true);
    const downMs = Date.now() - downAt;

    // Redis returns on the same port (empty: nothing was kept).
    redis = await startRedis(redisPort);
    const backAt = Date.now();
    // The adapters reconnect on their own (back-off capped at 5 s): keep posting to A until B hears one.
    const probes: string[] = [];
    await waitFor(
      "a message posted to A to reach the socket on B after Redis returned",
      async () => {
        probes.push((await customer(a!, `Redis 回來了 ${probes.length}`)).messageId);
        await sleep(250);
        return onB.matching("message.created", (x) => probes.includes(x.message?.id)).length > 0;
      },
      20_000,
      250,
    );
    const resumedMs = Date.now() - backAt;
    // From now on, every event crosses, both ways, promptly.
    const m4 = await customer(a!, "A → B again");
    await created(onB, m4.messageId, 3000);
    await created(onA, m4.messageId, 3000);
    const m5 = await customer(b!, "B → A again");
    await created(onA, m5.messageId, 3000);
    await created(onB, m5.messageId, 3000);
    // A socket connected to B after the outage hears A's events too.
    const lateOnB = await connect(b!, "new socket on B after Redis returned");
    const m6 = await customer(a!, "新的 B 連線");
    await created(lateOnB, m6.messageId, 3000);
    expect(alive(a!), a!.output()).toBe(true);
    expect(alive(b!), b!.output()).toBe(true);
    // What was published while Redis was down is not guaranteed to cross later (it may, from the client's offline queue).
    const late = onB.matching("message.created", (x) => [m1.messageId, m3.messageId].includes(x.message?.id)).length;
    console.log(
      `redis-stop: Redis down for ${downMs} ms; cross-process events resumed ${resumedMs} ms after it returned (${probes.length} probe messages); ` +
        `${late}/2 events published on A during the outage reached B later`,
    );
  }, 60_000);

  /**
   * KNOWN PRODUCT BUG (src/realtime/server.ts, connectRedis): @socket.io/redis-adapter
   * calls pubClient.publish() without handling its promise; node-redis rejects the
   * commands still waiting for a reply when the connection drops, so a publish in
   * flight when Redis dies is an unhandled rejection and Node exits the process
   * ("Error: read ECONNRESET"). Reproduced deterministically: Redis hangs (SIGSTOP),
   * a message is posted (its PUBLISH waits for a reply), Redis dies (SIGKILL).
   */
  it("a process survives Redis dying while a publish awaits its reply, and resumes when Redis returns", async () => {
    const onA = await connect(a!, "admin on A (hung Redis)");
    const onB = await connect(b!, "admin on B (hung Redis)");
    const m0 = await customer(a!, "before the hang");
    await created(onB, m0.messageId);
    await sleep(300);
    redis!.child.kill("SIGSTOP"); // Redis hangs: A's next PUBLISH waits for its reply
    const m1 = await customer(a!, "Redis 卡住了");
    await created(onA, m1.messageId, 3000);
    await redis!.kill(); // and dies: the connection resets under the pending PUBLISH
    await sleep(1500);
    expect(alive(a!), `process A died when Redis did:\n${a!.output().slice(-1500)}`).toBe(true);
    expect(alive(b!), b!.output()).toBe(true);
    redis = await startRedis(redisPort);
    const probes: string[] = [];
    await waitFor(
      "a message posted to A to reach B after Redis returned",
      async () => {
        probes.push((await customer(a!, `again ${probes.length}`)).messageId);
        await sleep(250);
        return onB.matching("message.created", (x) => probes.includes(x.message?.id)).length > 0;
      },
      20_000,
      250,
    );
  }, 40_000);
});
