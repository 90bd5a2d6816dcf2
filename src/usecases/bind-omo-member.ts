/**
 * The store integration binds a LINE or WhatsApp customer to a sales member
 * (PROF-44): the member's branch and the time are kept with the binding.
 * Administrators and integration tokens only; OMO teams only.
 */
import type { AppContext } from "../context.js";
import type { Actor } from "./actor.js";
import { AppError } from "./errors.js";
import { can } from "../domain/roles.js";
import { refuse, TEXT } from "../domain/errors.js";
import { isOmoChannel, OMO_ERRORS, type OmoBinding } from "../domain/omo.js";
import { isOmoWorkspace, omoIdentity } from "../store/omo.js";

export async function bindOmoMember(ctx: AppContext, actor: Actor, identityId: string, memberId: string): Promise<OmoBinding> {
  const i = await omoIdentity(ctx.db, actor.workspaceId, identityId);
  if (!can(actor.role, "manage_workspace")) throw AppError.fromDomain(refuse("forbidden", TEXT.forbiddenAction));
  if (!(await isOmoWorkspace(ctx.db, actor.workspaceId))) throw new AppError("forbidden", OMO_ERRORS.notOmo.zh, { messageEn: OMO_ERRORS.notOmo.en });
  if (!isOmoChannel(i.platform)) throw new AppError("validation", OMO_ERRORS.wrongChannel.zh, { messageEn: OMO_ERRORS.wrongChannel.en });
  const m = await ctx.db.selectFrom("members").select(["id", "branch_id"]).where("id", "=", memberId).where("workspace_id", "=", actor.workspaceId).executeTakeFirst();
  if (!m) throw AppError.notFound("成員");
  const binding: OmoBinding = { memberId: m.id, branchId: m.branch_id, boundAt: ctx.clock.now().toISOString() };
  await ctx.db.updateTable("contact_identities").set({ omo_binding: JSON.stringify(binding) }).where("id", "=", i.id).execute();
  return binding;
}
