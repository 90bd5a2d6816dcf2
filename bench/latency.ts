/**
 * Push latency: from the moment the simulated platform sends a signed
 * webhook to the moment an agent's console socket receives the resulting
 * message.created event, at a steady (open-loop) rate with N agent sockets
 * connected (one per agent). Sender and sockets live in the same driver
 * process, so both ends read the same clock.
 *
 * Two audiences:
 *   - assigned (the headline): customers write in conversations being
 *     handled (處理中), each followed by one of the connected agents; the
 *     event goes to that agent's socket (VIEW-5 rooms), as most traffic does;
 *   - fan-out: new customers, so each message opens a pending conversation
 *     whose events go to every socket of the workspace; run at a tenth of the
 *     rate, since each message becomes N deliveries.
 */
import { sql } from "kysely";
import type { Db } from "../src/store/db.js";
import type { Helper } from "./ipc.js";
import type { LoadResult } from "./load.js";
import type { Fixtures } from "./setup.js";
import { targets } from "./ingest.js";
import type { Summary } from "./stats.js";

export interface LatencyRun {
  rate: number;
  durationS: number;
  sockets: number;
  load: LoadResult;
  /** Every (message, socket) delivery. */
  deliveries: Summary;
  /** The first socket to get each message. */
  firstDelivery: Summary;
  messagesDelivered: number;
  missing: number;
}

/** Platform user ids of processing conversations followed by the given agents, per LINE/WhatsApp channel. */
export async function assignedCustomers(db: Db, fx: Fixtures, agentIds: string[], limit: number): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const ch of [fx.line, fx.whatsapp]) {
    const rows = await sql<{ u: string }>`
      select i.platform_user_id as u
      from conversations c join contact_identities i on i.id = c.identity_id
      where c.workspace_id = ${fx.workspaceId}::uuid and c.channel_id = ${ch.id}::uuid and c.state = 'processing'
        and c.follower_id = any(${sql.val(agentIds)}::uuid[])
      limit ${limit}`.execute(db);
    out[ch.id] = rows.rows.map((r) => r.u);
  }
  return out;
}

export async function measureLatency(
  driver: Helper,
  origin: string,
  fx: Fixtures,
  o: { rate: number; durationMs: number; sockets: number; customers: Record<string, string[]> | { pool: string; count: number } },
): Promise<LatencyRun> {
  const customers = "pool" in o.customers ? { pool: o.customers.pool as string, count: o.customers.count as number } : { ids: o.customers };
  const r = await driver.call<Omit<LatencyRun, "rate" | "durationS" | "sockets">>(
    "latency",
    {
      spec: { origin, targets: targets(fx), customers, durationMs: o.durationMs, maxRequests: Math.ceil((o.rate * o.durationMs) / 1000) + 1, concurrency: 2000, rate: o.rate },
      settleMs: 5000,
    },
    o.durationMs + 120_000,
  );
  return { rate: o.rate, durationS: o.durationMs / 1000, sockets: o.sockets, ...r };
}
