/**
 * Unbinding a customer from their sales member (PROF-45, PROF-46): 管理員,
 * 主管, 銷售經理 and 銷售人員 may; the customer's conversation records it in
 * its state log.
 */
import type { AppContext } from "../context.js";
import type { Actor } from "./actor.js";
import { AppError } from "./errors.js";
import { can } from "../domain/roles.js";
import { refuse, TEXT } from "../domain/errors.js";
import { LOG_TEXT } from "../domain/status-log.js";
import { omoIdentity } from "../store/omo.js";
import { lockConversation, toFacts, writeLog } from "../store/conversations.js";

export async function unbindOmoMember(ctx: AppContext, actor: Actor, identityId: string): Promise<void> {
  const i = await omoIdentity(ctx.db, actor.workspaceId, identityId);
  if (!can(actor.role, "unbind_omo")) throw AppError.fromDomain(refuse("forbidden", TEXT.forbiddenAction)); // PROF-45
  if (!i.omo_binding) throw AppError.notFound("OMO 綁定");
  await ctx.db.transaction().execute(async (tx) => {
    await tx.updateTable("contact_identities").set({ omo_binding: null }).where("id", "=", i.id).execute();
    const conv = await tx.selectFrom("conversations").select("id").where("identity_id", "=", i.id).executeTakeFirst();
    if (conv) {
      const c = await lockConversation(tx, actor.workspaceId, conv.id);
      await writeLog(tx, c, toFacts(c), [{ kind: "omo_unbound", actorId: actor.memberId, text: LOG_TEXT.omoUnbound(actor.name), data: {} }], ctx.clock.now()); // PROF-46
    }
  });
}
