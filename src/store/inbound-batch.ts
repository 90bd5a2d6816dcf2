/**
 * The inbound pipeline's statements for a batch of customer messages from
 * different customers (usecases/ingest-batch.ts): the event keys, customers
 * and locked conversations of the whole batch in one statement, and the
 * messages that need nothing but their row and list fields in another. Each
 * does for every item exactly what recordAndFind and appendMessage do for
 * one (docs/benchmarks.md: round trips, not rows, bound ingest).
 */
import { sql, type RawBuilder, type Selectable } from "kysely";
import type { ConversationRow } from "./schema.js";
import { PREPARED, type Tx } from "./db.js";
import type { Effects } from "../context.js";
import { configVersionOf } from "./config-cache.js";
import { collaboratorColumns, type Conversation } from "./conversations.js";
import { foundOf, type Found, type FoundRow, type InboundChannel, type NewCustomerRows } from "./inbound.js";
import { logEntryRows } from "./conversations.js";
import type { ConversationFacts } from "../domain/conversation.js";
import type { LogEntry } from "../domain/status-log.js";
import { emitAppended, messageValues, MESSAGE_COLUMNS, previewOf, type InsertedMessage, type NewMessage } from "./messages.js";
import { nextWaitingSince } from "../domain/waiting.js";
import { READ_MOVES_FROM } from "../domain/message-status.js";
import { newId } from "../ids.js";

export interface BatchKey {
  channel: InboundChannel;
  userId: string;
  event: { key: string; payload: unknown };
}

/**
 * recordAndFind for every item, one statement. The items' customers must be
 * distinct and their event keys too (the caller sees to both). Conversations
 * are locked in id order, so two batches that share customers wait for each
 * other instead of deadlocking.
 */
export async function recordAndFindMany(tx: Tx, at: Date, items: BatchKey[]): Promise<Found[]> {
  if (!items.length) return [];
  // Arrays, not a VALUES list: the statement's text is the same for every batch size (PREPARED).
  const col = <T>(f: (it: BatchKey, i: number) => T) => items.map(f);
  const r = await sql<FoundRow & { idx: number }>`${PREPARED}
    with q as (
      select * from unnest(${col((_, i) => i)}::int[], ${col((it) => it.channel.id)}::uuid[], ${col((it) => it.channel.workspace_id)}::uuid[],
        ${col((it) => it.event.key)}::text[], ${col((it) => it.userId)}::text[], ${col(() => newId(at.getTime()))}::uuid[],
        ${col((it) => JSON.stringify(it.event.payload ?? {}))}::text[]) as q (idx, channel_id, workspace_id, event_key, user_id, event_id, payload)
    ),
    ev as (
      insert into webhook_events (id, workspace_id, channel_id, event_key, payload, received_at, processed_at, error)
      select event_id, workspace_id, channel_id, event_key, payload::jsonb, ${at}::timestamptz, ${at}::timestamptz, null from q
      on conflict (channel_id, event_key) do nothing
      returning channel_id, event_key
    ),
    fresh as (select q.* from q join ev on ev.channel_id = q.channel_id and ev.event_key = q.event_key),
    who as (
      select q.idx, i.id, i.contact_id, k.blocked, k.blacklisted_at, k.display_name
      from q join contact_identities i on i.channel_id = q.channel_id and i.platform_user_id = q.user_id
      join contacts k on k.id = i.contact_id
      where i.channel_id = any(${col((it) => it.channel.id)}::uuid[]) and i.platform_user_id = any(${col((it) => it.userId)}::text[])
    ),
    conv as (
      select c.*, c.xmin as locked_xmin from conversations c
      join who on c.identity_id = who.id join fresh on fresh.idx = who.idx
      where c.workspace_id = fresh.workspace_id and c.identity_id = any(array(select id from who))
      order by c.id
      for update of c
    )
    select q.idx, exists (select 1 from fresh where fresh.idx = q.idx) as fresh, ${configVersionOf(sql.ref("q.workspace_id"))} as config_version,
      who.id as who_identity_id, who.contact_id as who_contact_id, who.blocked as who_blocked,
      who.blacklisted_at as who_blacklisted_at, who.display_name as who_display_name,
      conv.*, ${collaboratorColumns(sql`conv`)}
    from q left join who on who.idx = q.idx left join conv on conv.identity_id = who.id
    order by q.idx`.execute(tx);
  const out: Found[] = [];
  for (const { idx: _i, ...row } of r.rows) out.push(await foundOf(tx, row));
  return out;
}

