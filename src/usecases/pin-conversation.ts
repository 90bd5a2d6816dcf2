/**
 * Pinning (ADV-11..ADV-17): only in 我的處理中, per member, no limit. Pins
 * go when the conversation closes, is transferred or taken over (the member
 * state rows are removed then, see store/conversations.ts), and reopening
 * does not bring them back.
 */
import type { AppContext } from "../context.js";
import { viewOf } from "../domain/conversation.js";
import { refuse, TEXT } from "../domain/errors.js";
import { loadVisibleConversation } from "./get-conversation.js";
import { toFacts } from "../store/conversations.js";
import { AppError } from "./errors.js";
import type { Actor } from "./actor.js";

const PIN_ONLY_MINE = { zh: "只有我的處理中的對話可以釘選", en: "Only conversations in My processing can be pinned" }; // ADV-11 (proposed)

export async function setPinned(ctx: AppContext, actor: Actor, conversationId: string, pinned: boolean): Promise<{ pinned: boolean }> {
  const { row, collaboratorIds } = await loadVisibleConversation(ctx.db, actor, conversationId);
  if (viewOf(toFacts({ ...row, collaborator_ids: collaboratorIds }), actor.memberId) !== "my_processing")
    throw AppError.fromDomain(pinned ? refuse("forbidden", PIN_ONLY_MINE) : refuse("state_changed", TEXT.stateChanged));
  await ctx.db
    .insertInto("conversation_member_state")
    .values({ conversation_id: row.id, member_id: actor.memberId, workspace_id: actor.workspaceId, pinned_at: pinned ? ctx.clock.now() : null, last_read_at: null })
    .onConflict((oc) => oc.columns(["conversation_id", "member_id"]).doUpdateSet({ pinned_at: pinned ? ctx.clock.now() : null }))
    .execute();
  return { pinned };
}
