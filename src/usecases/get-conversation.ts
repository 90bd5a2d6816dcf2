/** One conversation for a member who may see it (VIEW-5); 404 across workspaces. */
import type { AppContext } from "../context.js";
import type { Db } from "../store/db.js";
import { canView } from "../domain/conversation.js";
import { refuse, TEXT } from "../domain/errors.js";
import { toFacts } from "../store/conversations.js";
import { AppError } from "./errors.js";
import type { Actor } from "./actor.js";
import { conversationListBase, conversationDto, loadCollaborators, loadTeamForAvatars, type ConversationListRow } from "./conversation-dto.js";

export async function loadVisibleConversation(db: Db, actor: Actor, id: string): Promise<{ row: ConversationListRow; collaboratorIds: string[] }> {
  const row = (await conversationListBase(db, actor).where("c.id", "=", id).executeTakeFirst()) as ConversationListRow | undefined;
  if (!row) throw AppError.notFound("對話");
  const collaboratorIds = (await loadCollaborators(db, [id])).get(id) ?? [];
  const me = { id: actor.memberId, name: actor.name, role: actor.role, active: true };
  if (!canView(toFacts({ ...row, collaborator_ids: collaboratorIds }), me)) throw AppError.fromDomain(refuse("not_visible", TEXT.noPermissionView));
  return { row, collaboratorIds };
}

export async function getConversation(ctx: AppContext, actor: Actor, id: string) {
  const { row, collaboratorIds } = await loadVisibleConversation(ctx.db, actor, id);
  return conversationDto(row, collaboratorIds, actor, ctx.clock.now(), await loadTeamForAvatars(ctx.db, actor.workspaceId));
}
