/**
 * The inbound pipeline's reads and creations, each merged into one statement:
 * a customer message holds a pooled connection for every round trip of its
 * transaction, so the dedupe insert, the identity lookup and the conversation
 * lock go together, and so do a new customer's contact, identity,
 * conversation and first status-log entries (docs/benchmarks.md).
 */
import { sql, type Insertable, type RawBuilder } from "kysely";
import { PREPARED, type Tx } from "./db.js";
import type { ContactIdentityRow, ContactRow, ConversationRow } from "./schema.js";
import type { ConversationFacts } from "../domain/conversation.js";
import type { LogEntry } from "../domain/status-log.js";
import { phoneDigits, type IdentityRef } from "./contacts.js";
import { configVersionOf } from "./config-cache.js";
import { collaboratorColumns, collaboratorsOfLocked, logRows, type Conversation } from "./conversations.js";
import { newId } from "../ids.js";

export interface InboundChannel {
  id: string;
  workspace_id: string;
}

export interface Found {
  /** false: this channel has seen the event key already (a redelivery); nothing was locked. */
  fresh: boolean;
  /** The workspace's configuration version (store/config-cache.ts), read in the same statement. */
  configVersion: string;
  who: IdentityRef | null;
  /** The customer's conversation, locked for the rest of the transaction. */
  conv: Conversation | null;
}

export type FoundRow = Record<string, unknown> & {
  fresh: boolean;
  config_version: string;
  who_identity_id: string | null;
  who_contact_id: string;
  who_blocked: boolean;
  who_blacklisted_at: Date | null;
  who_display_name: string;
  id: string | null;
};

/**
 * Records the event key (when `event` is given) and finds the customer behind
 * `userId` and their conversation, locked (`FOR UPDATE`), and the
 * configuration version the cached channel and rules are checked against —
 * one statement.
 * A redelivered key locks nothing. Without `event` it only finds and locks
 * (after losing the race to create a new customer).
 */
export async function recordAndFind(
  tx: Tx,
  channel: InboundChannel,
  userId: string,
  event: { key: string; payload: unknown; at: Date } | null,
): Promise<Found> {
  const ev = event
    ? tx
        .insertInto("webhook_events")
        .values({
          id: newId(event.at.getTime()),
          workspace_id: channel.workspace_id,
          channel_id: channel.id,
          event_key: event.key,
          payload: JSON.stringify(event.payload ?? {}),
          received_at: event.at,
          processed_at: event.at,
          error: null,
        })
        .onConflict((oc) => oc.columns(["channel_id", "event_key"]).doNothing())
        .returning("id")
    : sql`select 1`;
  const r = await sql<FoundRow>`
    with ev as (${ev}),
    who as (
      select i.id, i.contact_id, k.blocked, k.blacklisted_at, k.display_name
      from contact_identities i join contacts k on k.id = i.contact_id
      where i.channel_id = ${channel.id} and i.platform_user_id = ${userId}
    ),
    conv as (
      select c.*, c.xmin as locked_xmin from conversations c
      where c.identity_id = (select id from who) and c.workspace_id = ${channel.workspace_id} and exists (select 1 from ev)
      for update
    )
    select exists (select 1 from ev) as fresh, ${configVersionOf(channel.workspace_id)} as config_version,
      who.id as who_identity_id, who.contact_id as who_contact_id, who.blocked as who_blocked,
      who.blacklisted_at as who_blacklisted_at, who.display_name as who_display_name,
      conv.*, ${collaboratorColumns(sql`conv`)}
    from (select 1) as one left join who on true left join conv on true`.execute(tx);
  return foundOf(tx, r.rows[0]);
}

/** A Found from a row of recordAndFind's shape (also recordAndFindMany's, per item). */
export async function foundOf(tx: Tx, row: FoundRow): Promise<Found> {
  const { fresh, config_version, who_identity_id, who_contact_id, who_blocked, who_blacklisted_at, who_display_name, ...rest } = row;
  const who: IdentityRef | null = who_identity_id
    ? { identityId: who_identity_id, contactId: who_contact_id, blocked: who_blocked, blacklisted: who_blacklisted_at !== null, displayName: who_display_name }
    : null;
  const conv = rest.id ? await collaboratorsOfLocked(tx, rest) : null;
  return { fresh, configVersion: config_version, who, conv };
}

/** Insert … select … where cond: an insert that only happens when an earlier part of the statement did. */
function insertWhere(table: string, row: Record<string, unknown>, cond: RawBuilder<unknown>, returning = false): RawBuilder<unknown> {
  const cols = Object.keys(row);
  return sql`insert into ${sql.table(table)} (${sql.join(cols.map((c) => sql.ref(c)))})
    select ${sql.join(cols.map((c) => sql`${row[c]}`))} where ${cond} ${returning ? sql`returning *` : sql``}`;
}

