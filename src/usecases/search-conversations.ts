/**
 * Search (VIEW-29..VIEW-37): by customer data (name, phone, email, note,
 * message content, tag) and by member data (role, region, branch, member),
 * criteria combined with AND, across every view the searcher may see,
 * newest last message first. Collaborative conversations and group names
 * are not searched (VIEW-35). Message content uses the bigram/trigram token
 * index (docs/decisions/0003), so two-character Chinese terms hit the index.
 */
import { sql, type ExpressionBuilder, type Expression, type SqlBool } from "kysely";
import type { AppContext } from "../context.js";
import { can } from "../domain/roles.js";
import { queryTokens } from "../store/search-tokens.js";
import { phoneDigits } from "../store/contacts.js";
import { AppError } from "./errors.js";
import type { Actor } from "./actor.js";
import { conversationDto, conversationListBase, loadCollaborators, loadTeamForAvatars, type ConversationListRow } from "./conversation-dto.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
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

const like = (s: string) => `%${s.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;

export async function searchConversations(ctx: AppContext, actor: Actor, q: SearchQuery) {
  const criteria = [q.name, q.phone, q.email, q.note, q.message, q.tagId, q.role, q.regionId, q.branchId, q.memberId].filter((v) => v !== undefined && v !== "");
  if (!criteria.length) throw new AppError("validation", "請輸入搜尋條件", { messageEn: "Give at least one search criterion" });
  const limit = Math.min(Math.max(q.limit ?? 30, 1), 100);
  const me = actor.memberId;
  const seesTeam = can(actor.role, "view_team");

  let query = conversationListBase(ctx.db, actor)
    .where("c.is_collaborative", "=", false); // VIEW-35

  // VIEW-37: only what the searcher may view (VIEW-5); group conversations only for roles that use groups.
  if (!seesTeam) {
    query = query.where((eb) =>
      eb.or([eb("c.state", "=", "pending"), eb.and([eb("c.state", "=", "processing"), eb("c.follower_id", "=", me)]), eb.and([eb("c.state", "=", "closed"), eb("c.last_handler_id", "=", me)])]),
    );
  }
  if (!can(actor.role, "use_groups")) query = query.where("c.kind", "=", "individual");
  if (q.channelId) query = query.where("c.channel_id", "=", q.channelId);

  if (q.name) query = query.where("ct.display_name", "ilike", like(q.name.trim()));
  if (q.email) query = query.where("ct.email", "ilike", like(q.email.trim()));
  if (q.note) query = query.where("ct.note", "ilike", like(q.note.trim()));
  if (q.phone) {
    const digits = phoneDigits(q.phone);
    if (!digits) throw new AppError("validation", "電話號碼需包含數字", { messageEn: "The phone criterion needs digits" });
    query = query.where("ct.phone_digits", "like", like(digits));
  }
  if (q.tagId) {
    const tagId = q.tagId;
    query = query.where((eb) => eb.exists(eb.selectFrom("contact_tags as tg").select("tg.tag_id").whereRef("tg.contact_id", "=", "c.contact_id").where("tg.tag_id", "=", tagId)));
  }
  if (q.message) {
    const text = q.message.trim();
    const tokens = queryTokens(text);
    query = query.where((eb: ExpressionBuilder<any, any>): Expression<SqlBool> => {
      let sub = eb.selectFrom("messages as m").select("m.conversation_id").where("m.workspace_id", "=", actor.workspaceId).where("m.sender_kind", "<>", "system");
      if (tokens.length) sub = sub.where(sql<boolean>`m.search_tokens @> ${sql.val(tokens)}::text[]`);
      sub = sub.where("m.text", "ilike", like(text));
      return eb("c.id", "in", sub);
    });
  }
  // VIEW-36: member criteria match the follower (last follower for closed conversations).
  const handler = sql.ref("c.last_handler_id");
  if (q.memberId) query = query.where(handler, "=", q.memberId);
  if (q.role || q.regionId || q.branchId) {
    query = query.where((eb) => {
      let sub = eb.selectFrom("members as hm").select("hm.id").where("hm.workspace_id", "=", actor.workspaceId);
      if (q.role) sub = sub.where("hm.role", "=", q.role);
      if (q.regionId) sub = sub.where("hm.region_id", "=", q.regionId);
      if (q.branchId) sub = sub.where("hm.branch_id", "=", q.branchId);
      return eb("c.last_handler_id", "in", sub);
    });
  }
  if (q.cursor) {
    const cur = decodeCursor(q.cursor);
    query = query.where(sql<boolean>`(c.last_message_at, c.id) < (${cur.k}::timestamptz, ${cur.id}::uuid)`);
  }
  const rows = (await query.orderBy("c.last_message_at", "desc").orderBy("c.id", "desc").limit(limit + 1).execute()) as ConversationListRow[];
  const page = rows.slice(0, limit);
  const [collab, team] = await Promise.all([loadCollaborators(ctx.db, page.map((r) => r.id)), loadTeamForAvatars(ctx.db, actor.workspaceId)]);
  const now = ctx.clock.now();
  const last = page[page.length - 1];
  return {
    items: page.map((r) => conversationDto(r, collab.get(r.id) ?? [], actor, now, team)),
    nextCursor: rows.length > limit && last ? encodeCursor({ k: new Date(last.last_message_at).toISOString(), id: last.id }) : null,
  };
}
