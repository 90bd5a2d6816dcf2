import { z } from "zod";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { AppContext } from "../../context.js";
import { login, logout, createApiToken } from "../../usecases/auth.js";
import { actorOf, memberActorOf, tokenOf, SESSION_COOKIE, Ok } from "../http.js";
import { ROLE_NAMES } from "../../domain/roles.js";
import { visibleViews } from "../../domain/conversation.js";
import { PERMISSIONS } from "../../domain/roles.js";
import { AppError } from "../../usecases/errors.js";
import { can } from "../../domain/roles.js";
import { refuse, TEXT } from "../../domain/errors.js";

export const authRoutes = (ctx: AppContext, o: { secureCookies: boolean }): FastifyPluginAsyncZod => async (app) => {
  app.post(
    "/api/auth/login",
    {
      schema: {
        tags: ["auth"],
        security: [],
        body: z.object({ email: z.string().min(1).max(320), password: z.string().min(1).max(1000), workspaceId: z.uuid().optional() }),
        response: { 200: z.object({ token: z.string(), memberId: z.string(), workspaceId: z.string() }) },
      },
    },
    async (req, reply) => {
      const s = await login(ctx, req.body.email, req.body.password, req.body.workspaceId, req.ip);
      reply.setCookie(SESSION_COOKIE, s.token, { path: "/", httpOnly: true, sameSite: "lax", secure: o.secureCookies, maxAge: s.maxAgeSeconds });
      return { token: s.token, memberId: s.memberId, workspaceId: s.workspaceId };
    },
  );

  app.post("/api/auth/logout", { schema: { tags: ["auth"], response: { 200: Ok } } }, async (req, reply) => {
    const t = tokenOf(req);
    if (t) await logout(ctx, t);
    reply.clearCookie(SESSION_COOKIE, { path: "/" });
    return { ok: true as const };
  });

  app.get("/api/me", { schema: { tags: ["auth"] } }, async (req) => {
    const a = actorOf(req);
    const m = req.actor!.integration
      ? null
      : await ctx.db.selectFrom("members").select(["id", "email", "display_name", "role", "locale", "region_id", "branch_id"]).where("id", "=", a.memberId).executeTakeFirst();
    const ws = await ctx.db.selectFrom("workspaces").select(["id", "name", "slug", "settings"]).where("id", "=", a.workspaceId).executeTakeFirstOrThrow();
    return {
      member: m ? { id: m.id, email: m.email, name: m.display_name, role: m.role, roleName: ROLE_NAMES[a.role], locale: m.locale, regionId: m.region_id, branchId: m.branch_id } : null,
      integration: req.actor!.integration,
      workspace: ws,
      views: visibleViews(a.role),
      capabilities: Object.entries(PERMISSIONS).filter(([, roles]) => roles.includes(a.role)).map(([c]) => c),
    };
  });

  // VIEW-8: the channel filter (and other console choices) is remembered per member.
  // PROF-7: hiding the customer panel is a per-member display preference too.
  const Prefs = z.object({ channelId: z.uuid().nullable().optional(), locale: z.enum(["zh-TW", "en"]).optional(), profileHidden: z.boolean().optional() }).strict();
  app.get("/api/me/preferences", { schema: { tags: ["auth"] } }, async (req) => {
    const a = memberActorOf(req);
    const m = await ctx.db.selectFrom("members").select("preferences").where("id", "=", a.memberId).executeTakeFirstOrThrow();
    return m.preferences as Record<string, unknown>;
  });
  app.patch("/api/me/preferences", { schema: { tags: ["auth"], body: Prefs } }, async (req) => {
    const a = memberActorOf(req);
    if (req.body.channelId && !(await ctx.db.selectFrom("channels").select("id").where("id", "=", req.body.channelId).where("workspace_id", "=", a.workspaceId).executeTakeFirst()))
      throw AppError.notFound("渠道");
    const m = await ctx.db.selectFrom("members").select("preferences").where("id", "=", a.memberId).executeTakeFirstOrThrow();
    const next = { ...(m.preferences as Record<string, unknown>), ...req.body };
    await ctx.db.updateTable("members").set({ preferences: JSON.stringify(next), ...(req.body.locale ? { locale: req.body.locale } : {}) }).where("id", "=", a.memberId).execute();
    return next;
  });

  app.post(
    "/api/tokens",
    { schema: { tags: ["auth"], body: z.object({ name: z.string().min(1).max(100), member: z.boolean().default(false) }) } },
    async (req) => {
      const a = memberActorOf(req);
      // Workspace-wide integration tokens are an administrator's to hand out.
      if (!req.body.member && !can(a.role, "manage_workspace")) throw AppError.fromDomain(refuse("forbidden", TEXT.forbiddenAction));
      return createApiToken(ctx, a, req.body.name, req.body.member);
    },
  );
};
