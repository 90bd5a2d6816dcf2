/**
 * OMO binding (PROF-44..PROF-46): on OMO teams, a LINE or WhatsApp customer
 * can be bound to a sales member (by the store integration); the panel shows
 * the member, their branch and the binding time; 管理員, 主管, 銷售經理 and
 * 銷售人員 may unbind, which is recorded in the state log.
 */
import { z } from "zod";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { AppContext } from "../../context.js";
import { actorOf, memberActorOf } from "../http.js";
import { can } from "../../domain/roles.js";
import { refuse, TEXT } from "../../domain/errors.js";
import { LOG_TEXT } from "../../domain/status-log.js";
import { AppError } from "../../usecases/errors.js";
import { writeLog, lockConversation, toFacts } from "../../store/conversations.js";

const OMO_PLATFORMS = ["line", "whatsapp"]; // PROF-44

export const omoRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  const isOmo = async (workspaceId: string) => {
    const ws = await ctx.db.selectFrom("workspaces").select("settings").where("id", "=", workspaceId).executeTakeFirstOrThrow();
    return Boolean((ws.settings as Record<string, unknown>).omo);
  };
  const identity = async (workspaceId: string, id: string) => {
    const i = await ctx.db
      .selectFrom("contact_identities as i")
      .innerJoin("channels as ch", "ch.id", "i.channel_id")
      .select(["i.id", "i.omo_binding", "ch.platform", "i.contact_id"])
      .where("i.id", "=", id)
      .where("i.workspace_id", "=", workspaceId)
      .executeTakeFirst();
    if (!i) throw AppError.notFound("渠道身分");
    return i;
  };

  app.put(
    "/api/integrations/omo-bindings/:identityId",
    { schema: { tags: ["integrations"], params: z.object({ identityId: z.uuid() }), body: z.object({ memberId: z.uuid() }) } },
    async (req) => {
      const a = actorOf(req);
      const i = await identity(a.workspaceId, req.params.identityId);
      if (!can(a.role, "manage_workspace")) throw AppError.fromDomain(refuse("forbidden", TEXT.forbiddenAction));
      if (!(await isOmo(a.workspaceId))) throw new AppError("forbidden", "此功能僅適用於 OMO 方案", { messageEn: "OMO plan only" });
      if (!OMO_PLATFORMS.includes(i.platform)) throw new AppError("validation", "OMO 綁定僅適用於 LINE 與 WhatsApp", { messageEn: "OMO binding exists for LINE and WhatsApp only" });
      const m = await ctx.db.selectFrom("members").select(["id", "branch_id"]).where("id", "=", req.body.memberId).where("workspace_id", "=", a.workspaceId).executeTakeFirst();
      if (!m) throw AppError.notFound("成員");
      const binding = { memberId: m.id, branchId: m.branch_id, boundAt: ctx.clock.now().toISOString() };
      await ctx.db.updateTable("contact_identities").set({ omo_binding: JSON.stringify(binding) }).where("id", "=", i.id).execute();
      return binding;
    },
  );

  app.get("/api/identities/:identityId/omo-binding", { schema: { tags: ["contacts"], params: z.object({ identityId: z.uuid() }) } }, async (req) => {
    const a = memberActorOf(req);
    const i = await identity(a.workspaceId, req.params.identityId);
    // PROF-44: shown only on OMO teams and only for LINE and WhatsApp.
    if (!(await isOmo(a.workspaceId)) || !OMO_PLATFORMS.includes(i.platform)) return { shown: false, binding: null };
    const b = i.omo_binding as { memberId: string; branchId: string | null; boundAt: string } | null;
    if (!b) return { shown: true, binding: null, canUnbind: can(a.role, "unbind_omo") };
    const m = await ctx.db.selectFrom("members as m").leftJoin("branches as b", "b.id", "m.branch_id").select(["m.display_name", "b.name as branch"]).where("m.id", "=", b.memberId).executeTakeFirst();
    return { shown: true, binding: { member: { id: b.memberId, name: m?.display_name ?? "" }, branch: m?.branch ?? null, boundAt: b.boundAt }, canUnbind: can(a.role, "unbind_omo") };
  });

  app.delete("/api/identities/:identityId/omo-binding", { schema: { tags: ["contacts"], params: z.object({ identityId: z.uuid() }) } }, async (req) => {
    const a = memberActorOf(req);
    const i = await identity(a.workspaceId, req.params.identityId);
    if (!can(a.role, "unbind_omo")) throw AppError.fromDomain(refuse("forbidden", TEXT.forbiddenAction)); // PROF-45
    if (!i.omo_binding) throw AppError.notFound("OMO 綁定");
    await ctx.db.transaction().execute(async (tx) => {
      await tx.updateTable("contact_identities").set({ omo_binding: null }).where("id", "=", i.id).execute();
      const conv = await tx.selectFrom("conversations").select("id").where("identity_id", "=", i.id).executeTakeFirst();
      if (conv) {
        const c = await lockConversation(tx, a.workspaceId, conv.id);
        await writeLog(tx, c, toFacts(c), [{ kind: "omo_unbound", actorId: a.memberId, text: LOG_TEXT.omoUnbound(a.name), data: {} }], ctx.clock.now());
      }
    });
    return { ok: true };
  });
};
