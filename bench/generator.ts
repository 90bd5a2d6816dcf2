/**
 * Bulk data for the list, search and growth figures, made inside the
 * database with generate_series (multi-row INSERT … SELECT, one statement per
 * chunk), so a million conversations take minutes, not hours.
 *
 * Per conversation n (numbered from 1 up, so growth steps append):
 *   - a contact and a channel identity (LINE 50 %, WhatsApp 30 %, Messenger,
 *     Instagram 10 % each), ids md5(seed || kind || n)::uuid;
 *   - state 2 % pending/human, 3 % pending/bot, 5 % processing, 90 % closed;
 *     processing conversations are followed by agent (n mod agents), 2 % of
 *     them with a collaborator; closed ones keep that agent as last handler
 *     (10 % have none); last-message times spread over a year;
 *   - MSGS_PER_CONV messages alternating customer / agent, the last from the
 *     customer, 5 minutes apart, plus one webhook_events row per customer
 *     message (so the dedupe index has its real size).
 * Message text comes from `bench_templates`: texts made by vocab.ts with
 * search_tokens computed by the app's own indexTokens (src/store/search-tokens.ts),
 * so the GIN index holds exactly what the app would have written.
 * The view-counter triggers stay on: counts are right afterwards. Each chunk
 * is one transaction, made again if the database server restarts under it.
 */
import { sql, type RawBuilder } from "kysely";
import type { Db, Tx } from "../src/store/db.js";
import { retrying } from "./resilience.js";
import { indexTokens } from "../src/store/search-tokens.js";
import { previewOf } from "../src/store/messages.js";
import { messageText, rng } from "./vocab.js";
import type { Fixtures } from "./setup.js";

export const MSGS_PER_CONV = 10;

export interface Generator {
  db: Db;
  fx: Fixtures;
  seed: string;
  /** Newest last-message time (ms); conversations spread over the year before it. */
  baseMs: number;
  templates: number;
  /** Conversations generated so far (the next one is n = generated + 1). */
  generated: number;
  chunk: number;
  log: (s: string) => void;
}

/** Fills bench_templates with `count` texts and their search tokens (the app's indexTokens). */
export async function createTemplates(db: Db, count: number, seed = 42): Promise<void> {
  await sql`create table if not exists bench_templates (id int primary key, text text not null, tokens text[] not null, preview text not null)`.execute(db);
  const r = rng(seed);
  const BATCH = 500;
  for (let i = 0; i < count; i += BATCH) {
    const rows = Array.from({ length: Math.min(BATCH, count - i) }, (_, j) => {
      const text = messageText(r);
      return sql`(${i + j}, ${text}, ${sql.val(indexTokens(text))}::text[], ${previewOf("text", text)})`;
    });
    await sql`insert into bench_templates (id, text, tokens, preview) values ${sql.join(rows)}`.execute(db);
  }
}

const HASH = 2654435761; // Knuth's multiplicative hash (prime)
const YEAR_MS = 31_536_000_000;

/** The SQL expressions shared by every statement, for conversation number `n`. */
function vars(g: Generator) {
  const agents = g.fx.agents.map((a) => a.id);
  const chs: string[] = [];
  for (const [i, share] of [5, 3, 1, 1].entries()) for (let k = 0; k < share; k++) chs.push(g.fx.channels[i].id);
  const plats = chs.map((id) => g.fx.channels.find((c) => c.id === id)!.platform);
  const agentArr = sql`${sql.val(agents)}::uuid[]`;
  return {
    seed: sql`${sql.val(g.seed)}::text`,
    ws: sql`${g.fx.workspaceId}::uuid`,
    channel: sql`(${sql.val(chs)}::uuid[])[1 + n % 10]`,
    platform: sql`(${sql.val(plats)}::text[])[1 + n % 10]`,
    h: sql`((n::bigint * ${sql.lit(HASH)}) % 4294967296)`,
    lm: sql`(${new Date(g.baseMs).toISOString()}::timestamptz - ((n::bigint * ${sql.lit(HASH)} + 12345) % ${sql.lit(YEAR_MS)}) * interval '1 millisecond')`,
    agent: sql`(${agentArr})[1 + n % ${sql.lit(agents.length)}]`,
    collaborator: sql`(${agentArr})[1 + (n + 1) % ${sql.lit(agents.length)}]`,
    tpl: (k: RawBuilder<unknown>) => sql`((((n::bigint * ${sql.lit(MSGS_PER_CONV)} + ${k}) * ${sql.lit(HASH)}) % ${sql.lit(g.templates)})::int)`,
  };
}


