/**
 * Shared pieces of the fault tests: service probes, a private PostgreSQL
 * database, a LINE channel fed by a LineSimulator in the test process,
 * bounded webhook sending, and "stored exactly once" counting straight from
 * the database.
 */
import net from "node:net";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { sql } from "kysely";
import type { LineEvent, LineSimulator } from "../../src/channels/line/simulator.js";
import type { Db } from "../../src/store/db.js";
import { api } from "./support.js";

export const IN_CI = process.env.CI === "true";
export const PG_ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A TCP connect probe: an error text, or null when something listens. */
export function probe(label: string, url: string, defaultPort: number): Promise<string | null> {
  const u = new URL(url);
  const host = u.hostname || "127.0.0.1";
  const port = Number(u.port || defaultPort);
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (err: string | null) => {
      s.destroy();
      resolve(err);
    };
    s.setTimeout(1000, () => done(`${label} at ${host}:${port} did not answer within 1 s`));
    s.once("connect", () => done(null));
    s.once("error", (e) => done(`${label} at ${host}:${port} is unreachable (${e.message})`));
  });
}

/** Polls `check` every `everyMs` until it returns a truthy value; throws `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** A fresh database on the PostgreSQL server of PG_ADMIN_URL, whatever PARLEY_TEST_BACKEND says. */
export async function createPgDatabase(prefix = "parley_f"): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * A workspace and a LINE channel whose secret and token are the simulator's
 * (its apiBaseUrl points at the simulator, so the server's own simulator hub
 * leaves it alone). The simulator's webhooks go to the server at `base`.
 */
export async function lineChannel(base: string, sim: LineSimulator, secret: string, token: string): Promise<{ adminToken: string; channelId: string }> {
  const email = `fault-${randomBytes(4).toString("hex")}@faults.test`;
  const ws = await api(base, "POST", "/api/workspaces", { name: "Faults", admin: { email, password: "password-1", name: "F" } });
  if (ws.status !== 201) throw new Error(`workspace: ${ws.status} ${JSON.stringify(ws.body)}`);
  const login = await api(base, "POST", "/api/auth/login", { email, password: "password-1" });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${JSON.stringify(login.body)}`);
  const adminToken = login.body.token as string;
  const ch = await api(base, "POST", "/api/channels", { platform: "line", name: "LINE faults", credentials: { channelSecret: secret, channelAccessToken: token, apiBaseUrl: sim.baseUrl } }, adminToken);
  if (ch.status !== 201) throw new Error(`channel: ${ch.status} ${JSON.stringify(ch.body)}`);
  const channelId = ch.body.id as string;
  sim.webhookUrl = `${base}/webhooks/line/${channelId}`;
  return { adminToken, channelId };
}

/** Status of one webhook POST: the HTTP status, 0 for a connection error, -1 when unanswered after `timeoutMs`. */
export type Delivery = { status: number; at: number; error?: string };

export async function deliver(send: () => Promise<{ status: number }>, timeoutMs = 15_000): Promise<Delivery> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Delivery>((r) => (timer = setTimeout(() => r({ status: -1, at: Date.now(), error: `no answer within ${timeoutMs} ms` }), timeoutMs)));
  const sent = send().then(
    (r): Delivery => ({ status: r.status, at: Date.now() }),
    (e: unknown): Delivery => ({ status: 0, at: Date.now(), error: e instanceof Error ? `${e.message}${(e as { cause?: Error }).cause ? `: ${(e as { cause?: Error }).cause!.message}` : ""}` : String(e) }),
  );
  try {
    return await Promise.race([sent, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const is2xx = (d: Delivery) => d.status >= 200 && d.status < 300;

/**
 * A platform redelivering: the batch again (isRedelivery, same webhookEventIds),
 * until a 2xx or `attempts` tries (a connection the dead server left in the
 * client's keep-alive pool can fail once).
 */
export async function redeliverUntilAcked(sim: LineSimulator, events: LineEvent[], attempts = 5): Promise<Delivery[]> {
  const tries: Delivery[] = [];
  for (let i = 0; i < attempts; i++) {
    const d = await deliver(() => sim.redeliver(events));
    tries.push(d);
    if (is2xx(d)) break;
    await sleep(200 * (i + 1));
  }
  return tries;
}

/** Runs `tasks` with at most `width` in flight. */
export async function inPool<T>(tasks: (() => Promise<T>)[], width: number): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        out[i] = await tasks[i]();
      }
    }),
  );
  return out;
}

/** A LINE text event's platform message id. */
export const messageIdOf = (e: LineEvent) => String((e.message as { id: string }).id);

export interface Stored {
  /** webhook_events.event_key → rows. */
  events: Map<string, number>;
  /** Inbound customer messages: platform_message_id → rows. */
  messages: Map<string, number>;
}

/** What the channel's database holds: every webhook event key and inbound message id, with how many rows each. */
export async function stored(db: Db, channelId: string): Promise<Stored> {
  const ev = await db
    .selectFrom("webhook_events")
    .select(["event_key", sql<string>`count(*)::int`.as("n")])
    .where("channel_id", "=", channelId)
    .groupBy("event_key")
    .execute();
  const msg = await db
    .selectFrom("messages")
    .select(["platform_message_id", sql<string>`count(*)::int`.as("n")])
    .where("channel_id", "=", channelId)
    .where("direction", "=", "in")
    .groupBy("platform_message_id")
    .execute();
  return {
    events: new Map(ev.map((r) => [r.event_key, Number(r.n)])),
    messages: new Map(msg.map((r) => [String(r.platform_message_id), Number(r.n)])),
  };
}

/**
 * Every event of `expected` stored exactly once (one webhook_events row under
 * its webhookEventId, one inbound message under its message id) and nothing
 * else: returns the problems, empty when all is well.
 */
export function exactlyOnce(s: Stored, expected: LineEvent[]): string[] {
  const problems: string[] = [];
  const keys = new Set(expected.map((e) => e.webhookEventId));
  const mids = new Set(expected.map(messageIdOf));
  for (const e of expected) {
    const n = s.events.get(e.webhookEventId) ?? 0;
    if (n !== 1) problems.push(`event ${e.webhookEventId}: ${n} webhook_events rows`);
    const m = s.messages.get(messageIdOf(e)) ?? 0;
    if (m !== 1) problems.push(`message ${messageIdOf(e)}: ${m} rows`);
  }
  for (const [k, n] of s.events) if (!keys.has(k)) problems.push(`unexpected webhook event ${k} (${n})`);
  for (const [k, n] of s.messages) if (!mids.has(k)) problems.push(`unexpected message ${k} (${n})`);
  return problems;
}

/** The events of `expected` that are missing (stored zero times). */
export function missing(s: Stored, expected: LineEvent[]): LineEvent[] {
  return expected.filter((e) => !s.events.has(e.webhookEventId) || !s.messages.has(messageIdOf(e)));
}
