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
  // ADV-1..ADV-6: quoted messages of the page, loaded in one query; a quote not in the
  // stored history is shown as unavailable (ADV-5).
  const quotedIds = [...new Set(page.map((m) => m.quoted_message_id).filter((x): x is string => x !== null))];
  const quoted = quotedIds.length
    ? new Map((await ctx.db.selectFrom("messages").select(["id", "kind", "text", "sender_kind", "direction"]).where("id", "in", quotedIds).execute()).map((m) => [m.id, m]))
    : new Map();
  return {
    items: page.map((m) => {
      const q = m.quoted_message_id ? quoted.get(m.quoted_message_id) : undefined;
      const quote = q
        ? { available: true as const, id: q.id, kind: q.kind, text: q.text, senderKind: q.sender_kind }
        : m.quoted_platform_message_id
          ? { available: false as const, text: "原訊息無法顯示" }
          : null;
      return { ...messageDto(m), quote };
    }),
    nextCursor: rows.length > limit && last ? encodeCursor({ k: new Date(last.created_at).toISOString(), id: last.id }) : null,
  };
}
