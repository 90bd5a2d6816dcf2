/**
 * The customer panel's OMO block (PROF-44, PROF-45): shown only on OMO teams
 * and for LINE and WhatsApp customers; the bound member, their branch and the
 * binding time, and whether this member may unbind.
 */
import type { AppContext } from "../context.js";
import type { Actor } from "./actor.js";
import { can } from "../domain/roles.js";
import { omoBindingApplies, type OmoBinding } from "../domain/omo.js";
import { isOmoWorkspace, omoIdentity } from "../store/omo.js";

export async function getOmoBinding(ctx: AppContext, actor: Actor, identityId: string) {
  const i = await omoIdentity(ctx.db, actor.workspaceId, identityId);
  if (!omoBindingApplies(await isOmoWorkspace(ctx.db, actor.workspaceId), i.platform)) return { shown: false as const, binding: null };
  const canUnbind = can(actor.role, "unbind_omo");
  const b = i.omo_binding as OmoBinding | null;
  if (!b) return { shown: true as const, binding: null, canUnbind };
  const m = await ctx.db
    .selectFrom("members as m")
    .leftJoin("branches as b", "b.id", "m.branch_id")
    .select(["m.display_name", "b.name as branch"])
    .where("m.id", "=", b.memberId)
    .executeTakeFirst();
  return { shown: true as const, binding: { member: { id: b.memberId, name: m?.display_name ?? "" }, branch: m?.branch ?? null, boundAt: b.boundAt }, canUnbind };
}
