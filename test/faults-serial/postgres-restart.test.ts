/**
 * PostgreSQL stopped and restarted under webhook load. A server process on a
 * fresh PostgreSQL database takes a steady stream of signed LINE webhooks
 * (batches of 5 new events, 4 in flight) while the PostgreSQL cluster itself
 * is stopped and started again (`pg_ctlcluster … stop`/`start`), then
 * restarted in one go (`pg_ctlcluster … restart`). It proves that:
 *  - while PostgreSQL is down the server answers webhooks with 5xx (so the
 *    platform retries), /api/health answers 503, and the process stays alive;
 *  - it recovers by itself once PostgreSQL is back (new pool connections,
 *    no restart of the server): /api/health 200 and webhooks 2xx again;
 *  - nothing is lost or doubled: after the simulator redelivers every batch
 *    that got no 2xx (and, to be strict, every batch that did), every event
 *    is stored exactly once.
 *
 * It restarts the shared PostgreSQL server, so it must run alone, after the
 * other suites: it lives in test/faults-serial (excluded from the default
 * run) and runs with `npx vitest run --config vitest.serial.config.ts`.
 * Only when PARLEY_TEST_BACKEND=postgres or CI=true; needs root (or the
 * postgres user) and pg_ctlcluster for the cluster on TEST_DATABASE_URL's port.
 * Under CI=true anything missing fails the run; otherwise it is skipped.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LineSimulator, type LineEvent } from "../../src/channels/line/simulator.js";
import { openDatabase } from "../../src/store/db.js";
import { freePort, startServer, type ServerProcess } from "../faults/support.js";
import { IN_CI, PG_ADMIN_URL, createPgDatabase, deliver, exactlyOnce, inPool, is2xx, lineChannel, probe, redeliverUntilAcked, sleep, stored, waitFor, type Delivery } from "../faults/load.js";

const SECRET = "pg-restart-line-secret";
const TOKEN = "pg-restart-line-token";
const BATCH = 5;
const IN_FLIGHT = 4;

const wanted = process.env.PARLEY_TEST_BACKEND === "postgres" || IN_CI;

/** The cluster (version, name) serving TEST_DATABASE_URL's port, from pg_lsclusters; or why there is none. */
function findCluster(): { version: string; name: string } | string {
  const port = new URL(PG_ADMIN_URL).port || "5432";
  let out: string;
  try {
    out = execFileSync("pg_lsclusters", ["--no-header"], { encoding: "utf8", timeout: 10_000 });
  } catch (e) {
    return `pg_lsclusters is not available (${e instanceof Error ? e.message : e}); this test restarts PostgreSQL with pg_ctlcluster`;
  }
  for (const line of out.split("\n")) {
    const [version, name, p] = line.trim().split(/\s+/);
    if (p === port) return { version, name };
  }
  return `no PostgreSQL cluster listens on port ${port} (pg_lsclusters: ${out.trim() || "none"})`;
}

const problems: string[] = [];
let cluster: { version: string; name: string } | null = null;
if (wanted) {
  const down = await probe("PostgreSQL", PG_ADMIN_URL, 5432);
  if (down) problems.push(down);
  const found = findCluster();
  if (typeof found === "string") problems.push(found);
  else cluster = found;
}

function pgCtl(action: "stop" | "start" | "restart"): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile("pg_ctlcluster", ["--skip-systemctl-redirect", cluster!.version, cluster!.name, action], { timeout: 60_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`pg_ctlcluster ${action} failed: ${err.message}\n${stdout}${stderr}`)) : resolve(),
    ),
  );
}

const clusterOnline = () => {
  try {
    return execFileSync("pg_lsclusters", ["--no-header", cluster!.version, cluster!.name], { encoding: "utf8", timeout: 10_000 }).includes("online");
  } catch {
    return false;
  }
};

let dataDir = "";
let db: { url: string; drop(): Promise<void> } | null = null;
let sim: LineSimulator | null = null;
let server: ServerProcess | null = null;

