/**
 * Search (VIEW-29..VIEW-37): by customer data (name, phone, email, note,
 * message content, tag) and by member data (role, region, branch, member),
 * criteria combined with AND, across every view the searcher may see,
 * newest last message first. Collaborative conversations and group names
 * are not searched (VIEW-35).
 *
 * Message content is found in two ways, chosen by how common the term
 * turns out to be (docs/decisions/0003, docs/benchmarks.md):
 * - walking: the searcher's conversations newest first (index
 *   `conv_search_order`), probing each one's messages (`messages_conv`) in
 *   batches; a common term fills the page within the first batch, whatever
 *   the size of the workspace;
 * - by the token index: when a few thousand conversations gave less than a
 *   page, the term is rare, and its messages are taken from the GIN index on
 *   bigram/trigram tokens (`messages_search`), then their conversations.
 * Either way the text is rechecked with ILIKE, so the result is exactly the
 * substring match whatever the path.
 */
import { sql, type SelectQueryBuilder } from "kysely";
import type { AppContext } from "../context.js";
import { can } from "../domain/roles.js";
import { queryTokens } from "../store/search-tokens.js";
import { phoneDigits } from "../store/contacts.js";
import { AppError } from "./errors.js";
import type { Actor } from "./actor.js";
import { conversationDto, conversationListBase, loadCollaborators, loadTeamForAvatars, type ConversationListRow } from "./conversation-dto.js";
import { decodeCursor, encodeCursor, type Cursor } from "./cursor.js";
import type { Role } from "../domain/roles.js";

export interface SearchQuery {
  name?: string;
  phone?: string;
  email?: string;
  note?: string;
  message?: string;
  tagId?: string;
  role?: Role;
  regionId?: string;
  branchId?: string;
  memberId?: string;
  channelId?: string;
  cursor?: string;
  limit?: number;
}

// Kysely's types cannot follow a builder through a helper that adds clauses to several shapes of query.
type Q = SelectQueryBuilder<any, any, any>;

/** Conversations probed per walking batch; after these, a term still short of a page is rare. */
export const WALK_BATCHES = [100, 400, 1500] as const;
/** Without index tokens (a one-character query), walking goes on up to this many conversations per request. */
export const UNINDEXED_BUDGET = 20_000;

