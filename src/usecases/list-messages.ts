/** A conversation's messages, newest first, keyset-paginated on (created_at, id). */
import { sql } from "kysely";
import type { AppContext } from "../context.js";
import { messageDto } from "../store/messages.js";
import { loadVisibleConversation } from "./get-conversation.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import type { Actor } from "./actor.js";

export async function listMessages(ctx: AppContext, actor: Actor, conversationId: string, q: { cursor?: string; limit?: number }) {
  await loadVisibleConversation(ctx.db, actor, conversationId);
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 200);
  let query = ctx.db.selectFrom("messages").selectAll().where("conversation_id", "=", conversationId);
  if (q.cursor) {
    const cur = decodeCursor(q.cursor);
    query = query.where(sql<boolean>`(created_at, id) < (${cur.k}::timestamptz, ${cur.id}::uuid)`);
  }
  const rows = await query.orderBy("created_at", "desc").orderBy("id", "desc").limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(messageDto),
    nextCursor: rows.length > limit && last ? encodeCursor({ k: new Date(last.created_at).toISOString(), id: last.id }) : null,
  };
}