const STEPS = ["contacts", "identities", "conversations", "member state", "participants", "messages", "webhook events"];
const stepMs = new Map<string, number>();
/** Runs one statement of a chunk, adding its time to its step (reported by stepTimes). */
async function timed(i: number, q: RawBuilder<unknown>, db: Db | Tx): Promise<void> {
  const t0 = performance.now();
  await q.execute(db);
  stepMs.set(STEPS[i], (stepMs.get(STEPS[i]) ?? 0) + performance.now() - t0);
}

/** Seconds spent per statement kind since the last call (then reset). */
export function stepTimes(): Record<string, number> {
  const out = Object.fromEntries([...stepMs].map(([k, v]) => [k, Math.round(v / 100) / 10]));
  stepMs.clear();
  return out;
}
const id = (seed: RawBuilder<unknown>, kind: string, n: RawBuilder<unknown> = sql`n`) => sql`md5(${seed} || ${sql.lit(kind)} || ${n})::uuid`;

/** One chunk of conversations [a, b] with everything that belongs to them. */
async function chunk(g: Generator, db: Db | Tx, a: number, b: number): Promise<void> {
  const v = vars(g);
  const series = sql`generate_series(${a}::int, ${b}::int) n`;
  const M = MSGS_PER_CONV;
  await timed(0, sql`
    insert into contacts (id, workspace_id, display_name, created_at, updated_at)
    select ${id(v.seed, "k")}, ${v.ws}, '客人 ' || n, ${v.lm} - interval '1 day', ${v.lm}
    from ${series}`, db);
  await timed(1, sql`
    insert into contact_identities (id, workspace_id, channel_id, contact_id, platform_user_id, display_name, created_at)
    select ${id(v.seed, "i")}, ${v.ws}, ${v.channel}, ${id(v.seed, "k")},
      case ${v.platform} when 'line' then 'U' || md5(${v.seed} || 'u' || n) when 'whatsapp' then '886' || lpad(n::text, 9, '0') else 'g' || md5(${v.seed} || 'u' || n) end,
      '客人 ' || n, ${v.lm} - interval '1 day'
    from ${series}`, db);
  await timed(2, sql`
    insert into conversations (id, workspace_id, channel_id, kind, contact_id, identity_id, group_id, state, queue, follower_id, last_handler_id,
      is_collaborative, followed_at, last_message_at, last_message_preview, last_message_sender, waiting_since, last_customer_message_at,
      last_human_reply_at, last_staff_reply_at, unread_count, closed_at, closed_reason, reopenable, active, version, created_at, updated_at)
    select ${id(v.seed, "c")}, ${v.ws}, ${v.channel}, 'individual', ${id(v.seed, "k")}, ${id(v.seed, "i")}, null,
      s.state, s.queue, s.follower, s.handler, s.collab, case when s.follower is not null then s.lm - interval '20 minutes' end,
      s.lm, t.preview, 'customer', case when s.state <> 'closed' and s.h % 5 < 3 then s.lm end, s.lm,
      s.lm - interval '5 minutes', s.lm - interval '5 minutes', case when s.state <> 'closed' then (s.h % 4)::int else 0 end,
      case when s.state = 'closed' then s.lm end, null, true, true, 0, s.lm - interval '50 minutes', s.lm
    from ${series}
    cross join lateral (select ${v.h} as h, ${v.lm} as lm) x
    cross join lateral (select x.h, x.lm,
        case when x.h % 100 < 5 then 'pending' when x.h % 100 < 10 then 'processing' else 'closed' end as state,
        case when x.h % 100 < 2 then 'human' when x.h % 100 < 5 then 'bot' end as queue,
        case when x.h % 100 between 5 and 9 then ${v.agent} end as follower,
        case when x.h % 100 between 5 and 9 then ${v.agent} when x.h % 100 >= 10 and x.h % 10 <> 0 then ${v.agent} end as handler,
        (x.h % 100 between 5 and 9 and n % 50 = 0) as collab) s
    join bench_templates t on t.id = ${v.tpl(sql.lit(M - 1))}`, db);
  await timed(3, sql`
    insert into conversation_member_state (conversation_id, member_id, workspace_id, unread_count)
    select c.id, c.follower_id, c.workspace_id, c.unread_count
    from ${series} join conversations c on c.id = ${id(v.seed, "c")}
    where c.state = 'processing'`, db);
  await timed(4, sql`
    insert into conversation_participants (conversation_id, member_id, workspace_id, position, added_by, added_at)
    select c.id, ${v.collaborator}, c.workspace_id, 1, c.follower_id, c.followed_at
    from ${series} join conversations c on c.id = ${id(v.seed, "c")}
    where c.is_collaborative and ${v.collaborator} <> c.follower_id`, db);
  await timed(5, sql`
    insert into messages (id, workspace_id, conversation_id, channel_id, direction, sender_kind, sender_member_id, kind, content, text,
      search_tokens, platform_message_id, status, status_at, created_at)
    select ${id(v.seed, "m", sql`n || '.' || k`)}, ${v.ws}, ${id(v.seed, "c")}, ${v.channel},
      case when x.inbound then 'in' else 'out' end, case when x.inbound then 'customer' else 'agent' end,
      case when x.inbound then null else ${v.agent} end, 'text', jsonb_build_object('kind', 'text', 'text', t.text), t.text, t.tokens,
      'g' || n || '.' || k, case when x.inbound then null when k = ${sql.lit(M - 2)} then 'sent' else 'read' end,
      case when x.inbound then null else x.at end, x.at
    from ${series}
    cross join generate_series(0, ${sql.lit(M - 1)}) k
    cross join lateral (select (${sql.lit(M - 1)} - k) % 2 = 0 as inbound, ${v.lm} - (${sql.lit(M - 1)} - k) * interval '5 minutes' as at) x
    join bench_templates t on t.id = ${v.tpl(sql`k`)}`, db);
  await timed(6, sql`
    insert into webhook_events (id, workspace_id, channel_id, event_key, payload, received_at, processed_at)
    select ${id(v.seed, "w", sql`n || '.' || k`)}, ${v.ws}, ${v.channel}, 'gen:' || md5(${v.seed} || 'e' || n || '.' || k),
      '{"type":"message","generated":true}'::jsonb, x.at, x.at
    from ${series}
    cross join generate_series(1, ${sql.lit(M - 1)}, 2) k
    cross join lateral (select ${v.lm} - (${sql.lit(M - 1)} - k) * interval '5 minutes' as at) x`, db);
}

