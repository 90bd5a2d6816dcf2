/**
 * Ingest: signed LINE and WhatsApp webhooks (alternating) through the whole
 * pipeline — HTTP, signature check, parse, dedupe (webhook_events), contact
 * and conversation lookup or creation with row lock, routing, message insert
 * with its search tokens, list fields, unread counts, counter triggers,
 * commit, realtime publish — at saturation with a fixed number of requests
 * in flight, beside the physical baseline: the same kind of message rows
 * inserted directly, one INSERT per message, through the app's own database
 * pool (Kysely on pg.Pool / PGlite) at the same concurrency.
 */
import { sql } from "kysely";
import type { Db } from "../src/store/db.js";
import { indexTokens } from "../src/store/search-tokens.js";
import { newId } from "../src/ids.js";
import type { Helper } from "./ipc.js";
import type { LoadResult } from "./load.js";
import type { Fixtures } from "./setup.js";
import { messageText, rng } from "./vocab.js";
import { summarize, type Summary } from "./stats.js";
import type { Target } from "./webhooks.js";

export interface PipelineRun extends LoadResult {
  /** Rows the run added (the check that every 2xx was stored once). */
  stored: number;
  newConversations: number;
}

export function targets(fx: Fixtures): Target[] {
  return [
    { platform: "line", channelId: fx.line.id, secret: fx.line.secret },
    { platform: "whatsapp", channelId: fx.whatsapp.id, secret: fx.whatsapp.secret, phoneNumberId: fx.whatsapp.phoneNumberId },
  ];
}

async function counts(db: Db, fx: Fixtures): Promise<{ messages: number; conversations: number }> {
  const r = await sql<{ m: string; c: string }>`
    select (select count(*) from messages where channel_id in (${fx.line.id}::uuid, ${fx.whatsapp.id}::uuid)) as m,
           (select count(*) from conversations where channel_id in (${fx.line.id}::uuid, ${fx.whatsapp.id}::uuid)) as c`.execute(db);
  return { messages: Number(r.rows[0].m), conversations: Number(r.rows[0].c) };
}

let poolSeq = 0;

/**
 * Saturation run: `concurrency` webhooks in flight for `durationMs`; every
 * `newEvery`-th message per channel from a new customer, the others from
 * random customers of `existing` (open conversations).
 */
export async function pipeline(
  driver: Helper,
  origin: string,
  db: Db,
  fx: Fixtures,
  o: { durationMs: number; concurrency: number; newEvery: number; existing: Record<string, string[]> },
): Promise<PipelineRun> {
  const before = await counts(db, fx);
  const pool = `ingest-${Date.now()}-${++poolSeq}`;
  const res = await driver.call<LoadResult>(
    "load",
    { origin, targets: targets(fx), customers: { pool, newEvery: o.newEvery, existing: o.existing }, durationMs: o.durationMs, maxRequests: 5_000_000, concurrency: o.concurrency },
    o.durationMs + 120_000,
  );
  const after = await counts(db, fx);
  return { ...res, stored: after.messages - before.messages, newConversations: after.conversations - before.conversations };
}

export interface Saturation {
  /** The concurrency with the highest throughput: where the rounds are measured. */
  concurrency: number;
  sweep: { concurrency: number; pipeline_per_s: number; http_p50_ms: number }[];
}

/**
 * "At saturation": the pipeline's throughput at each of `concurrencies`
 * webhooks in flight, briefly; the best one is where the pipeline is
 * saturated (more in flight only queues). Webhooks waiting for a batch make
 * the next one bigger, so the pipeline needs more in flight than one INSERT
 * at a time does; the baseline is then measured at that same concurrency.
 */
export async function saturation(
  driver: Helper,
  origin: string,
  db: Db,
  fx: Fixtures,
  o: { concurrencies: number[]; durationMs: number; newEvery: number; existing: Record<string, string[]> },
): Promise<Saturation> {
  const sweep: Saturation["sweep"] = [];
  for (const concurrency of o.concurrencies) {
    const p = await pipeline(driver, origin, db, fx, { durationMs: o.durationMs, concurrency, newEvery: o.newEvery, existing: o.existing });
    sweep.push({ concurrency, pipeline_per_s: p.perSecond, http_p50_ms: p.httpMs.p50 });
  }
  const best = sweep.reduce((a, b) => (b.pipeline_per_s > a.pipeline_per_s ? b : a));
  return { concurrency: best.concurrency, sweep };
}

