/**
 * npm run bench [-- --quick] [--out dir] [--steps 10000,100000] [--rate 500]
 *
 * Measures Parley on PGlite (default) or PostgreSQL (DATABASE_URL: a fresh
 * database bench_<random> is created on that server and dropped afterwards):
 * ingest against its physical baseline, push latency, inbox lists and search
 * with their plans, growth, and server memory. All load is loopback, bounded
 * in count and time; the run stops by itself (and cleans up) at the mode's
 * deadline. Writes bench/results/<date>_<time>_<backend>_<mode>.json and .md.
 * See docs/benchmarks.md.
 */
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { createBenchDatabase, createFixtures, startServer, type BenchDatabase, type Fixtures, type Running } from "./setup.js";
import { createTemplates, growTo, newGenerator, tableCounts, type Generator } from "./generator.js";
import { Helper } from "./ipc.js";
import { isConnectionLoss, retrying } from "./resilience.js";
import { ingestRounds, saturation, type IngestRounds, type Saturation } from "./ingest.js";
import { assignedCustomers, measureLatency, type LatencyRun } from "./latency.js";
import { listTimes, measureLists } from "./lists.js";
import { measureSearch } from "./search.js";
import { measureMemory } from "./memory.js";
import { machineInfo, targetsOf, writeResults, type GrowthStep, type Results } from "./report.js";
import { scaleFor, type Mode, type Scale } from "./modes.js";

function args(argv: string[]) {
  const out: { mode: Mode; outDir: string; steps?: number[]; rate?: number } = { mode: "full", outDir: fileURLToPath(new URL("./results", import.meta.url)) };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quick") out.mode = "quick";
    else if (a === "--full") out.mode = "full";
    else if (a === "--out") out.outDir = argv[++i];
    else if (a === "--steps") out.steps = argv[++i].split(",").map((s) => Number(s.replace(/_/g, "")));
    else if (a === "--rate") out.rate = Number(argv[++i]);
    else if (a === "--help" || a === "-h") {
      console.log("npm run bench [-- --quick] [--out dir] [--steps 10000,100000,1000000] [--rate 500]\nPGlite by default; PostgreSQL when DATABASE_URL is set. See docs/benchmarks.md.");
      process.exit(0);
    } else throw new Error(`unknown argument ${a} (try --help)`);
  }
  if (out.steps?.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error("--steps takes positive integers, e.g. 10000,100000");
  return out;
}

const t0 = performance.now();
const log = (s: string) => console.error(`[${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${s}`);