export function newGenerator(db: Db, fx: Fixtures, templates: number, chunk: number, log: (s: string) => void): Generator {
  return { db, fx, seed: Math.random().toString(36).slice(2, 10), baseMs: Date.now() - 3_600_000, templates, generated: 0, chunk, log };
}

/** Adds conversations until `target` exist (generated ones; the ingest phases add a few more), then ANALYZEs. */
export async function growTo(g: Generator, target: number): Promise<{ seconds: number; conversations: number; messages: number }> {
  const t0 = performance.now();
  const start = g.generated;
  while (g.generated < target) {
    const a = g.generated + 1;
    const b = Math.min(target, g.generated + g.chunk);
    const c0 = performance.now();
    // One transaction per chunk: a chunk cut short (the server restarting) leaves nothing behind and is made again.
    await retrying(
      `chunk ${a}..${b}`,
      () =>
        g.db.transaction().execute(async (tx) => {
          // Settings for the bulk load only (the app's own transactions keep the defaults).
          await sql`set local synchronous_commit = off`.execute(tx);
          await sql`set local work_mem = '64MB'`.execute(tx);
          await chunk(g, tx, a, b);
        }),
      g.log,
    );
    g.generated = b;
    const s = (performance.now() - c0) / 1000;
    g.log(`  seconds per statement: ${JSON.stringify(stepTimes())}`);
    g.log(`  generated conversations ${a.toLocaleString("en")}..${b.toLocaleString("en")} (+${((b - a + 1) * MSGS_PER_CONV).toLocaleString("en")} messages) in ${s.toFixed(1)} s`);
  }
  const a0 = performance.now();
  await retrying("vacuum analyze", () => sql`vacuum analyze`.execute(g.db), g.log);
  g.log(`  vacuum analyze in ${((performance.now() - a0) / 1000).toFixed(1)} s`);
  const added = g.generated - start;
  return { seconds: (performance.now() - t0) / 1000, conversations: added, messages: added * MSGS_PER_CONV };
}

/** Rows per table (exact counts; used for the report). */
export function tableCounts(db: Db, log: (s: string) => void = () => {}) {
  return retrying("counting rows", () => countRows(db), log);
}

async function countRows(db: Db): Promise<{ conversations: number; messages: number; contacts: number; webhook_events: number }> {
  const r = await sql<{ c: string; m: string; k: string; w: string }>`
    select (select count(*) from conversations) as c, (select count(*) from messages) as m,
           (select count(*) from contacts) as k, (select count(*) from webhook_events) as w`.execute(db);
  const row = r.rows[0];
  return { conversations: Number(row.c), messages: Number(row.m), contacts: Number(row.k), webhook_events: Number(row.w) };
}
