/**
 * The inbox views (VIEW-1..VIEW-27): one keyset-paginated query per page,
 * each view served by the index that matches its filter and sort, with the
 * page's customers, channels, followers and the viewer's unread counts
 * joined in the same query (no N+1).
 */
import { sql, type Expression, type SqlBool, type ExpressionBuilder } from "kysely";
import type { AppContext } from "../context.js";

import { visibleViews, type ViewKey } from "../domain/conversation.js";
import { can } from "../domain/roles.js";
import { refuse, TEXT } from "../domain/errors.js";
import { AppError } from "./errors.js";
import type { Actor } from "./actor.js";
import { conversationDto, conversationListBase, loadCollaborators, loadTeamForAvatars } from "./conversation-dto.js";
import { decodeCursor, encodeCursor } from "./cursor.js";

export type SortKey = "last_message" | "follow_time" | "waiting";

export interface ListQuery {
  view: ViewKey;
  channelId?: string;
  sort?: SortKey;
  order?: "desc" | "asc";
  type?: "all" | "individual" | "group";
  followType?: "all" | "follower_only" | "collaborative";
  overdue?: boolean;
  unread?: boolean;
  cursor?: string;
  limit?: number;
}

const OVERDUE_MS = 30 * 60_000; // VIEW-15: the first badge threshold

/** VIEW-10, VIEW-13: which sorts each state offers; closed lists are always newest first. */
function effectiveSort(view: ViewKey, q: ListQuery): { key: SortKey; order: "asc" | "desc" } {
  const key = q.sort ?? "last_message";
  // Checked before the closed shortcut: closed views have no follow-time sort either.
  if (key === "follow_time" && !view.endsWith("processing"))
    throw new AppError("validation", "跟進時間排序只適用於處理中", { messageEn: "follow-time sort exists only in processing views" });
  if (view.endsWith("closed")) return { key: "last_message", order: "desc" };
  if (q.overdue) return { key: "waiting", order: "asc" }; // VIEW-15: longest waiting first
  if (key === "waiting") return { key, order: "asc" };
  return { key, order: q.order ?? "desc" };
}

const SORT_COLUMN = { last_message: "c.last_message_at", follow_time: "c.followed_at", waiting: "c.waiting_since" } as const;

/** Builds the page query (exported so the plan test can EXPLAIN exactly what the API runs). */
/**
 * `pins`: "exclude" leaves the member's pinned conversations out (they are
 * listed apart, ADV-12); "only" lists just them, with the same filters.
 */