const like = (s: string) => `%${s.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;

interface Hit {
  id: string;
  last_message_at: Date | string;
}
const keyOf = (h: Hit): Cursor => ({ k: new Date(h.last_message_at).toISOString(), id: h.id });

export async function searchConversations(ctx: AppContext, actor: Actor, q: SearchQuery) {
  const criteria = [q.name, q.phone, q.email, q.note, q.message, q.tagId, q.role, q.regionId, q.branchId, q.memberId].filter((v) => v !== undefined && v !== "");
  if (!criteria.length) throw new AppError("validation", "請輸入搜尋條件", { messageEn: "Give at least one search criterion" });
  if (q.phone && !phoneDigits(q.phone)) throw new AppError("validation", "電話號碼需包含數字", { messageEn: "The phone criterion needs digits" });
  const limit = Math.min(Math.max(q.limit ?? 30, 1), 100);
  const after = q.cursor ? decodeCursor(q.cursor) : null;
  const text = q.message?.trim() ?? "";

  const { hits, next } = text ? await byMessage(ctx, actor, q, text, limit, after) : await byCriteria(ctx, actor, q, limit, after);

  const ids = hits.map((h) => h.id);
  const rows = ids.length
    ? ((await (conversationListBase(ctx.db, actor) as Q)
        .where(sql<boolean>`c.id = any(${sql.val(ids)}::uuid[])`)
        .orderBy("c.last_message_at", "desc")
        .orderBy("c.id", "desc")
        .execute()) as ConversationListRow[])
    : [];
  const [collab, team] = await Promise.all([loadCollaborators(ctx.db, ids), loadTeamForAvatars(ctx.db, actor.workspaceId)]);
  const now = ctx.clock.now();
  return {
    items: rows.map((r) => conversationDto(r, collab.get(r.id) ?? [], actor, now, team)),
    nextCursor: next ? encodeCursor(next) : null,
  };
}

/** The searcher's candidate conversations matching every criterion but message content, newest first. */
function candidates(ctx: AppContext, actor: Actor, q: SearchQuery, after: Cursor | null): Q {
  const me = actor.memberId;
  let query = ctx.db.selectFrom("conversations as c").select(["c.id", "c.last_message_at"]).where("c.workspace_id", "=", actor.workspaceId) as Q;
  query = query.where("c.is_collaborative", "=", false); // VIEW-35

  // VIEW-37: only what the searcher may view (VIEW-5); group conversations only for roles that use groups.
  if (!can(actor.role, "view_team")) {
    query = query.where((eb) =>
      eb.or([eb("c.state", "=", "pending"), eb.and([eb("c.state", "=", "processing"), eb("c.follower_id", "=", me)]), eb.and([eb("c.state", "=", "closed"), eb("c.last_handler_id", "=", me)])]),
    );
  }
  if (!can(actor.role, "use_groups")) query = query.where("c.kind", "=", "individual");
  if (q.channelId) query = query.where("c.channel_id", "=", q.channelId);

  if (q.name || q.email || q.note || q.phone) query = query.innerJoin("contacts as ct", "ct.id", "c.contact_id");
  if (q.name) query = query.where("ct.display_name", "ilike", like(q.name.trim()));
  if (q.email) query = query.where("ct.email", "ilike", like(q.email.trim()));
  if (q.note) query = query.where("ct.note", "ilike", like(q.note.trim()));
  if (q.phone) query = query.where("ct.phone_digits", "like", like(phoneDigits(q.phone)!));
  if (q.tagId) {
    const tagId = q.tagId;
    query = query.where((eb) => eb.exists(eb.selectFrom("contact_tags as tg").select("tg.tag_id").whereRef("tg.contact_id", "=", "c.contact_id").where("tg.tag_id", "=", tagId)));
  }
  // VIEW-36: member criteria match the follower (last follower for closed conversations).
  if (q.memberId) query = query.where("c.last_handler_id", "=", q.memberId);
  if (q.role || q.regionId || q.branchId) {
    query = query.where((eb) => {
      let sub = eb.selectFrom("members as hm").select("hm.id").where("hm.workspace_id", "=", actor.workspaceId);
      if (q.role) sub = sub.where("hm.role", "=", q.role);
      if (q.regionId) sub = sub.where("hm.region_id", "=", q.regionId);
      if (q.branchId) sub = sub.where("hm.branch_id", "=", q.branchId);
      return eb("c.last_handler_id", "in", sub);
    });
  }
  if (after) query = query.where(sql<boolean>`(c.last_message_at, c.id) < (${after.k}::timestamptz, ${after.id}::uuid)`);
  return query.orderBy("c.last_message_at", "desc").orderBy("c.id", "desc");
}

/** No message criterion: one keyset page of the candidates. */
async function byCriteria(ctx: AppContext, actor: Actor, q: SearchQuery, limit: number, after: Cursor | null) {
  const rows = (await candidates(ctx, actor, q, after).limit(limit + 1).execute()) as Hit[];
  const hits = rows.slice(0, limit);
  return { hits, next: rows.length > limit ? keyOf(hits[hits.length - 1]) : null };
}

async function byMessage(ctx: AppContext, actor: Actor, q: SearchQuery, text: string, limit: number, after: Cursor | null) {
  const pattern = like(text);
  const tokens = queryTokens(text);
  const hits: Hit[] = [];
  let cursor = after;
  const batches: number[] = tokens.length ? [...WALK_BATCHES] : unindexedBatches();
  for (const size of batches) {
    // One round trip per batch: the next `size` candidates, each flagged by whether one of its messages matches.
    const rows = (await ctx.db
      .selectFrom(candidates(ctx, actor, q, cursor).limit(size).as("b"))
      // A LATERAL probe with LIMIT 1 is run per candidate on messages_conv; an EXISTS could be planned as
      // a hashed subplan that first finds the term in every message of the workspace.
      .leftJoinLateral(
        (eb) =>
          eb
            .selectFrom("messages as m")
            .select(sql<boolean>`true`.as("hit"))
            .whereRef("m.conversation_id", "=", "b.id")
            .where("m.sender_kind", "<>", "system")
            .where("m.text", "ilike", pattern)
            .limit(1)
            .as("h"),
        (join) => join.onTrue(),
      )
      .select(["b.id", "b.last_message_at", "h.hit"])
      .orderBy("b.last_message_at", "desc")
      .orderBy("b.id", "desc")
      .execute()) as (Hit & { hit: boolean })[];
    for (const r of rows) if (r.hit) hits.push({ id: r.id, last_message_at: r.last_message_at });
    if (hits.length > limit) return page(hits, limit);
    if (rows.length < size) return { hits, next: null }; // every candidate seen
    cursor = keyOf(rows[rows.length - 1]);
  }
  if (!tokens.length) return { hits, next: cursor }; // the budget is spent: the next request walks on from here

  // Rare term: its conversations from the token index, then the candidates among them after the walked ones.
  const matched = await ctx.db
    .selectFrom("messages as m")
    .select("m.conversation_id")
    .distinct()
    .where("m.workspace_id", "=", actor.workspaceId)
    .where(sql<boolean>`m.search_tokens @> ${sql.val(tokens)}::text[]`)
    .where("m.text", "ilike", pattern)
    .where("m.sender_kind", "<>", "system")
    .execute();
  if (matched.length) {
    const rest = (await candidates(ctx, actor, q, cursor)
      .where(sql<boolean>`c.id = any(${sql.val(matched.map((m) => m.conversation_id))}::uuid[])`)
      .limit(limit + 1 - hits.length)
      .execute()) as Hit[];
    hits.push(...rest);
  }
  return hits.length > limit ? page(hits, limit) : { hits, next: null };
}

function page(hits: Hit[], limit: number) {
  const items = hits.slice(0, limit);
  return { hits: items, next: keyOf(items[items.length - 1]) };
}

function unindexedBatches(): number[] {
  const out: number[] = [...WALK_BATCHES];
  let total = out.reduce((a, b) => a + b, 0);
  while (total < UNINDEXED_BUDGET) {
    const size = Math.min(6000, UNINDEXED_BUDGET - total);
    out.push(size);
    total += size;
  }
  return out;
}
