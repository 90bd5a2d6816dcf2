/**
 * The load generator (runs in the driver process, never in the server's):
 * keep-alive HTTP POSTs of signed webhooks over loopback (bench/raw-http.ts), either closed-loop
 * at a fixed concurrency (saturation: each worker sends its next webhook when
 * the previous one is answered) or open-loop at a fixed rate (latency: sends
 * are scheduled on the clock, whatever the answers). Both stop by themselves
 * after a duration and a maximum count.
 */
import http from "node:http";
import { messageText, rng } from "./vocab.js";
import { customerId, webhook, type Target } from "./webhooks.js";
import { summarize, type Summary } from "./stats.js";
import { RawPool } from "./raw-http.js";

export interface Customers {
  /** A pool of `count` customers per target named `pool` (the first message of each opens a conversation)… */
  pool?: string;
  count?: number;
  /** …or fixed platform user ids per channel id (customers whose conversations exist), in turn… */
  ids?: Record<string, string[]>;
  /**
   * …or a mix: every `newEvery`-th message (per channel) comes from a new
   * customer of `pool`, the others from a random one of `existing` (customers
   * with an open conversation).
   */
  newEvery?: number;
  existing?: Record<string, string[]>;
}

export interface LoadSpec {
  origin: string;
  targets: Target[];
  customers: Customers;
  durationMs: number;
  maxRequests: number;
  /** Closed loop: requests in flight. Open loop: the cap on requests in flight (beyond it a send is skipped and counted). */
  concurrency: number;
  /** Open loop only: requests per second. */
  rate?: number;
  /** Append " [b<seq>]" to each text so the receiving sockets can match the event to its send time. */
  tag?: boolean;
}

export interface LoadResult {
  sent: number;
  ok: number;
  failed: number;
  /** Open loop: sends skipped because `concurrency` requests were already in flight (the rate was not sustained). */
  skipped: number;
  statuses: Record<string, number>;
  elapsedMs: number;
  perSecond: number;
  /** Time from sending the request to its full answer. */
  httpMs: Summary;
  firstError?: string;
}

/** Makes the i-th webhook of a run: target round-robin, customer round-robin within the target. */
function maker(spec: LoadSpec, seed: number) {
  const r = rng(seed);
  return (i: number) => {
    const t = spec.targets[i % spec.targets.length];
    const k = Math.floor(i / spec.targets.length);
    const c = spec.customers;
    let user: string;
    if (c.ids) {
      const ids = c.ids[t.channelId];
      user = ids[k % ids.length];
    } else if (c.newEvery && c.existing?.[t.channelId]?.length) {
      const existing = c.existing[t.channelId];
      user = k % c.newEvery === 0 ? customerId(t.platform, c.pool ?? "p", k / c.newEvery) : existing[Math.floor(r() * existing.length)];
    } else user = customerId(t.platform, c.pool ?? "p", k % (c.count ?? 1000));
    const text = spec.tag ? `${messageText(r)} [b${i}]` : messageText(r);
    return webhook(t, user, text);
  };
}

export const TAG = /\[b(\d+)\]$/;

/**
 * Runs the load. `onSend(i, t)` is called just before request i is written
 * (t = performance.now()), for latency matching.
 */
export async function runLoad(spec: LoadSpec, onSend?: (i: number, t: number) => void): Promise<LoadResult> {
  const origin = new URL(spec.origin);
  const pool = new RawPool(origin);
  const make = maker(spec, Date.now() & 0xffff);
  const times: number[] = [];
  const statuses: Record<string, number> = {};
  let sent = 0;
  let ok = 0;
  let failed = 0;
  let skipped = 0;
  let inFlight = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  const deadline = t0 + spec.durationMs;

  const one = async (i: number) => {
    const w = make(i);
    const start = performance.now();
    onSend?.(i, start);
    sent++;
    inFlight++;
    try {
      const res = await pool.request("POST", w.path, w.headers, w.body);
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status >= 200 && res.status < 300) ok++;
      else {
        failed++;
        firstError ??= `HTTP ${res.status}: ${res.body.slice(0, 300)}`;
      }
    } catch (e) {
      failed++;
      statuses.error = (statuses.error ?? 0) + 1;
      firstError ??= e instanceof Error ? e.message : String(e);
    } finally {
      inFlight--;
      times.push(performance.now() - start);
    }
  };

  if (spec.rate === undefined) {
    let next = 0;
    const worker = async () => {
      while (performance.now() < deadline && next < spec.maxRequests) await one(next++);
    };
    await Promise.all(Array.from({ length: spec.concurrency }, worker));
  } else {
    const rate = spec.rate;
    const jobs: Promise<void>[] = [];
    let next = 0;
    await new Promise<void>((done) => {
      const tick = () => {
        const now = performance.now();
        const due = Math.min(spec.maxRequests, Math.floor(((now - t0) * rate) / 1000) + 1);
        while (next < due) {
          if (inFlight >= spec.concurrency) {
            skipped++;
            next++;
            continue;
          }
          jobs.push(one(next++));
        }
        if (now >= deadline || next >= spec.maxRequests) return done();
        setTimeout(tick, 1);
      };
      tick();
    });
    await Promise.all(jobs);
  }
  const elapsedMs = performance.now() - t0;
  pool.destroy();
  return { sent, ok, failed, skipped, statuses, elapsedMs: Math.round(elapsedMs), perSecond: Math.round((ok / elapsedMs) * 1000 * 10) / 10, httpMs: summarize(times), ...(firstError ? { firstError } : {}) };
}

const getAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });

/** GET with a bearer token; the time covers sending the request to the full JSON answer. */
export function getJson(origin: string, path: string, token: string): Promise<{ status: number; ms: number; body: any }> {
  const u = new URL(origin);
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request({ agent: getAgent, host: u.hostname, port: u.port, method: "GET", path, headers: { authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, ms: performance.now() - start, body });
      });
      res.on("error", reject);
    });
    req.setTimeout(60_000, () => req.destroy(new Error("GET timed out after 60 s")));
    req.on("error", reject);
    req.end();
  });
}