/** /api/health's status; 0 for a connection error, -1 for no answer within 5 s. */
async function health(base: string): Promise<number> {
  try {
    const r = await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(5000) });
    await r.arrayBuffer();
    return r.status;
  } catch (e) {
    return e instanceof Error && e.name === "TimeoutError" ? -1 : 0;
  }
}

/** One webhook of the stream: its events, when it was sent, and the answer. */
interface Sent {
  events: LineEvent[];
  sentAt: number;
  d: Delivery;
}

/** A steady stream of new batches, IN_FLIGHT at a time, until stop(). */
function stream(s: LineSimulator, users: string[]) {
  const sent: Sent[] = [];
  let running = true;
  let n = 0;
  const workers = Array.from({ length: IN_FLIGHT }, async () => {
    while (running) {
      const events = Array.from({ length: BATCH }, () => {
        const i = n++;
        return s.textEvent(users[i % users.length], `重啟資料庫 ${i}`);
      });
      const sentAt = Date.now();
      const d = await deliver(() => s.send(events), 20_000);
      sent.push({ events, sentAt, d });
      // Failures come back fast: do not spin.
      await sleep(is2xx(d) ? 10 : 50);
    }
  });
  return {
    sent,
    async stop() {
      running = false;
      await Promise.all(workers);
    },
  };
}

