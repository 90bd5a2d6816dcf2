/**
 * A redelivery storm: 1,000 LINE events, each delivered three times (the
 * original and two redeliveries), all sent concurrently. Exactly 1,000
 * messages are stored, once each, and every customer has one conversation:
 * deduplication lives in the database's unique constraints, not in memory.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { LineSimulator, type LineEvent } from "../../src/channels/line/simulator.js";
import { startE2E, type E2E } from "./e2e-support.js";

let e: E2E;
let sim: LineSimulator;
let channelId: string;

beforeAll(async () => {
  e = await startE2E();
  sim = await LineSimulator.start({ channelSecret: "storm-secret", channelAccessToken: "storm-token", now: () => e.t.clock.now() });
  channelId = await e.createChannel("line", { channelSecret: "storm-secret", channelAccessToken: "storm-token", apiBaseUrl: sim.baseUrl });
  sim.webhookUrl = `${e.origin}/webhooks/line/${channelId}`;
});
afterAll(async () => {
  await sim?.close();
  await e?.close();
});

async function pool<T>(tasks: (() => Promise<T>)[], width: number): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) {
        const i = next++;
        out[i] = await tasks[i]();
      }
    }),
  );
  return out;
}

describe("redelivery storm", () => {
  it("LIFE-4: 1,000 events sent 3 times concurrently store exactly 1,000 messages and one conversation per customer", async () => {
    const users = Array.from({ length: 200 }, () => sim.newUserId());
    const events: LineEvent[] = Array.from({ length: 1000 }, (_, i) => sim.textEvent(users[i % users.length], `訊息 ${i}`));
    const batches: LineEvent[][] = [];
    for (let i = 0; i < events.length; i += 10) batches.push(events.slice(i, i + 10));
    // Original plus two redeliveries of every batch, interleaved so copies race each other.
    const tasks = batches.flatMap((b) => [() => sim.send(b), () => sim.redeliver(b), () => sim.redeliver(b)]);
    tasks.sort(() => Math.random() - 0.5);
    const results = await pool(tasks, 24);
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(await e.count("messages", channelId)).toBe(1000);
    expect(await e.count("webhook_events", channelId)).toBe(1000);
    expect(await e.count("conversations", channelId)).toBe(200);
    expect(await e.count("contact_identities", channelId)).toBe(200);
    // The view counters moved by 200 concurrent openings (spread over shards on PostgreSQL) still equal a recount.
    const recount = await sql<{ bucket: string; n: number }>`
      select case state when 'pending' then 'pending_' || queue else state end as bucket, count(*)::int as n
      from conversations where channel_id = ${channelId} group by 1`.execute(e.t.app.ctx.db);
    const counters = await sql<{ bucket: string; n: number }>`
      select bucket, sum(count)::int as n from view_counters where channel_id = ${channelId} group by 1 having sum(count) <> 0`.execute(e.t.app.ctx.db);
    const norm = (rows: { bucket: string; n: number }[]) => rows.map((r) => `${r.bucket}=${r.n}`).sort();
    expect(norm(counters.rows)).toEqual(norm(recount.rows));
  }, 120_000);
});
