/**
 * kill -9 of the server under webhook load. A LINE simulator in this process
 * posts 600 signed text events (60 batches of 10, 6 in flight) to a real
 * server process; once about a third of the batches are acknowledged the
 * server is killed with SIGKILL while the rest keep coming (in flight,
 * refused). Then:
 *  - every event of a batch that got a 2xx is in the database (read straight
 *    from the killed server's data, before any restart);
 *  - the server restarts on the same data, the simulator redelivers every
 *    batch that got no 2xx (as LINE does) and, to be strict, every batch that
 *    did: all redeliveries are acknowledged;
 *  - every event is stored exactly once: one webhook_events row per
 *    webhookEventId, one inbound message per LINE message id, nothing else.
 * Runs on the embedded database on disk, and on a fresh PostgreSQL database
 * when PARLEY_TEST_BACKEND=postgres.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LineSimulator, type LineEvent } from "../../src/channels/line/simulator.js";
import { openDatabase } from "../../src/store/db.js";
import { createTestDatabase } from "../support/backend.js";
import { freePort, startServer, type ServerProcess } from "./support.js";
import { deliver, exactlyOnce, inPool, is2xx, lineChannel, missing, redeliverUntilAcked, stored, type Delivery, type Stored } from "./load.js";

const SECRET = "fault-line-secret";
const TOKEN = "fault-line-token";
const EVENTS = 600;
const BATCH = 10;
const IN_FLIGHT = 6;
/** Acknowledged batches before the kill (of 60). */
const KILL_AFTER = 20;

let dataDir = "";
let pgDb: Awaited<ReturnType<typeof createTestDatabase>> = null;
let sim: LineSimulator;
let server: ServerProcess | null = null;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "parley-webhook-kill-"));
  pgDb = await createTestDatabase();
  sim = await LineSimulator.start({ channelSecret: SECRET, channelAccessToken: TOKEN });
});

afterAll(async () => {
  await server?.stop();
  await sim?.close();
  await pgDb?.drop();
  rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

/** The database the server used, opened here; only while no server process has it open (PGlite). */
async function readStored(channelId: string): Promise<Stored> {
  const database = await openDatabase(pgDb ? { databaseUrl: pgDb.url, poolSize: 2 } : { dataDir });
  try {
    return await stored(database.db, channelId);
  } finally {
    await database.close();
  }
}

describe("faults: kill -9 of the server under webhook load", () => {
  it("every acknowledged webhook survives the kill; after restart and redelivery every event is stored exactly once", async () => {
    const env = { PARLEY_TEST_MODE: "1", DATA_DIR: dataDir, ...(pgDb ? { DATABASE_URL: pgDb.url } : {}) };
    const port = await freePort();
    const tStart = Date.now();
    server = await startServer(env, port);
    const startMs = Date.now() - tStart;
    const { channelId } = await lineChannel(server.url, sim, SECRET, TOKEN);

    const users = Array.from({ length: 60 }, () => sim.newUserId());
    const events: LineEvent[] = Array.from({ length: EVENTS }, (_, i) => sim.textEvent(users[i % users.length], `故障測試 ${i} fault test`));
    const batches: LineEvent[][] = [];
    for (let i = 0; i < events.length; i += BATCH) batches.push(events.slice(i, i + BATCH));

    // The load, with the kill in the middle of it.
    const first: Delivery[] = new Array(batches.length);
    let acked = 0;
    let killing: Promise<void> | null = null;
    const victim = server;
    const t0 = Date.now();
    await inPool(
      batches.map((b, i) => async () => {
        first[i] = await deliver(() => sim.send(b));
        if (is2xx(first[i])) acked++;
        if (acked >= KILL_AFTER && !killing) killing = victim.kill9();
      }),
      IN_FLIGHT,
    );
    expect(killing, "the kill happened during the load").not.toBeNull();
    await killing;
    const loadMs = Date.now() - t0;
    expect(victim.child.signalCode).toBe("SIGKILL");

    const ackedBatches = batches.filter((_, i) => is2xx(first[i]));
    const unacked = batches.filter((_, i) => !is2xx(first[i]));
    // The kill landed mid-stream: some batches were acknowledged, some were not.
    expect(ackedBatches.length).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(unacked.length).toBeGreaterThan(0);
    // What the server answered before dying was 200 only; what it did not answer is a connection error.
    for (const d of first) expect([200, 0], JSON.stringify(d)).toContain(d.status);

    // Before any restart: what was acknowledged is durable, each event once.
    let t = Date.now();
    const afterKill = await readStored(channelId);
    const readMs = Date.now() - t;
    const ackedEvents = ackedBatches.flat();
    expect(missing(afterKill, ackedEvents).map((e) => e.webhookEventId), "acknowledged events lost by the kill").toEqual([]);
    for (const e of ackedEvents) expect(afterKill.events.get(e.webhookEventId)).toBe(1);
    // Nothing is stored twice, whatever its batch's fate.
    expect([...afterKill.events.values()].every((n) => n === 1)).toBe(true);
    expect([...afterKill.messages.values()].every((n) => n === 1)).toBe(true);

    // Restart on the same data; LINE redelivers what got no 2xx, then (strict) everything again.
    const t1 = Date.now();
    server = await startServer(env, port);
    const restartMs = Date.now() - t1;
    sim.webhookUrl = `${server.url}/webhooks/line/${channelId}`;
    t = Date.now();
    const redelivered = await inPool(unacked.map((b) => () => redeliverUntilAcked(sim, b)), IN_FLIGHT);
    for (const tries of redelivered) expect(is2xx(tries.at(-1)!), JSON.stringify(tries)).toBe(true);
    const again = await inPool(ackedBatches.map((b) => () => redeliverUntilAcked(sim, b)), IN_FLIGHT);
    for (const tries of again) expect(is2xx(tries.at(-1)!), JSON.stringify(tries)).toBe(true);
    const redeliverMs = Date.now() - t;
    t = Date.now();
    await server.stop();
    const stopMs = Date.now() - t;

    t = Date.now();
    const final = await readStored(channelId);
    const finalReadMs = Date.now() - t;
    expect(exactlyOnce(final, events)).toEqual([]);
    expect(final.events.size).toBe(EVENTS);
    expect(final.messages.size).toBe(EVENTS);
    console.log(
      `webhook-kill (${pgDb ? "postgres" : "pglite"}): ${ackedBatches.length}/${batches.length} batches acknowledged before the kill, ` +
        `${afterKill.events.size} events stored at the kill; start ${startMs} ms, load ${loadMs} ms, reading the killed data ${readMs} ms, ` +
        `restart ${restartMs} ms, redelivery ${redeliverMs} ms, stop ${stopMs} ms, final read ${finalReadMs} ms`,
    );
  }, 90_000);
});