export function buildListQuery(ctx: AppContext, actor: Actor, q: ListQuery, pins: "all" | "exclude" | "only" = "all") {
  if (!visibleViews(actor.role).includes(q.view)) throw AppError.fromDomain(refuse("forbidden", TEXT.forbiddenAction));
  const limit = Math.min(Math.max(q.limit ?? 30, 1), 100);
  const { key, order } = effectiveSort(q.view, q);
  const col = SORT_COLUMN[key];
  const now = ctx.clock.now();
  const me = actor.memberId;

  // The page's ids come from conversations alone (and the viewer's own state row), ordered and limited
  // by the view's index; the joins for display run on those ids only. Joining first let a misestimated
  // deep page join and sort every row of the view (docs/benchmarks.md).
  const isParticipant = (eb: ExpressionBuilder<any, any>): Expression<SqlBool> =>
    eb.or([
      eb("c.follower_id", "=", me),
      eb.exists(eb.selectFrom("conversation_participants as p").select("p.member_id").whereRef("p.conversation_id", "=", "c.id").where("p.member_id", "=", me)),
    ]);

  const ids = (from: "conversations" | "participations") => {
    const query: any =
      from === "participations"
        ? ctx.db.selectFrom("conversation_participants as p").innerJoin("conversations as c", "c.id", "p.conversation_id").where("p.member_id", "=", me)
        : ctx.db.selectFrom("conversations as c");
    return filtered(
      query
        .leftJoin("conversation_member_state as cms", (j: any) => j.onRef("cms.conversation_id", "=", "c.id").on("cms.member_id", "=", me))
        .select(["c.id", sql.ref(col).as("k")])
        .where("c.workspace_id", "=", actor.workspaceId),
    );
  };

  // Kysely cannot follow the builder's type through the shared filters.
  const filtered = (query: any) => {
    switch (q.view) {
      case "pending_human":
      case "pending_bot":
        query = query.where("c.state", "=", "pending").where("c.queue", "=", q.view === "pending_bot" ? "bot" : "human");
        break;
      case "my_processing":
        query = query.where("c.state", "=", "processing"); // narrowed to the member by the caller (two branches)
        break;
      case "team_processing":
        query = query.where("c.state", "=", "processing").where((eb: ExpressionBuilder<any, any>) => eb.not(isParticipant(eb)));
        break;
      case "my_closed":
        query = query.where("c.state", "=", "closed").where("c.last_handler_id", "=", me);
        break;
      case "team_closed":
        query = query.where("c.state", "=", "closed").where((eb: ExpressionBuilder<any, any>) => eb.or([eb("c.last_handler_id", "is", null), eb("c.last_handler_id", "<>", me)]));
        break;
    }
    if (pins === "exclude") query = query.where("cms.pinned_at", "is", null);
    if (pins === "only") query = query.where("cms.pinned_at", "is not", null);
    if (q.channelId) query = query.where("c.channel_id", "=", q.channelId);
    // GROUP-2: roles without group access never list group conversations.
    if (!can(actor.role, "use_groups")) query = query.where("c.kind", "=", "individual");
    // VIEW-12: the type filter narrows further (a group filter leaves such roles nothing, not their 1-to-1 list).
    const type = q.type ?? "all";
    if (type !== "all") query = query.where("c.kind", "=", type);
    if (q.followType === "collaborative") query = query.where("c.is_collaborative", "=", true);
    if (q.followType === "follower_only") query = query.where("c.is_collaborative", "=", false);
    if (key === "waiting") query = query.where("c.waiting_since", "is not", null);
    if (q.overdue) {
      if (q.view === "pending_bot") query = query.where(sql<boolean>`false`); // VIEW-20: no waiting badge in the bot queue
      query = query.where("c.waiting_since", "<=", new Date(now.getTime() - OVERDUE_MS));
    }
    if (q.unread) {
      query = q.view === "my_processing" ? query.where("cms.unread_count", ">", 0) : query.where("c.unread_count", ">", 0);
    }
    if (q.cursor) {
      const cur = decodeCursor(q.cursor);
      const cmp = order === "desc" ? "<" : ">";
      query = query.where(sql<boolean>`(${sql.ref(col)}, c.id) ${sql.raw(cmp)} (${new Date(cur.k).toISOString()}::timestamptz, ${cur.id}::uuid)`);
    }
    return query.orderBy(sql.ref(col), order).orderBy("c.id", order).limit(limit + 1);
  };

  let pageIds;
  if (q.view === "my_processing") {
    // The member's own (conv_my_proc) and their collaborations (participants_member), each in index order,
    // merged: an OR of the two would walk the whole team's processing list.
    const own = ids("conversations").where("c.follower_id", "=", me);
    const collab = ids("participations").where((eb: ExpressionBuilder<any, any>) => eb.or([eb("c.follower_id", "is", null), eb("c.follower_id", "<>", me)]));
    pageIds = ctx.db
      .selectFrom(sql<{ id: string; k: Date }>`((${own}) union all (${collab}))`.as("u"))
      .select("u.id")
      .orderBy("u.k", order)
      .orderBy("u.id", order)
      .limit(limit + 1);
  } else {
    pageIds = ids("conversations").clearSelect().select("c.id");
  }
  const page = conversationListBase(ctx.db, actor).where("c.id", "in", pageIds).orderBy(sql.ref(col), order).orderBy("c.id", order);
  return { query: page, key, order, limit, now };
}

const MAX_PINNED = 200;

export async function listConversations(ctx: AppContext, actor: Actor, q: ListQuery) {
  // ADV-11, ADV-12, ADV-16: in 我的處理中 the member's pinned conversations come first, on the
  // first page, ordered by last message in the chosen direction (new → old under other sorts).
  const withPins = q.view === "my_processing";
  const { query, key, order, limit, now } = buildListQuery(ctx, actor, q, withPins ? "exclude" : "all");
  const pinnedQuery =
    withPins && !q.cursor
      ? buildListQuery(ctx, actor, { ...q, sort: "last_message", order: q.sort === "last_message" || !q.sort ? q.order : "desc", limit: MAX_PINNED }, "only").query
      : null;
  const [rows, pinnedRows] = await Promise.all([query.execute(), pinnedQuery ? pinnedQuery.execute() : Promise.resolve([])]);
  const page = rows.slice(0, limit);
  const all = [...pinnedRows.slice(0, MAX_PINNED), ...page];
  const [collab, team] = await Promise.all([loadCollaborators(ctx.db, all.map((r) => r.id)), loadTeamForAvatars(ctx.db, actor.workspaceId)]);
  const items = all.map((r) => conversationDto(r, collab.get(r.id) ?? [], actor, now, team));
  const last = page[page.length - 1];
  const lastKey = last ? (key === "last_message" ? last.last_message_at : key === "follow_time" ? last.followed_at : last.waiting_since) : null;
  return {
    items,
    nextCursor: rows.length > limit && last && lastKey ? encodeCursor({ k: new Date(lastKey).toISOString(), id: last.id }) : null,
    sort: key,
    order,
  };
}