describe.skipIf(!wanted || (problems.length > 0 && !IN_CI))("faults: PostgreSQL restarted under webhook load", () => {
  beforeAll(async () => {
    if (problems.length) throw new Error(`CI=true: the PostgreSQL restart test needs ${problems.join("; ")}`);
    dataDir = mkdtempSync(join(tmpdir(), "parley-pg-restart-"));
    db = await createPgDatabase("parley_pgr");
    sim = await LineSimulator.start({ channelSecret: SECRET, channelAccessToken: TOKEN });
  });

  afterAll(async () => {
    // Never leave the shared PostgreSQL down, whatever happened.
    if (cluster && !clusterOnline()) await pgCtl("start").catch((e) => console.error(e));
    await server?.stop();
    await sim?.close();
    if (cluster) await waitFor("PostgreSQL to accept connections", async () => (await probe("PostgreSQL", PG_ADMIN_URL, 5432)) === null, 30_000, 200).catch(() => {});
    await db?.drop().catch((e) => console.error(e));
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 90_000);

  it("answers 5xx while PostgreSQL is down, stays up, recovers by itself, and stores every event exactly once", async () => {
    const port = await freePort();
    server = await startServer({ PARLEY_TEST_MODE: "1", DATA_DIR: dataDir, DATABASE_URL: db!.url }, port);
    const base = server.url;
    const child = server.child;
    const alive = () => child.exitCode === null && child.signalCode === null;
    const { channelId } = await lineChannel(base, sim!, SECRET, TOKEN);
    const users = Array.from({ length: 40 }, () => sim!.newUserId());
    const load = stream(sim!, users);
    const timings: Record<string, number> = {};
    const t0 = Date.now();
    try {
      // PostgreSQL up: the stream is acknowledged.
      await waitFor("20 acknowledged webhooks", () => load.sent.filter((x) => is2xx(x.d)).length >= 20, 15_000);
      expect(load.sent.every((x) => is2xx(x.d)), JSON.stringify(load.sent.map((x) => x.d))).toBe(true);

      // 1. Stop PostgreSQL under load.
      await pgCtl("stop");
      const stoppedAt = Date.now();
      timings.stop = stoppedAt - t0;
      expect(await health(base), `/api/health while PostgreSQL is down; alive ${alive()}; output:\n${server.output().slice(-3000)}`).toBe(503);
      // Webhooks sent while it is down are refused with 5xx (LINE redelivers those).
      await waitFor("10 webhooks answered while PostgreSQL is down", () => load.sent.filter((x) => x.sentAt > stoppedAt).length >= 10, 15_000);
      expect(await health(base)).toBe(503);
      expect(alive(), server.output()).toBe(true);
      const startingAt = Date.now();
      const whileDown = load.sent.filter((x) => x.sentAt > stoppedAt && x.d.at < startingAt);
      expect(whileDown.length).toBeGreaterThanOrEqual(10);
      for (const x of whileDown) expect(x.d.status, JSON.stringify(x.d)).toBeGreaterThanOrEqual(500);
      for (const x of whileDown) expect(x.d.status, JSON.stringify(x.d)).toBeLessThan(600);

      // 2. Start it again: the server recovers by itself.
      await pgCtl("start");
      const startedAt = Date.now();
      await waitFor("/api/health 200 after PostgreSQL started", async () => (await health(base)) === 200, 30_000, 100);
      const recoveredAt = Date.now();
      timings.down = startedAt - stoppedAt;
      timings.recovery = recoveredAt - startedAt;
      await waitFor("20 webhooks acknowledged after recovery", () => load.sent.filter((x) => x.sentAt > recoveredAt && is2xx(x.d)).length >= 20, 15_000);
      const afterRecovery = load.sent.filter((x) => x.sentAt > recoveredAt);
      expect(afterRecovery.filter((x) => !is2xx(x.d)).map((x) => x.d), "webhooks refused after /api/health recovered").toEqual([]);

      // 3. A restart in one go, under the same load.
      const restartAt = Date.now();
      await pgCtl("restart");
      const restartedAt = Date.now();
      await waitFor("/api/health 200 after the restart", async () => (await health(base)) === 200, 30_000, 100);
      const recovered2At = Date.now();
      timings.restart = restartedAt - restartAt;
      timings.recovery2 = recovered2At - restartedAt;
      await waitFor("20 webhooks acknowledged after the restart", () => load.sent.filter((x) => x.sentAt > recovered2At && is2xx(x.d)).length >= 20, 15_000);
      expect(load.sent.filter((x) => x.sentAt > recovered2At && !is2xx(x.d)).map((x) => x.d), "webhooks refused after the restart's recovery").toEqual([]);
    } finally {
      await load.stop();
    }
    expect(alive(), server.output()).toBe(true);

    // Every answer was a 2xx or a 5xx: never a dropped connection, a hang or a 4xx.
    const odd = load.sent.filter((x) => !is2xx(x.d) && !(x.d.status >= 500 && x.d.status < 600));
    expect(odd.map((x) => x.d), "answers other than 2xx/5xx").toEqual([]);
    const refused = load.sent.filter((x) => !is2xx(x.d));
    expect(refused.length, "some webhooks were refused while PostgreSQL was down").toBeGreaterThan(0);

    // The platform redelivers what got no 2xx; to be strict, everything else as well.
    const r1 = await inPool(refused.map((x) => () => redeliverUntilAcked(sim!, x.events)), IN_FLIGHT);
    for (const tries of r1) expect(is2xx(tries.at(-1)!), JSON.stringify(tries)).toBe(true);
    const r2 = await inPool(load.sent.filter((x) => is2xx(x.d)).map((x) => () => redeliverUntilAcked(sim!, x.events)), IN_FLIGHT);
    for (const tries of r2) expect(is2xx(tries.at(-1)!), JSON.stringify(tries)).toBe(true);
    expect(alive(), server.output()).toBe(true);

    const all = load.sent.flatMap((x) => x.events);
    const database = await openDatabase({ databaseUrl: db!.url, poolSize: 2 });
    try {
      const s = await stored(database.db, channelId);
      expect(exactlyOnce(s, all)).toEqual([]);
      expect(s.events.size).toBe(all.length);
    } finally {
      await database.close();
    }
    console.log(
      `postgres-restart: ${load.sent.length} webhooks (${all.length} events), ${refused.length} refused with 5xx while PostgreSQL was down; ` +
        `down ${timings.down} ms, health back ${timings.recovery} ms after start; restart took ${timings.restart} ms, health back ${timings.recovery2} ms after it`,
    );
  }, 90_000);
});
