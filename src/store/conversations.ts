/**
 * Loading and saving conversations for the use cases: rows to domain facts,
 * and the one place that writes a decided outcome (state, status log, system
 * messages, notifications, unread effects, realtime events) in the caller's
 * transaction.
 */
import { sql, type RawBuilder, type Selectable } from "kysely";
import type { Db, Tx } from "./db.js";
import type { ConversationRow, MemberRow } from "./schema.js";
import type { ConversationFacts, MemberFacts } from "../domain/conversation.js";
import type { Outcome, Notification } from "../domain/lifecycle.js";
import type { LogEntry } from "../domain/status-log.js";
import type { UnreadEffect } from "../domain/unread.js";
import type { Effects } from "../context.js";
import type { ConversationVisibility, RealtimeEvent } from "../realtime/events.js";
import type { Role } from "../domain/roles.js";
import { newId } from "../ids.js";
import { AppError } from "../usecases/errors.js";
import { appendMessage } from "./messages.js";

export type Conversation = Selectable<ConversationRow> & { collaborator_ids: string[] };

type FactsSource = Pick<Conversation, "state" | "queue" | "follower_id" | "last_handler_id" | "kind" | "reopenable"> & { collaborator_ids?: string[] };

export function toFacts(c: FactsSource): ConversationFacts {
  return {
    state: c.state,
    queue: c.queue,
    followerId: c.follower_id,
    lastHandlerId: c.last_handler_id,
    kind: c.kind,
    collaboratorIds: c.collaborator_ids ?? [],
    reopenable: c.reopenable,
  };
}

export function memberFacts(m: Pick<MemberRow, "id" | "display_name" | "role"> & { active: boolean }): MemberFacts {
  return { id: m.id, name: m.display_name, role: m.role as Role, active: m.active };
}

export function visibility(f: ConversationFacts): ConversationVisibility {
  const owner = f.state === "closed" ? f.lastHandlerId : f.followerId;
  return { state: f.state, participantIds: [...(owner ? [owner] : []), ...f.collaboratorIds] };
}

export function conversationAudience(kind: ConversationFacts["kind"], ...states: ConversationFacts[]): RealtimeEvent["audience"] {
  return { kind: "conversation", kindOfConversation: kind, visibleTo: states.map(visibility) };
}

/** Collaborators of several conversations in list order (COLLAB-79), one query. */
export async function loadCollaborators(tx: Db | Tx, ids: string[]): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>();
  if (!ids.length) return map;
  const rows = await tx
    .selectFrom("conversation_participants")
    .select(["conversation_id", "member_id"])
    .where("conversation_id", "in", ids)
    .orderBy("position")
    .execute();
  for (const r of rows) map.set(r.conversation_id, [...(map.get(r.conversation_id) ?? []), r.member_id]);
  return map;
}

/**
 * The collaborators of a conversation locked in the same statement, and
 * whether the locked row is still the one the statement's snapshot saw
 * (`locked_xmin` is the row version the lock returned). When another
 * transaction changed the conversation while this one waited for the lock,
 * the collaborators read from the older snapshot may be stale:
 * collaboratorsOfLocked reads them again.
 */
export function collaboratorColumns(alias: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`
    coalesce((select array_agg(p.member_id::text order by p.position) from conversation_participants p where p.conversation_id = ${alias}.id), '{}') as collaborator_ids,
    coalesce((select v.xmin = ${alias}.locked_xmin from conversations v where v.id = ${alias}.id), false) as unchanged`;
}

/** Locks the conversation row for the rest of the transaction (LIFE-36: first action wins). One statement with its collaborators. */
export async function lockConversation(tx: Tx, workspaceId: string, id: string): Promise<Conversation> {
  const r = await sql<Record<string, unknown>>`
    with conv as (select c.*, c.xmin as locked_xmin from conversations c where c.id = ${id} and c.workspace_id = ${workspaceId} for update)
    select conv.*, ${collaboratorColumns(sql`conv`)} from conv`.execute(tx);
  if (!r.rows[0]) throw AppError.notFound("對話");
  return collaboratorsOfLocked(tx, r.rows[0]);
}

/**
 * The conversation from a row that locked it with collaboratorColumns: its
 * collaborators are read again only if the row changed while the statement
 * waited for the lock (they were read from the snapshot before the wait;
 * whoever changes collaborators updates the conversation under this lock).
 */
