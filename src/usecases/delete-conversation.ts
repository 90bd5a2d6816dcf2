/**
 * Delete a conversation and its whole history (PROF-41, PROF-42, VIEW-51),
 * or blacklist its customer: block + unsubscribe + delete (VIEW-52, VIEW-54).
 * Deleting is permanent: messages and the status log go with it (cascade),
 * and the view counters follow through the trigger.
 */
import type { Tx } from "../store/db.js";
import type { Effects } from "../context.js";
import { can } from "../domain/roles.js";
import { canView } from "../domain/conversation.js";
import { refuse, TEXT } from "../domain/errors.js";
import { lockConversation, loadMemberFacts, toFacts, conversationAudience } from "../store/conversations.js";
import { AppError } from "./errors.js";
import type { Actor } from "./actor.js";

const GROUP_NOT_BLACKLISTABLE = { zh: "群組對話無法加入黑名單", en: "Group conversations cannot be blacklisted" }; // VIEW-54 (proposed)

export async function deleteConversationInTx(
  tx: Tx,
  fx: Effects,
  now: Date,
  actor: Actor,
  conversationId: string,
  mode: "delete" | "blacklist",
): Promise<void> {
  const conv = await lockConversation(tx, actor.workspaceId, conversationId);
  const me = await loadMemberFacts(tx, actor.workspaceId, actor.memberId);
  if (!me?.active) throw new AppError("unauthorized", "帳號已停用");
  const facts = toFacts(conv);
  if (!canView(facts, me)) throw AppError.fromDomain(refuse("not_visible", TEXT.noPermissionView));
  if (!can(me.role, "delete_conversation")) throw AppError.fromDomain(refuse("forbidden", TEXT.forbiddenAction));
  if (mode === "blacklist") {
    if (conv.kind === "group" || !conv.contact_id) throw AppError.fromDomain(refuse("forbidden", GROUP_NOT_BLACKLISTABLE));
    await tx
      .updateTable("contacts")
      .set({ blocked: true, blacklisted_at: now, unsubscribed_at: now, updated_at: now })
      .where("id", "=", conv.contact_id)
      .execute();
  }
  await tx.deleteFrom("conversations").where("id", "=", conv.id).execute();
  fx.emit({
    workspaceId: conv.workspace_id,
    name: "conversation.deleted",
    audience: conversationAudience(conv.kind, facts),
    data: { conversationId: conv.id },
  });
  fx.emit({ workspaceId: conv.workspace_id, name: "counts.changed", audience: { kind: "workspace" }, data: {} });
}
