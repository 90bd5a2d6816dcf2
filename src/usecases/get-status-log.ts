/** The state log (事件狀態紀錄, LIFE-40..LIFE-42): append-only, for anyone who may view the conversation. */
import type { AppContext } from "../context.js";
import { loadVisibleConversation } from "./get-conversation.js";
import type { Actor } from "./actor.js";

export async function getStatusLog(ctx: AppContext, actor: Actor, conversationId: string) {
  await loadVisibleConversation(ctx.db, actor, conversationId);
  const rows = await ctx.db
    .selectFrom("status_log as l")
    .leftJoin("members as m", "m.id", "l.actor_member_id")
    .select(["l.id", "l.at", "l.kind", "l.text", "l.data", "l.state", "l.queue", "l.follower_id", "l.actor_member_id", "m.display_name as actor_name"])
    .where("l.conversation_id", "=", conversationId)
    .orderBy("l.at")
    .orderBy("l.id")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    at: new Date(r.at).toISOString(),
    kind: r.kind,
    text: r.text,
    actor: r.actor_member_id ? { id: r.actor_member_id, name: r.actor_name ?? "" } : null,
    data: typeof r.data === "string" ? JSON.parse(r.data) : r.data,
    state: r.state,
    queue: r.queue,
    followerId: r.follower_id,
  }));
}