export async function collaboratorsOfLocked(tx: Tx, row: Record<string, unknown>): Promise<Conversation> {
  const { locked_xmin: _x, unchanged, collaborator_ids, ...conv } = row as Selectable<ConversationRow> & { locked_xmin: unknown; unchanged: boolean; collaborator_ids: string[] };
  const ids = unchanged ? collaborator_ids : ((await loadCollaborators(tx, [conv.id])).get(conv.id) ?? []);
  return { ...conv, collaborator_ids: ids };
}

/** Locks several conversations in id order, so concurrent batches cannot deadlock. */
export async function lockConversations(tx: Tx, workspaceId: string, ids: string[]): Promise<Map<string, Conversation>> {
  const unique = [...new Set(ids)].sort();
  if (!unique.length) return new Map();
  const rows = await tx
    .selectFrom("conversations")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("id", "in", unique)
    .orderBy("id")
    .forUpdate()
    .execute();
  const collab = await loadCollaborators(tx, unique);
  return new Map(rows.map((r) => [r.id, { ...r, collaborator_ids: collab.get(r.id) ?? [] }]));
}

export async function loadMemberFacts(tx: Tx, workspaceId: string, memberId: string): Promise<MemberFacts | null> {
  const m = await tx
    .selectFrom("members")
    .select(["id", "display_name", "role", "active"])
    .where("id", "=", memberId)
    .where("workspace_id", "=", workspaceId)
    .executeTakeFirst();
  return m ? memberFacts(m) : null;
}

/**
 * Status-log rows for the conversation a CTE named `c` of the same statement
 * inserted or updated (returning its row), or selected (writeLog).
 */
export function logRows(after: ConversationFacts, entries: LogEntry[], at: Date): RawBuilder<unknown> {
  if (!entries.length) return sql`select 1`;
  const values = logEntryRows({ id: "", workspace_id: "" }, after, entries, at).map(
    (e) => sql`(${e.id}::uuid, ${e.actor_member_id}::uuid, ${e.kind}::text, ${e.text}::text, ${JSON.stringify(e.data)}::jsonb)`,
  );
  return sql`insert into status_log (id, workspace_id, conversation_id, at, actor_member_id, kind, text, data, state, queue, follower_id)
    select v.id, c.workspace_id, c.id, ${at}, v.actor, v.kind, v.text, v.data, ${after.state}, ${after.queue}, ${after.followerId}::uuid
    from c cross join (values ${sql.join(values)}) as v (id, actor, kind, text, data)`;
}

/** The status-log rows of `entries` for conversation `c` (what logRows inserts; batched inserts take them as values). */
export function logEntryRows(c: { id: string; workspace_id: string }, after: ConversationFacts, entries: LogEntry[], at: Date) {
  return entries.map((e, i) => ({
    id: newId(at.getTime() + i),
    workspace_id: c.workspace_id,
    conversation_id: c.id,
    at,
    actor_member_id: e.actorId,
    kind: e.kind,
    text: e.text,
    data: e.data,
    state: after.state,
    queue: after.queue,
    follower_id: after.followerId,
  }));
}

/** Status-log entries for a conversation already written: the same rows as logRows, on a one-row `c`. */
export async function writeLog(tx: Tx, c: Conversation, after: ConversationFacts, entries: LogEntry[], at: Date): Promise<void> {
  if (!entries.length) return;
  await sql`with c as (select ${c.id}::uuid as id, ${c.workspace_id}::uuid as workspace_id) ${logRows(after, entries, at)}`.execute(tx);
}

/**
 * Unread effects on member state (viewing, a new follower). A message's own effects (increment,
 * clear_all) are written with the message, in appendMessage's statement.
 */
export async function applyUnread(
  tx: Tx,
  c: Pick<Conversation, "id" | "workspace_id"> & FactsSource,
  effect: Extract<UnreadEffect, { kind: "clear_member" | "inherit" | "none" }>,
  fx: Effects,
): Promise<void> {
  switch (effect.kind) {
    case "none":
      return;
    case "clear_member":
      await tx
        .updateTable("conversation_member_state")
        .set({ unread_count: 0 })
        .where("conversation_id", "=", c.id)
        .where("member_id", "=", effect.memberId)
        .execute();
      break;
    case "inherit":
      await sql`
        insert into conversation_member_state (conversation_id, member_id, workspace_id, unread_count)
        select id, ${effect.memberId}, workspace_id, unread_count from conversations where id = ${c.id}
        on conflict (conversation_id, member_id) do update set unread_count = excluded.unread_count`.execute(tx);
      break;
  }
  // Only members who may see the conversation hear that its unread count moved (VIEW-5).
  fx.emit({ workspaceId: c.workspace_id, name: "unread.changed", audience: conversationAudience(c.kind, toFacts(c)), data: { conversationId: c.id } });
}