export interface BaselineRun {
  inserted: number;
  elapsedMs: number;
  perSecond: number;
  insertMs: Summary;
}

/**
 * One INSERT per message into messages (id, conversation, channel, JSON
 * content, text and its search tokens, platform message id), autocommit,
 * `concurrency` at a time, through the app's pool.
 */
export async function baseline(db: Db, fx: Fixtures, o: { durationMs: number; concurrency: number }): Promise<BaselineRun> {
  const convs = (
    await sql<{ id: string; channel_id: string }>`
      select id, channel_id from conversations where channel_id in (${fx.line.id}::uuid, ${fx.whatsapp.id}::uuid) order by last_message_at desc limit 2000`.execute(db)
  ).rows;
  if (!convs.length) throw new Error("baseline needs conversations on the LINE/WhatsApp channels (run the pipeline first)");
  const r = rng(7);
  const run = Date.now().toString(36);
  const times: number[] = [];
  let next = 0;
  const t0 = performance.now();
  const deadline = t0 + o.durationMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      const i = next++;
      const c = convs[i % convs.length];
      const text = messageText(r);
      const at = new Date();
      const s = performance.now();
      await sql`
        insert into messages (id, workspace_id, conversation_id, channel_id, direction, sender_kind, kind, content, text, search_tokens, platform_message_id, created_at)
        values (${newId(at.getTime())}, ${fx.workspaceId}, ${c.id}, ${c.channel_id}, 'in', 'customer', 'text', ${JSON.stringify({ kind: "text", text })},
                ${text}, ${sql.val(indexTokens(text))}::text[], ${`base-${run}-${i}`}, ${at})`.execute(db);
      times.push(performance.now() - s);
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  const elapsedMs = performance.now() - t0;
  return { inserted: times.length, elapsedMs: Math.round(elapsedMs), perSecond: Math.round((times.length / elapsedMs) * 1000 * 10) / 10, insertMs: summarize(times) };
}

export interface IngestRounds {
  /** The median round's run (by messages/s), pipeline and baseline each. */
  pipeline: PipelineRun;
  baseline: BaselineRun;
  pipeline_per_s: number;
  baseline_per_s: number;
  rounds: { pipeline_per_s: number; baseline_per_s: number }[];
  /** Webhooks answered 2xx and messages stored by the pipeline, over all rounds (must be equal). */
  ok: number;
  stored: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Pipeline and baseline in alternating rounds (pipeline, baseline, pipeline,
 * …), so a change in the machine's load during the run weighs on both alike;
 * each figure is the median of its rounds.
 */
export async function ingestRounds(
  driver: Helper,
  origin: string,
  db: Db,
  fx: Fixtures,
  o: { rounds: number; roundMs: number; concurrency: number; newEvery: number; existing: Record<string, string[]> },
): Promise<IngestRounds> {
  const ps: PipelineRun[] = [];
  const bs: BaselineRun[] = [];
  for (let i = 0; i < o.rounds; i++) {
    ps.push(await pipeline(driver, origin, db, fx, { durationMs: o.roundMs, concurrency: o.concurrency, newEvery: o.newEvery, existing: o.existing }));
    bs.push(await baseline(db, fx, { durationMs: o.roundMs, concurrency: o.concurrency }));
  }
  const mp = median(ps.map((p) => p.perSecond));
  const mb = median(bs.map((b) => b.perSecond));
  const closest = <T extends { perSecond: number }>(xs: T[], m: number) => xs.reduce((a, b) => (Math.abs(b.perSecond - m) < Math.abs(a.perSecond - m) ? b : a));
  return {
    pipeline: closest(ps, mp),
    baseline: closest(bs, mb),
    pipeline_per_s: Math.round(mp * 10) / 10,
    baseline_per_s: Math.round(mb * 10) / 10,
    rounds: ps.map((p, i) => ({ pipeline_per_s: p.perSecond, baseline_per_s: bs[i].perSecond })),
    ok: ps.reduce((a, p) => a + p.ok, 0),
    stored: ps.reduce((a, p) => a + p.stored, 0),
  };
}