function conversationRow(channel: InboundChannel, contactId: string, identityId: string, next: ConversationFacts, at: Date): Insertable<ConversationRow> {
  return {
    id: newId(at.getTime()),
    workspace_id: channel.workspace_id,
    channel_id: channel.id,
    kind: "individual",
    contact_id: contactId,
    identity_id: identityId,
    group_id: null,
    state: next.state,
    queue: next.queue,
    follower_id: next.followerId,
    last_handler_id: next.lastHandlerId,
    followed_at: next.followerId ? at : null,
    last_message_at: at,
    last_message_sender: null,
    waiting_since: null,
    last_customer_message_at: null,
    last_human_reply_at: null,
    last_staff_reply_at: null,
    closed_at: null,
    closed_reason: null,
    last_exported_at: null,
    created_at: at,
    updated_at: at,
  };
}

/**
 * Opens the conversation of a known customer who has none, in the routed
 * state, with its status-log entries. Null when a concurrent message of the
 * same customer opened it first (the unique identity_id decides): the caller
 * locks and routes against that one.
 */
export async function openConversation(tx: Tx, channel: InboundChannel, who: IdentityRef, next: ConversationFacts, log: LogEntry[], at: Date): Promise<Conversation | null> {
  const conv = conversationRow(channel, who.contactId, who.identityId, next, at);
  const r = await sql<Conversation>`${PREPARED}
    with c as (${tx.insertInto("conversations").values(conv).onConflict((oc) => oc.column("identity_id").doNothing()).returningAll()}),
    l as (${logRows(next, log, at)})
    select * from c`.execute(tx);
  return r.rows[0] ? { ...r.rows[0], collaborator_ids: [] } : null;
}

/** The rows a customer never seen on this channel starts with: contact, channel identity, conversation (ids made here). */
export interface NewCustomerRows {
  identity: Insertable<ContactIdentityRow>;
  contact: Insertable<ContactRow>;
  conversation: Insertable<ConversationRow>;
  who: IdentityRef;
}

export function newCustomerRows(channel: InboundChannel, user: { userId: string; displayName?: string; phone?: string }, next: ConversationFacts, at: Date): NewCustomerRows {
  const contactId = newId(at.getTime());
  const identityId = newId(at.getTime());
  const name = user.displayName?.trim() || user.phone || `客人 ${user.userId.slice(-6)}`;
  const identity: Insertable<ContactIdentityRow> = {
    id: identityId,
    workspace_id: channel.workspace_id,
    channel_id: channel.id,
    contact_id: contactId,
    platform_user_id: user.userId,
    display_name: user.displayName ?? null,
    avatar_url: null,
    omo_binding: null,
    created_at: at,
  };
  const contact: Insertable<ContactRow> = {
    id: contactId,
    workspace_id: channel.workspace_id,
    display_name: name,
    email: null,
    phone: user.phone ?? null,
    phone_digits: phoneDigits(user.phone),
    note: null,
    avatar_url: null,
    store_member_id: null,
    profile: JSON.stringify({}),
    blacklisted_at: null,
    unsubscribed_at: null,
    last_page_url: null,
    last_page_title: null,
    last_seen_at: null,
    created_at: at,
    updated_at: at,
  };
  return {
    identity,
    contact,
    conversation: conversationRow(channel, contactId, identityId, next, at),
    who: { identityId, contactId, blocked: false, blacklisted: false, displayName: name },
  };
}

/**
 * A customer never seen on this channel: contact, channel identity and
 * conversation (routed state, status log) in one statement. The contact and
 * the conversation are only inserted if the identity is (unique per channel
 * and platform user): null when a concurrent first message of the same
 * customer created it, and then nothing of this call remains.
 */
export async function openCustomerConversation(
  tx: Tx,
  channel: InboundChannel,
  user: { userId: string; displayName?: string; phone?: string },
  next: ConversationFacts,
  log: LogEntry[],
  at: Date,
): Promise<{ who: IdentityRef; conv: Conversation } | null> {
  const rows = newCustomerRows(channel, user, next, at);
  const created = sql`exists (select 1 from i)`;
  // The identity row refers to the contact inserted after it: foreign keys are checked at the end of the statement.
  const r = await sql<Conversation>`${PREPARED}
    with i as (${tx.insertInto("contact_identities").values(rows.identity).onConflict((oc) => oc.columns(["channel_id", "platform_user_id"]).doNothing()).returning("id")}),
    k as (${insertWhere("contacts", rows.contact, created)}),
    c as (${insertWhere("conversations", rows.conversation, created, true)}),
    l as (${logRows(next, log, at)})
    select * from c`.execute(tx);
  if (!r.rows[0]) return null;
  return { who: rows.who, conv: { ...r.rows[0], collaborator_ids: [] } };
}
