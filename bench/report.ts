/**
 * The run's results: bench/results/<date>_<time>_<backend>_<mode>.json (every
 * figure, with the raw detail and the plans) and a Markdown summary beside it
 * with the targets, the figures against them, and each query plan.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { cpus, loadavg, totalmem, hostname, release } from "node:os";
import { join } from "node:path";
import type { BackendKind } from "./setup.js";
import type { Scale } from "./modes.js";
import type { PipelineRun, BaselineRun } from "./ingest.js";
import type { LatencyRun } from "./latency.js";
import type { ListsResult } from "./lists.js";
import type { SearchResult } from "./search.js";
import type { MemoryResult } from "./memory.js";
import type { Summary } from "./stats.js";

export interface GrowthStep {
  conversations: number;
  messages: number;
  generate_s: number;
  list_p50_ms: number;
  list_p95_ms: number;
  /** Message search (the same terms as the search phase, fewer repeats) at this size. */
  search_p50_ms?: number;
  search_p95_ms?: number;
  ingest_per_s: number;
  baseline_per_s: number;
}

export interface Machine {
  hostname: string;
  os: string;
  cpu: string;
  cpus: number;
  memory_gb: number;
  node: string;
  database: string;
  loadavg_start: number[];
  loadavg_end?: number[];
}