async function main(): Promise<number> {
  const opts = args(process.argv.slice(2));
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const bdb: BenchDatabase = await createBenchDatabase(databaseUrl);
  const scale: Scale = { ...scaleFor(opts.mode, bdb.kind) };
  if (opts.steps) scale.steps = opts.steps;
  if (opts.rate) scale.latency = { ...scale.latency, rate: opts.rate, fanoutRate: Math.max(1, Math.round(opts.rate / 10)) };
  const started = new Date();
  let running: Running | null = null;
  let driver: Helper | null = null;
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    await driver?.stop().catch(() => {});
    await running?.app.close().catch(() => {});
    await retrying("dropping the bench database", () => bdb.drop(), log).catch((e) => log(`could not drop the bench database: ${e instanceof Error ? e.message : e}`));
  };
  const results: Results = {
    mode: scale.mode,
    backend: bdb.kind,
    date: started.toISOString(),
    machine: machineInfo(bdb.label),
    database: bdb.label,
    scale,
    growth: [],
    phases: [],
    errors: [],
    notes: [],
  };
  const finish = () => {
    results.duration_s = Math.round((performance.now() - t0) / 1000);
    results.machine.loadavg_end = loadavg().map((x) => Math.round(x * 100) / 100);
    results.targets = targetsOf(results);
    const files = writeResults(opts.outDir, results, started);
    log(`wrote ${files.json}\n       and ${files.md}`);
  };
  const stop = (why: string) => {
    log(`stopping: ${why}`);
    results.errors.push(`run stopped: ${why}`);
    try {
      finish();
    } catch {
      /* best effort */
    }
    void cleanup().finally(() => process.exit(2));
  };
  const watchdog = setTimeout(() => stop(`deadline of ${scale.deadlineMs / 60_000} min reached`), scale.deadlineMs);
  watchdog.unref();
  process.once("SIGINT", () => stop("interrupted"));
  process.once("SIGTERM", () => stop("terminated"));

  const phase = async <T>(name: string, fn: () => Promise<T>): Promise<T | undefined> => {
    log(`${name}…`);
    const start = performance.now();
    const entry = { name, start_s: Math.round((start - t0) / 1000), seconds: 0, load1: Math.round(loadavg()[0] * 100) / 100 };
    results.phases.push(entry);
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          return await fn();
        } catch (e) {
          const msg = e instanceof Error ? e.message : String(e);
          // The database server restarted under this phase: its figures are void; measure it again once it is back.
          if (attempt < 3 && bdb.kind === "postgres" && isConnectionLoss(e)) {
            log(`${name}: lost the database (${msg.split("\n")[0]}); measuring this phase again in 15 s`);
            results.notes.push(`${name}: the database connection was lost (${msg.split("\n")[0]}); the phase was measured again.`);
            await new Promise((r) => setTimeout(r, 15_000));
            continue;
          }
          log(`${name} failed: ${msg}`);
          results.errors.push(`${name}: ${msg.split("\n")[0]}`);
          return undefined;
        }
      }
    } finally {
      entry.seconds = Math.round((performance.now() - start) / 100) / 10;
    }
  };

  try {
    log(`${scale.mode} mode on ${bdb.label}; steps ${scale.steps.map((s) => s.toLocaleString("en")).join(" → ")} conversations`);
    running = await startServer(bdb);
    const { app, origin } = running;
    const db = app.ctx.db;
    const version = await sql<{ v: string }>`select version() as v`.execute(db);
    results.machine.database = version.rows[0].v;
    driver = Helper.start("./driver.ts", "driver");
    const fx: Fixtures = await createFixtures(app, scale.agents);
    await createTemplates(db, scale.templates);
    const gen: Generator = newGenerator(db, fx, scale.templates, scale.chunk, log);

    const openCustomers = async () => {
      const out: Record<string, string[]> = {};
      for (const ch of [fx.line, fx.whatsapp]) {
        const rows = await sql<{ u: string }>`
          select i.platform_user_id as u from conversations c join contact_identities i on i.id = c.identity_id
          where c.channel_id = ${ch.id}::uuid and c.state in ('pending', 'processing') limit 5000`.execute(db);
        out[ch.id] = rows.rows.map((r) => r.u);
      }
      return out;
    };
    // The saturation concurrency, found once on the first growth step and kept for the later ones.
    let sat: Saturation | null = null;
    const ingestOnce = async (rounds: number): Promise<IngestRounds> => {
      if (!sat) {
        sat = await saturation(driver!, origin, db, fx, { concurrencies: scale.ingest.concurrencies, durationMs: scale.ingest.sweepMs, newEvery: scale.ingest.newEvery, existing: await openCustomers() });
        log(`  saturation: ${sat.sweep.map((x) => `${x.concurrency} in flight ${x.pipeline_per_s} msg/s`).join(", ")} → ${sat.concurrency}`);
      }
      const c = sat.concurrency;
      const r = await ingestRounds(driver!, origin, db, fx, { rounds, roundMs: scale.ingest.roundMs, concurrency: c, newEvery: scale.ingest.newEvery, existing: await openCustomers() });
      const p = r.pipeline;
      log(`  pipeline ${r.pipeline_per_s} msg/s, baseline ${r.baseline_per_s} msg/s (medians of ${rounds} rounds: ${r.rounds.map((x) => `${x.pipeline_per_s}/${x.baseline_per_s}`).join(", ")}); median pipeline round: p50 ${p.httpMs.p50} ms, ${p.newConversations} new conversations`);
      if (p.firstError) log(`  first error: ${p.firstError}`);
      if (r.ok !== r.stored) results.errors.push(`ingest: ${r.ok} webhooks answered 2xx but ${r.stored} messages were stored`);
      return r;
    };
    const growthStep = async (generateS: number, ingest?: IngestRounds) => {
      const counts = await tableCounts(db, log);
      const lists = await listTimes(driver!, origin, app, fx, scale.lists.growthRepeats, scale.lists.growthDeepPages);
      log(`  lists at ${counts.conversations.toLocaleString("en")} conversations: p50 ${lists.p50} ms, p95 ${lists.p95} ms`);
      const search = await measureSearch(driver!, origin, app, fx, { repeats: scale.lists.growthRepeats, budgetMs: scale.search.budgetMs, explain: false });
      log(`  search at ${counts.messages.toLocaleString("en")} messages: p50 ${search.all.p50} ms, p95 ${search.all.p95} ms`);
      const i = ingest ?? (await ingestOnce(scale.ingest.growthRounds));
      const step: GrowthStep = {
        conversations: counts.conversations,
        messages: counts.messages,
        generate_s: Math.round(generateS * 10) / 10,
        list_p50_ms: lists.p50,
        list_p95_ms: lists.p95,
        search_p50_ms: search.all.p50,
        search_p95_ms: search.all.p95,
        ingest_per_s: i.pipeline_per_s,
        baseline_per_s: i.baseline_per_s,
      };
      results.growth.push(step);
    };

    // Step 1 of growth, and the headline ingest / latency / memory on it.
    let gen1 = 0;
    await phase(`generating ${scale.steps[0].toLocaleString("en")} conversations`, async () => {
      gen1 = (await growTo(gen, scale.steps[0])).seconds;
    });
    const headline = await phase("ingest (pipeline, then baseline)", async () => {
      const r = await ingestOnce(scale.ingest.rounds);
      results.ingest = {
        pipeline_per_s: r.pipeline_per_s,
        baseline_per_s: r.baseline_per_s,
        ratio: Math.round((r.pipeline_per_s / r.baseline_per_s) * 1000) / 1000,
        concurrency: sat!.concurrency,
        saturation_sweep: sat!.sweep,
        rounds: r.rounds,
        round_s: scale.ingest.roundMs / 1000,
        webhooks_ok: r.ok,
        messages_stored: r.stored,
        pipeline: r.pipeline,
        baseline: r.baseline,
      };
      return r;
    });

    await phase(`push latency (${scale.agents} sockets, ${scale.latency.rate} msg/s)`, async () => {
      const tokens = fx.agents.map((a) => a.token);
      const c = await driver!.call<{ connected: number; failed: number; ms: number; firstError?: string }>("connect", { origin, tokens, count: fx.agents.length }, 300_000);
      log(`  ${c.connected} sockets connected in ${c.ms} ms${c.failed ? `, ${c.failed} failed (${c.firstError})` : ""}`);
      try {
        const customers = await assignedCustomers(db, fx, fx.agents.map((a) => a.id), 5000);
        const assigned = await measureLatency(driver!, origin, fx, { rate: scale.latency.rate, durationMs: scale.latency.durationMs, sockets: c.connected, customers });
        log(`  assigned: p50 ${assigned.deliveries.p50} ms, p99 ${assigned.deliveries.p99} ms at ${assigned.load.perSecond} msg/s (${assigned.missing} missing, ${assigned.load.skipped} skipped)`);
        const fanout = await measureLatency(driver!, origin, fx, {
          rate: scale.latency.fanoutRate,
          durationMs: scale.latency.fanoutDurationMs,
          sockets: c.connected,
          customers: { pool: `fanout-${Date.now()}`, count: 10_000_000 },
        });
        log(`  fan-out: p50 ${fanout.deliveries.p50} ms, p99 ${fanout.deliveries.p99} ms over ${fanout.deliveries.count} deliveries`);
        // The same at half the pipeline's measured saturation rate: the realtime path without queueing for the database.
        let half: LatencyRun | undefined;
        const halfRate = Math.max(5, Math.round((results.ingest?.pipeline_per_s ?? 0) / 2));
        if (halfRate < scale.latency.rate) {
          half = await measureLatency(driver!, origin, fx, { rate: halfRate, durationMs: scale.latency.durationMs, sockets: c.connected, customers });
          log(`  assigned at ${halfRate} msg/s (half the saturation rate): p50 ${half.deliveries.p50} ms, p99 ${half.deliveries.p99} ms`);
        }
        results.push_latency_ms = { p50: assigned.deliveries.p50, p99: assigned.deliveries.p99, rate: scale.latency.rate, achieved_rate: assigned.load.perSecond, sockets: c.connected, assigned, fanout, ...(half ? { half_capacity: half } : {}) };
      } finally {
        await driver!.call("disconnect", {}, 60_000);
      }
    });

    await phase(`memory (${scale.memorySockets} sockets)`, async () => {
      const m = await measureMemory(driver!, { databaseUrl: bdb.url, sockets: scale.memorySockets, agents: Math.min(scale.memorySockets, 200), log });
      log(`  RSS idle ${m.idle.rssMb} MB, with ${m.connected} sockets ${m.withSockets.rssMb} MB`);
      results.memory = m;
      results.rss_mb_1000_sockets = m.withSockets.rssMb;
    });

    await phase("growth step 1", () => growthStep(gen1, headline));
    for (const target of scale.steps.slice(1)) {
      let s = 0;
      const ok = await phase(`generating up to ${target.toLocaleString("en")} conversations`, async () => {
        s = (await growTo(gen, target)).seconds;
        return true;
      });
      if (!ok) break;
      await phase(`growth step at ${target.toLocaleString("en")}`, () => growthStep(s));
    }

    const counts = await tableCounts(db, log);
    await phase("inbox lists (first and deep pages, with plans)", async () => {
      const l = await measureLists(driver!, origin, app, fx, { repeats: scale.lists.repeats, deepPages: scale.lists.deepPages });
      results.list_ms = { p50: l.all.p50, p95: l.all.p95, conversations: counts.conversations, messages: counts.messages, detail: l };
      for (const p of l.pages) log(`  ${p.view} ${p.page === "first" ? "first" : `page ${p.depth}`}: p50 ${p.ms.p50} ms, p95 ${p.ms.p95} ms [${p.plan.indexes.join(", ")}]${p.plan.seqScans.length ? ` seq: ${p.plan.seqScans.join(", ")}` : ""}`);
      if (l.planProblems.length) results.notes.push(`list plans: ${l.planProblems.join("; ")}`);
    });
    await phase("search", async () => {
      const s = await measureSearch(driver!, origin, app, fx, scale.search);
      results.search_ms = { p50: s.all.p50, p95: s.all.p95, conversations: counts.conversations, messages: counts.messages, detail: s };
      for (const t of s.terms) log(`  ${t.term} (${(t.messageShare * 100).toFixed(2)} % of messages): p50 ${t.ms.p50} ms, p95 ${t.ms.p95} ms [${t.plan.indexes.join(", ")}]`);
    });
    if (bdb.kind === "pglite" && scale.steps.at(-1)! < 1_000_000)
      results.notes.push(`PGlite runs at a smaller scale (${scale.steps.map((s) => s.toLocaleString("en")).join(" → ")} conversations): it is one in-process connection running PostgreSQL as WebAssembly; the 1,000,000-conversation figures are PostgreSQL's.`);
    if (scale.mode === "quick") results.notes.push(`Quick mode: ${scale.agents} latency sockets at ${scale.latency.rate} msg/s, ${scale.memorySockets} sockets for memory (the field rss_mb_1000_sockets holds that figure), smaller data.`);
  } catch (e) {
    const msg = e instanceof Error ? (e.stack ?? e.message) : String(e);
    log(`run failed: ${msg}`);
    results.errors.push(`run failed: ${msg.split("\n")[0]}`);
  } finally {
    clearTimeout(watchdog);
    finish();
    await cleanup();
  }
  log("done");
  return results.errors.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
