/**
 * Team members (設定 > 團隊成員): create, update, deactivate, reactivate.
 * Deactivation ends the member's sessions at once and returns their 1-to-1
 * conversations to the human queue (LIFE-46).
 */
import type { AppContext } from "../context.js";
import { inTransaction } from "../context.js";
import { can, type Role } from "../domain/roles.js";
import { returnOnDeactivation } from "../domain/lifecycle.js";
import { refuse, TEXT } from "../domain/errors.js";
import { newId } from "../ids.js";
import { lockConversations, memberFacts, toFacts, applyOutcome } from "../store/conversations.js";
import { hashPassword } from "./auth.js";
import { AppError } from "./errors.js";
import type { Actor } from "./actor.js";

export interface MemberInput {
  email: string;
  name: string;
  role: Role;
  password?: string;
  regionId?: string | null;
  branchId?: string | null;
  locale?: string;
}

function requireAdmin(actor: Actor) {
  if (!can(actor.role, "manage_workspace")) throw AppError.fromDomain(refuse("forbidden", TEXT.forbiddenAction));
}

async function checkPlace(ctx: AppContext, actor: Actor, regionId?: string | null, branchId?: string | null) {
  if (regionId && !(await ctx.db.selectFrom("regions").select("id").where("id", "=", regionId).where("workspace_id", "=", actor.workspaceId).executeTakeFirst())) throw AppError.notFound("區域");
  if (branchId && !(await ctx.db.selectFrom("branches").select("id").where("id", "=", branchId).where("workspace_id", "=", actor.workspaceId).executeTakeFirst())) throw AppError.notFound("分店");
}

export async function createMember(ctx: AppContext, actor: Actor, input: MemberInput) {
  requireAdmin(actor);
  await checkPlace(ctx, actor, input.regionId, input.branchId);
  const exists = await ctx.db
    .selectFrom("members")
    .select("id")
    .where("workspace_id", "=", actor.workspaceId)
    .where(({ fn, eb }) => eb(fn("lower", ["email"]), "=", input.email.trim().toLowerCase()))
    .executeTakeFirst();
  if (exists) throw new AppError("conflict", "此電子郵件已是團隊成員", { messageEn: "A member with this email exists" });
  const id = newId();
  await ctx.db
    .insertInto("members")
    .values({
      id,
      workspace_id: actor.workspaceId,
      email: input.email.trim(),
      display_name: input.name,
      role: input.role,
      region_id: input.regionId ?? null,
      branch_id: input.branchId ?? null,
      password_hash: input.password ? await hashPassword(input.password) : null,
      locale: input.locale ?? "zh-TW",
      avatar_url: null,
      created_at: ctx.clock.now(),
      deactivated_at: null,
    })
    .execute();
  return id;
}

/** Another workspace's (or an unknown) member is 404 for every role, before the role rule. */
async function requireMemberInWorkspace(ctx: AppContext, actor: Actor, id: string) {
  const m = await ctx.db.selectFrom("members").select("id").where("id", "=", id).where("workspace_id", "=", actor.workspaceId).executeTakeFirst();
  if (!m) throw AppError.notFound("成員");
}

export async function updateMember(ctx: AppContext, actor: Actor, id: string, patch: Partial<MemberInput>) {
  const self = id === actor.memberId;
  await requireMemberInWorkspace(ctx, actor, id);
  if (!self || patch.role !== undefined || patch.regionId !== undefined || patch.branchId !== undefined) requireAdmin(actor);
  await checkPlace(ctx, actor, patch.regionId, patch.branchId);
  const res = await ctx.db
    .updateTable("members")
    .set({
      ...(patch.name !== undefined ? { display_name: patch.name } : {}),
      ...(patch.role !== undefined ? { role: patch.role } : {}),
      ...(patch.regionId !== undefined ? { region_id: patch.regionId } : {}),
      ...(patch.branchId !== undefined ? { branch_id: patch.branchId } : {}),
      ...(patch.locale !== undefined ? { locale: patch.locale } : {}),
      ...(patch.password !== undefined ? { password_hash: await hashPassword(patch.password) } : {}),
    })
    .where("id", "=", id)
    .where("workspace_id", "=", actor.workspaceId)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw AppError.notFound("成員");
  // A socket's rooms follow the role it connected with: a role change reconnects it with the new rights.
  if (patch.role !== undefined) ctx.publisher.publish([{ workspaceId: actor.workspaceId, name: "member.revoked", audience: { kind: "members", memberIds: [id] }, data: {} }]);
}

export async function setMemberActive(ctx: AppContext, actor: Actor, id: string, active: boolean) {
  await requireMemberInWorkspace(ctx, actor, id);
  requireAdmin(actor);
  if (id === actor.memberId && !active) throw new AppError("validation", "無法停用自己的帳號", { messageEn: "You cannot deactivate yourself" });
  return inTransaction(ctx, async (tx, fx) => {
    const now = ctx.clock.now();
    const m = await tx
      .updateTable("members")
      .set({ active, deactivated_at: active ? null : now })
      .where("id", "=", id)
      .where("workspace_id", "=", actor.workspaceId)
      .returning(["id", "display_name", "role", "active"])
      .executeTakeFirst();
    if (!m) throw AppError.notFound("成員");
    if (active) return { returned: 0 };
    await tx.deleteFrom("sessions").where("member_id", "=", id).execute();
    // Access ends at once: open sockets close too, in every server process.
    fx.emit({ workspaceId: actor.workspaceId, name: "member.revoked", audience: { kind: "members", memberIds: [id] }, data: {} });
    const followed = await tx.selectFrom("conversations").select("id").where("follower_id", "=", id).where("state", "=", "processing").execute();
    const locked = await lockConversations(tx, actor.workspaceId, followed.map((r) => r.id));
    let returned = 0;
    for (const conv of locked.values()) {
      const outcome = returnOnDeactivation(toFacts(conv), memberFacts({ ...m, active: false }));
      if (outcome) {
        await applyOutcome(tx, fx, conv, outcome, now);
        returned++;
      }
    }
    return { returned };
  });
}