export function machineInfo(database: string): Machine {
  const c = cpus();
  return {
    hostname: hostname(),
    os: `${process.platform} ${release()} ${process.arch}`,
    cpu: c[0]?.model ?? "?",
    cpus: c.length,
    memory_gb: Math.round(totalmem() / 1e9),
    node: process.version,
    database,
    loadavg_start: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

export interface Results {
  mode: Scale["mode"];
  backend: BackendKind;
  date: string;
  duration_s?: number;
  machine: Machine;
  database: string;
  scale: Scale;
  ingest?: {
    pipeline_per_s: number;
    baseline_per_s: number;
    ratio: number;
    /** Webhooks in flight in the rounds: the best of the saturation sweep. */
    concurrency: number;
    saturation_sweep?: { concurrency: number; pipeline_per_s: number; http_p50_ms: number }[];
    rounds: { pipeline_per_s: number; baseline_per_s: number }[];
    round_s: number;
    webhooks_ok: number;
    messages_stored: number;
    /** The median rounds in full. */
    pipeline: PipelineRun;
    baseline: BaselineRun;
  };
  push_latency_ms?: { p50: number; p99: number; rate: number; achieved_rate: number; sockets: number; assigned: LatencyRun; fanout?: LatencyRun; half_capacity?: LatencyRun };
  list_ms?: { p50: number; p95: number; conversations: number; messages: number; detail: ListsResult };
  search_ms?: { p50: number; p95: number; conversations: number; messages: number; detail: SearchResult };
  growth: GrowthStep[];
  rss_mb_1000_sockets?: number;
  memory?: MemoryResult;
  targets?: Target[];
  /** Each phase's start, length and the machine's 1-minute load average when it started. */
  phases: { name: string; start_s: number; seconds: number; load1: number }[];
  errors: string[];
  notes: string[];
}

export interface Target {
  figure: string;
  target: string;
  value: string;
  met: boolean | null;
}

const f = (v: number | undefined, d = 1) => (v === undefined || Number.isNaN(v) ? "–" : v.toLocaleString("en", { maximumFractionDigits: d }));

export function targetsOf(r: Results): Target[] {
  const t: Target[] = [];
  const add = (figure: string, target: string, value: number | undefined, ok: (v: number) => boolean, unit = "") =>
    t.push({ figure, target, value: value === undefined ? "not measured" : `${f(value, 2)}${unit}`, met: value === undefined || Number.isNaN(value) ? null : ok(value) });
  add("ingest: pipeline ÷ baseline", "≥ 0.5", r.ingest?.ratio, (v) => v >= 0.5);
  add(`push latency p99 (${r.push_latency_ms?.rate ?? "?"} msg/s, ${r.push_latency_ms?.sockets ?? "?"} sockets)`, "< 50 ms", r.push_latency_ms?.p99, (v) => v < 50, " ms");
  add("inbox list p95", "< 20 ms", r.list_ms?.p95, (v) => v < 20, " ms");
  add("search p95", "< 200 ms", r.search_ms?.p95, (v) => v < 200, " ms");
  add(`server RSS with ${r.memory?.connected ?? "?"} sockets`, "< 400 MB", r.rss_mb_1000_sockets, (v) => v < 400, " MB");
  return t;
}

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}_${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

const ms = (s: Summary) => `${f(s.p50, 2)} / ${f(s.p95, 2)} / ${f(s.p99, 2)}`;

export function markdown(r: Results): string {
  const L: string[] = [];
  const yes = (m: boolean | null) => (m === null ? "–" : m ? "met" : "**missed**");
  L.push(`# Parley benchmark — ${r.backend}, ${r.mode} mode, ${r.date}`, "");
  L.push(`Database: ${r.database}. Machine: ${r.machine.cpus} × ${r.machine.cpu}, ${r.machine.memory_gb} GB, ${r.machine.os}, Node ${r.machine.node}.`);
  L.push(`Load average (1/5/15 min) at start ${r.machine.loadavg_start.join(" / ")}, at end ${r.machine.loadavg_end?.join(" / ") ?? "?"} — the machine is shared, so figures carry that noise. Run took ${f(r.duration_s, 0)} s.`, "");
  L.push("## Targets", "", "| Figure | Target | Measured | |", "|---|---|---|---|");
  for (const t of r.targets ?? []) L.push(`| ${t.figure} | ${t.target} | ${t.value} | ${yes(t.met)} |`);
  L.push("");
  if (r.errors.length) L.push("## Errors", "", ...r.errors.map((e) => `- ${e}`), "");
  if (r.notes.length) L.push("## Notes", "", ...r.notes.map((e) => `- ${e}`), "");

  if (r.ingest) {
    const i = r.ingest;
    L.push("## Ingest", "");
    if (i.saturation_sweep?.length)
      L.push(`Saturation: the pipeline alone, briefly, at ${i.saturation_sweep.map((x) => `${x.concurrency} webhooks in flight: ${f(x.pipeline_per_s)} msg/s (p50 ${f(x.http_p50_ms, 1)} ms)`).join("; ")}. The rounds below run at the best, ${i.concurrency}.`, "");
    L.push(`Signed LINE and WhatsApp webhooks (alternating, one text message each) through the full pipeline, ${i.concurrency} in flight; one message in ${r.scale.ingest.newEvery} from a new customer (opens a conversation), the others from customers with an open conversation. Baseline: one INSERT per message into \`messages\` through the same pool, ${i.concurrency} at a time. ${i.rounds.length} alternating rounds of ${i.round_s} s each; figures are the medians.`, "");
    L.push("| | messages/s (median) | each round | latency p50 / p95 / p99 ms (median round) | median round |", "|---|---|---|---|---|");
    L.push(`| pipeline | ${f(i.pipeline_per_s)} | ${i.rounds.map((x) => f(x.pipeline_per_s)).join(", ")} | ${ms(i.pipeline.httpMs)} | ${i.pipeline.ok} ok, ${i.pipeline.failed} failed, ${i.pipeline.stored} stored, ${i.pipeline.newConversations} new conversations |`);
    L.push(`| baseline | ${f(i.baseline_per_s)} | ${i.rounds.map((x) => f(x.baseline_per_s)).join(", ")} | ${ms(i.baseline.insertMs)} | ${i.baseline.inserted} inserts |`);
    L.push("", `Ratio pipeline ÷ baseline: **${f(i.ratio, 3)}**. Over all rounds ${i.webhooks_ok} webhooks were answered 2xx and ${i.messages_stored} messages stored.`, "");
    if (i.pipeline.firstError) L.push(`First pipeline error: \`${i.pipeline.firstError}\``, "");
  }
  if (r.push_latency_ms) {
    const p = r.push_latency_ms;
    L.push("## Push latency", "", "Webhook sent → `message.created` received by an agent's socket (same clock, driver process).", "");
    L.push("| audience | rate asked / achieved msg/s | sockets | deliveries | p50 / p95 / p99 ms | max ms | missing |", "|---|---|---|---|---|---|---|");
    const row = (name: string, x: LatencyRun) =>
      L.push(`| ${name} | ${x.rate} / ${f(x.load.perSecond)} | ${x.sockets} | ${x.deliveries.count} | ${ms(x.deliveries)} | ${f(x.deliveries.max)} | ${x.missing}${x.load.skipped ? ` (${x.load.skipped} sends skipped: rate not sustained)` : ""} |`);
    row("assigned (follower's socket)", p.assigned);
    if (p.half_capacity) row("assigned, at half the ingest saturation rate", p.half_capacity);
    if (p.fanout) row("fan-out (new conversation → every socket)", p.fanout);
    L.push("");
    if (r.ingest && p.rate > r.ingest.pipeline_per_s)
      L.push(`The asked rate (${p.rate} msg/s) is above the pipeline's saturation throughput measured above (${f(r.ingest.pipeline_per_s)} msg/s): webhooks queue for the database and latency grows with the queue. The half-rate row shows the path without that queue.`, "");
  }
  if (r.list_ms) {
    const d = r.list_ms.detail;
    L.push("## Inbox lists", "", `${f(r.list_ms.conversations, 0)} conversations, ${f(r.list_ms.messages, 0)} messages; ${d.pageSize} per page over HTTP; agent views as Agent 001, team views as the admin.`, "");
    L.push("| view | page | items | HTTP p50 / p95 / p99 ms | SQL ms (EXPLAIN ANALYZE) | indexes used | seq scans |", "|---|---|---|---|---|---|---|");
    for (const p of d.pages) L.push(`| ${p.view} (${p.role}) | ${p.page === "first" ? "first" : `page ${p.depth}`} | ${p.items} | ${ms(p.ms)} | ${f(p.plan.executionMs ?? NaN, 2)} | ${p.plan.indexes.join(", ")} | ${p.plan.seqScans.join(", ") || "none"} |`);
    L.push("", `All list requests: p50 ${f(d.all.p50, 2)} ms, p95 ${f(d.all.p95, 2)} ms (${d.all.count} requests).`, "");
    if (d.planProblems.length) L.push("Plan problems:", ...d.planProblems.map((x) => `- ${x}`), "");
  }
  if (r.search_ms) {
    const s = r.search_ms.detail;
    L.push("## Search", "", `Message content, as the admin (every state), ${f(r.search_ms.messages, 0)} messages.`, "");
    L.push("| term | share of messages | items | HTTP p50 / p95 / p99 ms (samples) | SQL ms (EXPLAIN ANALYZE) | indexes used | seq scans |", "|---|---|---|---|---|---|---|");
    for (const t of s.terms) L.push(`| ${t.term} | ${f(t.messageShare * 100, 2)} % | ${t.items} | ${ms(t.ms)} (${t.ms.count}) | ${f(t.plan.executionMs ?? NaN, 1)} | ${t.plan.indexes.join(", ")} | ${t.plan.seqScans.join(", ") || "none"} |`);
    L.push("", `All searches: p50 ${f(s.all.p50, 2)} ms, p95 ${f(s.all.p95, 2)} ms.`, "");
  }
  if (r.growth.length) {
    L.push("## Growth", "", "| conversations | messages | list p50 / p95 ms | search p50 / p95 ms | ingest msg/s | baseline msg/s | generated in s |", "|---|---|---|---|---|---|---|");
    for (const g of r.growth) L.push(`| ${f(g.conversations, 0)} | ${f(g.messages, 0)} | ${f(g.list_p50_ms, 2)} / ${f(g.list_p95_ms, 2)} | ${g.search_p95_ms === undefined ? "–" : `${f(g.search_p50_ms, 2)} / ${f(g.search_p95_ms, 2)}`} | ${f(g.ingest_per_s)} | ${f(g.baseline_per_s)} | ${f(g.generate_s)} |`);
    L.push("");
  }
  if (r.memory) {
    const m = r.memory;
    L.push("## Memory", "", `Server process alone (bench/server-child.ts): RSS idle ${f(m.idle.rssMb)} MB; with ${m.connected} sockets ${f(m.withSockets.rssMb)} MB (heap ${f(m.withSockets.heapUsedMb)} MB), ≈ ${m.perSocketKb} KB per socket; ${m.failed} failed to connect.`, "");
  }
  if (r.phases.length) {
    L.push("## Phases", "", "| phase | started at s | took s | load average (1 min) at start |", "|---|---|---|---|");
    for (const p of r.phases) L.push(`| ${p.name} | ${p.start_s} | ${p.seconds} | ${p.load1} |`);
    L.push("");
  }
  if (r.list_ms || r.search_ms) {
    L.push("## Query plans", "", "EXPLAIN (ANALYZE, BUFFERS) of the SQL the API runs, with its parameters.", "");
    for (const p of r.list_ms?.detail.pages ?? []) L.push(`### List: ${p.view}, ${p.page === "first" ? "first page" : `page ${p.depth}`}`, "", "```", p.plan.text, "```", "");
    for (const t of r.search_ms?.detail.terms ?? []) L.push(`### Search: ${t.term}`, "", "```", t.plan.text, "```", "");
  }
  return L.join("\n");
}

export function writeResults(dir: string, r: Results, at: Date): { json: string; md: string } {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${stamp(at)}_${r.backend}_${r.mode}`);
  const json = `${base}.json`;
  const md = `${base}.md`;
  writeFileSync(json, JSON.stringify(r, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 2) + "\n");
  writeFileSync(md, markdown(r) + "\n");
  return { json, md };
}

/** `npx tsx bench/report.ts <results.json>…` rewrites each .md beside its .json (after changing the summary's format). */
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const file of process.argv.slice(2)) {
    const r = JSON.parse(readFileSync(file, "utf8")) as Results;
    writeFileSync(file.replace(/\.json$/, ".md"), markdown(r) + "\n");
    console.log(`rewrote ${file.replace(/\.json$/, ".md")}`);
  }
}
