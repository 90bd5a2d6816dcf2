/**
 * A member opened a conversation: in 我的處理中 that clears their own unread
 * count (VIEW-24); in pending and team views it clears nothing (VIEW-25,
 * VIEW-26).
 */
import type { AppContext } from "../context.js";
import { inTransaction } from "../context.js";
import { onView } from "../domain/unread.js";
import { applyUnread, toFacts } from "../store/conversations.js";
import { loadVisibleConversation } from "./get-conversation.js";
import type { Actor } from "./actor.js";

export async function viewConversation(ctx: AppContext, actor: Actor, id: string): Promise<{ cleared: boolean }> {
  const { row, collaboratorIds } = await loadVisibleConversation(ctx.db, actor, id);
  const effect = onView(toFacts({ ...row, collaborator_ids: collaboratorIds }), actor.memberId);
  if (effect.kind === "none") return { cleared: false };
  await inTransaction(ctx, async (tx, fx) => {
    await applyUnread(tx, { ...row, collaborator_ids: collaboratorIds }, effect, fx);
    await tx
      .updateTable("conversation_member_state")
      .set({ last_read_at: ctx.clock.now() })
      .where("conversation_id", "=", row.id)
      .where("member_id", "=", actor.memberId)
      .execute();
  });
  return { cleared: true };
}