/**
 * Writes a lifecycle outcome: the new state with a version bump, the status
 * log, system messages, notifications, participant rows and unread hand-over.
 */
export async function applyOutcome(
  tx: Tx,
  fx: Effects,
  c: Conversation,
  outcome: Outcome | { next: ConversationFacts; log: LogEntry[]; systemMessages?: string[]; notifications?: Notification[]; followerChanged?: boolean },
  at: Date,
  extra: { closed_reason?: string } = {},
): Promise<Conversation> {
  const before = toFacts(c);
  const n = outcome.next;
  const closing = n.state === "closed" && before.state !== "closed";
  const update = tx
    .updateTable("conversations")
    .set({
      state: n.state,
      queue: n.queue,
      follower_id: n.followerId,
      last_handler_id: n.lastHandlerId,
      followed_at: n.followerId && n.followerId !== before.followerId ? at : n.followerId ? c.followed_at : null,
      closed_at: closing ? at : n.state === "closed" ? c.closed_at : null,
      closed_reason: closing ? (extra.closed_reason ?? "manual") : n.state === "closed" ? c.closed_reason : null,
      // VIEW-21: closing clears the wait; VIEW-26: closed shows no unread.
      ...(closing ? { waiting_since: null, unread_count: 0 } : {}),
      version: sql`version + 1`,
      updated_at: at,
    })
    .where("id", "=", c.id)
    .returningAll();
  // The state and its status-log entries in one statement.
  const rows = await sql<Selectable<ConversationRow>>`with c as (${update}), l as (${logRows(n, outcome.log, at)}) select * from c`.execute(tx);
  const updated = rows.rows[0];
  if (!updated) throw AppError.notFound("對話");

  // Member state rows: the old follower loses theirs (pins go too, LIFE-38);
  // the new follower inherits the shared unread count (VIEW-27).
  if (before.followerId && before.followerId !== n.followerId && !n.collaboratorIds.includes(before.followerId)) {
    await tx.deleteFrom("conversation_member_state").where("conversation_id", "=", c.id).where("member_id", "=", before.followerId).execute();
  }
  if (closing) await tx.deleteFrom("conversation_member_state").where("conversation_id", "=", c.id).execute();
  const result: Conversation = { ...updated, collaborator_ids: [...n.collaboratorIds] };
  if (n.followerId && n.followerId !== before.followerId) await applyUnread(tx, result, { kind: "inherit", memberId: n.followerId }, fx);
  for (const text of outcome.systemMessages ?? []) {
    await appendMessage(tx, fx, result, { direction: "out", senderKind: "system", kind: "text", content: { text }, text, at });
  }
  for (const note of outcome.notifications ?? []) await notify(tx, fx, c.workspace_id, note, at, { conversationId: c.id });

  fx.emit({
    workspaceId: c.workspace_id,
    name: "conversation.updated",
    audience: conversationAudience(c.kind, before, n),
    data: { conversationId: c.id, state: n.state, queue: n.queue, followerId: n.followerId, version: result.version },
  });
  fx.emit({ workspaceId: c.workspace_id, name: "counts.changed", audience: { kind: "workspace" }, data: {} });
  return result;
}

export async function notify(tx: Tx, fx: Effects, workspaceId: string, note: Notification, at: Date, data: Record<string, unknown>): Promise<void> {
  const id = newId(at.getTime());
  await tx
    .insertInto("notifications")
    .values({ id, workspace_id: workspaceId, member_id: note.memberId, kind: note.kind, text: note.text, data: JSON.stringify(data), created_at: at, read_at: null })
    .execute();
  fx.emit({ workspaceId, name: "notification", audience: { kind: "members", memberIds: [note.memberId] }, data: { id, kind: note.kind, text: note.text, ...data } });
}
