/**
 * The driver process: load generator and agent sockets, kept out of the
 * server's process so neither steals the server's event loop or shows up in
 * its memory. Started and commanded by bench/run.ts over IPC.
 */
import { serve } from "./ipc.js";
import { getJson, runLoad, type LoadSpec } from "./load.js";
import { AgentPool } from "./agents.js";
import { summarize } from "./stats.js";

const pool = new AgentPool();

serve({
  async load(spec: LoadSpec) {
    return runLoad(spec);
  },

  async connect(a: { origin: string; tokens: string[]; count: number }) {
    return pool.connect(a.origin, a.tokens, a.count);
  },

  async status() {
    return { connected: pool.connected, sockets: pool.sockets.length, events: { ...pool.eventCounts } };
  },

  /** Open-loop load with tagged texts; latency = socket receive time − request send time, same clock. */
  async latency(a: { spec: LoadSpec; settleMs: number }) {
    const sentAt = new Map<number, number>();
    pool.deliveries.length = 0;
    pool.recording = true;
    const load = await runLoad({ ...a.spec, tag: true }, (i, t) => sentAt.set(i, t));
    // Events still on their way when the last answer came back.
    const until = performance.now() + a.settleMs;
    while (performance.now() < until && new Set(pool.deliveries.map((d) => d.seq)).size < load.ok) await new Promise((r) => setTimeout(r, 50));
    pool.recording = false;
    const all: number[] = [];
    const first = new Map<number, number>();
    for (const d of pool.deliveries) {
      const s = sentAt.get(d.seq);
      if (s === undefined) continue;
      const ms = d.at - s;
      all.push(ms);
      if (!first.has(d.seq) || first.get(d.seq)! > ms) first.set(d.seq, ms);
    }
    pool.deliveries.length = 0;
    return { load, deliveries: summarize(all), firstDelivery: summarize([...first.values()]), messagesDelivered: first.size, missing: Math.max(0, load.ok - first.size) };
  },

  /** One GET, answer included (to follow list cursors). */
  async get(a: { origin: string; path: string; token: string }) {
    return getJson(a.origin, a.path, a.token);
  },

  /**
   * The same GET `repeats` times in a row after `warmup` untimed ones (fewer,
   * but at least 3, once `budgetMs` is spent): the times, and the item count
   * of the last answer.
   */
  async timeGet(a: { origin: string; path: string; token: string; repeats: number; warmup: number; budgetMs?: number }) {
    const times: number[] = [];
    let status = 0;
    let items = 0;
    let error: string | undefined;
    const t0 = performance.now();
    for (let i = 0; i < a.warmup + a.repeats; i++) {
      if (a.budgetMs !== undefined && times.length >= 3 && performance.now() - t0 > a.budgetMs) break;
      const r = await getJson(a.origin, a.path, a.token);
      status = r.status;
      items = Array.isArray(r.body?.items) ? r.body.items.length : 0;
      if (r.status !== 200) error ??= JSON.stringify(r.body).slice(0, 300);
      if (i >= a.warmup) times.push(r.ms);
    }
    return { status, items, times, ...(error ? { error } : {}) };
  },

  async disconnect() {
    const n = pool.sockets.length;
    pool.close();
    return { closed: n };
  },
});