export interface NewCustomer {
  rows: NewCustomerRows;
  next: ConversationFacts;
  log: LogEntry[];
}

/** Rows of one table as one JSON parameter, typed by the table's own row type (one text for any count: PREPARED). */
function rowsOf(table: string, rows: Record<string, unknown>[], where: RawBuilder<unknown> = sql``, returning = false): RawBuilder<unknown> {
  const cols = sql.join(Object.keys(rows[0]).map((c) => sql.ref(c)));
  return sql`insert into ${sql.table(table)} (${cols}) select ${cols} from json_populate_recordset(null::${sql.table(table)}, ${JSON.stringify(rows)}::json) as x ${where}
    ${returning ? sql`returning *` : sql``}`;
}

/**
 * openCustomerConversation for customers never seen before, one statement:
 * identities, contacts, conversations in their routed state and status-log
 * entries. Throws BatchDuplicate if any identity already exists (the same
 * customer's first message, committed meanwhile by another transaction): the
 * batch then falls back to one webhook at a time, which settles that race.
 */
export async function openCustomerConversations(tx: Tx, fx: Effects, at: Date, items: NewCustomer[]): Promise<Conversation[]> {
  if (!items.length) return [];
  // jsonb columns go as JSON values, not as the strings Kysely's inserts take.
  const contacts = items.map((it) => ({ ...it.rows.contact, profile: JSON.parse(String(it.rows.contact.profile ?? "{}")) }));
  const logs = items.flatMap((it) => logEntryRows({ id: it.rows.conversation.id!, workspace_id: it.rows.conversation.workspace_id }, it.next, it.log, at));
  // The identity rows refer to contacts inserted after them: foreign keys are checked at the end of the statement.
  const r = await sql<Selectable<ConversationRow>>`${PREPARED}
    with i as (${sql`${rowsOf("contact_identities", items.map((it) => it.rows.identity))} on conflict (channel_id, platform_user_id) do nothing returning id, contact_id`}),
    k as (${rowsOf("contacts", contacts, sql`where x.id in (select contact_id from i)`)}),
    c as (${rowsOf("conversations", items.map((it) => it.rows.conversation), sql`where x.identity_id in (select id from i)`, true)}),
    l as (${logs.length ? rowsOf("status_log", logs, sql`where x.conversation_id in (select id from c)`) : sql`select 1`})
    select * from c`.execute(tx);
  if (r.rows.length !== items.length) throw new BatchDuplicate();
  const byId = new Map(r.rows.map((c) => [c.id, c]));
  for (const c of r.rows) fx.emit({ workspaceId: c.workspace_id, name: "counts.changed", audience: { kind: "workspace" }, data: {} });
  return items.map((it) => ({ ...byId.get(it.rows.conversation.id!)!, collaborator_ids: [] }));
}

/** The columns a batched customer message sets, with their types (the others stay null; search_tokens is apart). */
const ARRAY_TYPES = {
  id: "uuid",
  workspace_id: "uuid",
  conversation_id: "uuid",
  channel_id: "uuid",
  direction: "text",
  sender_kind: "text",
  kind: "text",
  content: "jsonb",
  text: "text",
  platform_message_id: "text",
  quoted_message_id: "uuid",
  quoted_platform_message_id: "text",
  created_at: "timestamptz",
} as const;

export interface CustomerMessage {
  conv: Conversation;
  message: NewMessage & { senderKind: "customer" };
  markRepliesRead: boolean;
  /** Runs once the batch is stored, with the message as stored. */
  then?: (stored: InsertedMessage) => void;
}

/** What routeAndStore leaves to a batch's statements. */
export interface BatchSink {
  /** Messages of conversations that exist (locked by recordAndFindMany). */
  messages: CustomerMessage[];
  /** Customers never seen, each with its first message (stored once the conversation is). */
  opens: { customer: NewCustomer; message: CustomerMessage["message"]; then: NonNullable<CustomerMessage["then"]> }[];
}

/** A platform message id met again (another event key, same message): the caller's transaction rolls back. */
export class BatchDuplicate extends Error {
  constructor() {
    super("a message of the batch is already stored");
  }
}

