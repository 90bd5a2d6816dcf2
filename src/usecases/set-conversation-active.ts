/**
 * The block toggle 「狀態功能:有效」 (PROF-31..PROF-33): switched off, the
 * customer's messages on this conversation's channel are discarded (not
 * stored, no state change, no unread, no automated reply) and the composer
 * is disabled; switched on, they are received again. Any member who may
 * reply may switch it; each switch is in the state log.
 */
import type { AppContext } from "../context.js";
import { inTransaction } from "../context.js";
import { canView } from "../domain/conversation.js";
import { refuse, TEXT } from "../domain/errors.js";
import { LOG_TEXT } from "../domain/status-log.js";
import { lockConversation, loadMemberFacts, toFacts, writeLog, conversationAudience } from "../store/conversations.js";
import { AppError } from "./errors.js";
import type { Actor } from "./actor.js";

export async function setConversationActive(ctx: AppContext, actor: Actor, conversationId: string, active: boolean) {
  return inTransaction(ctx, async (tx, fx) => {
    const now = ctx.clock.now();
    const conv = await lockConversation(tx, actor.workspaceId, conversationId);
    const me = await loadMemberFacts(tx, actor.workspaceId, actor.memberId);
    if (!me?.active || !canView(toFacts(conv), me)) throw AppError.fromDomain(refuse("not_visible", TEXT.noPermissionView));
    if (conv.kind === "group") throw new AppError("validation", "群組對話無法封鎖", { messageEn: "Group conversations cannot be blocked" });
    if (conv.active === active) return { active, changed: false };
    await tx.updateTable("conversations").set({ active, updated_at: now, version: conv.version + 1 }).where("id", "=", conv.id).execute();
    await writeLog(tx, conv, toFacts(conv), [{ kind: active ? "unblocked" : "blocked", actorId: me.id, text: (active ? LOG_TEXT.unblocked : LOG_TEXT.blocked)(me.name), data: {} }], now);
    fx.emit({ workspaceId: conv.workspace_id, name: "conversation.updated", audience: conversationAudience(conv.kind, toFacts(conv)), data: { conversationId: conv.id, active } });
    return { active, changed: true };
  });
}