/**
 * appendMessage for customer messages of distinct conversations, one
 * statement: the rows, each conversation's list fields and shared unread
 * count, the participants' counts (VIEW-21, VIEW-23) and the replies a
 * customer message marks read (STAT-11). Throws BatchDuplicate if any row
 * was already stored.
 */
export async function appendCustomerMessages(tx: Tx, fx: Effects, at: Date, items: CustomerMessage[]): Promise<void> {
  if (!items.length) return;
  const rows = items.map((it) => messageValues(it.conv, it.message));
  for (const row of rows) {
    for (const [k, v] of Object.entries(row)) if (!(k in ARRAY_TYPES) && k !== "search_tokens" && v !== null) throw new Error(`appendCustomerMessages: ${k} is not stored by the batch`);
  }
  const waiting = items.map((it) => nextWaitingSince(it.conv.waiting_since ? new Date(it.conv.waiting_since) : null, "customer", it.message.at));
  const iso = (d: unknown) => (d instanceof Date ? d.toISOString() : d);
  // One array per column (the statement's text is the same for every batch size: PREPARED); a
  // message's search tokens travel as one string, split again in the statement.
  const arrays = sql.join(
    Object.entries(ARRAY_TYPES).map(([k, type]) => sql`${rows.map((r) => iso(r[k as keyof typeof r]))}::${sql.raw(type)}[]`),
  );
  const names = sql.join(Object.keys(ARRAY_TYPES).map((k) => sql.ref(k)));
  const cols = sql.join(MESSAGE_COLUMNS.map((c) => sql.ref(`o.${c}`)));
  // The plan is made once per connection for any batch size: every table is reached by its index
  // through `= any(array)`, whatever the planner guesses of the unnest's length.
  const ids = items.map((it) => it.conv.id);
  const r = await sql<InsertedMessage & { read: boolean }>`${PREPARED}
    with v as (
      select * from unnest(${items.map((it) => it.conv.id)}::uuid[], ${rows.map((row, i) => previewOf(items[i].message.kind, row.text))}::text[],
        ${waiting.map(iso)}::timestamptz[], ${items.map((it) => it.markRepliesRead)}::boolean[]) as v (id, preview, waiting, read)
    ),
    m as (
      insert into messages (${names}, search_tokens)
      select ${names}, string_to_array(tokens, chr(31)) from unnest(${arrays}, ${rows.map((r) => r.search_tokens.join("\u001f"))}::text[]) as x (${names}, tokens)
      on conflict (channel_id, platform_message_id) do nothing
      returning ${sql.join(MESSAGE_COLUMNS.map((c) => sql.ref(c)))}
    ),
    c as (
      update conversations c set last_message_at = greatest(c.last_message_at, ${at}::timestamptz), last_message_preview = v.preview,
        last_message_sender = 'customer', waiting_since = v.waiting, last_customer_message_at = ${at}::timestamptz,
        unread_count = c.unread_count + 1, updated_at = ${at}::timestamptz
      from v where c.id = v.id and c.id = any(${ids}::uuid[]) and v.id in (select conversation_id from m)
    ),
    s as (
      update conversation_member_state set unread_count = unread_count + 1
      where conversation_id = any(${ids}::uuid[]) and conversation_id in (select conversation_id from m)
    ),
    r as (
      update messages o set status = 'read', status_at = ${at}::timestamptz
      where o.conversation_id = any(${items.filter((it) => it.markRepliesRead).map((it) => it.conv.id)}::uuid[])
        and o.direction = 'out' and o.status in (${sql.join(READ_MOVES_FROM.map((st) => sql.lit(st)))}) and o.created_at <= ${at}::timestamptz
      returning ${cols}
    )
    select false as read, m.* from m union all select true, r.* from r`.execute(tx);
  const stored = new Map<string, InsertedMessage>();
  const read = new Map<string, InsertedMessage[]>();
  for (const { read: isRead, ...row } of r.rows) {
    if (!isRead) stored.set(row.conversation_id, row);
    else read.set(row.conversation_id, [...(read.get(row.conversation_id) ?? []), row]);
  }
  if (stored.size !== items.length) throw new BatchDuplicate();
  items.forEach((it, i) => {
    it.conv.waiting_since = waiting[i];
    const message = stored.get(it.conv.id)!;
    emitAppended(fx, it.conv, message, read.get(it.conv.id) ?? [], true);
    it.then?.(message);
  });
}
