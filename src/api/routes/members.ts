import { z } from "zod";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { AppContext } from "../../context.js";
import { ROLES, ROLE_NAMES } from "../../domain/roles.js";
import { createMember, updateMember, setMemberActive } from "../../usecases/manage-members.js";
import { actorOf, IdParams } from "../http.js";
import { AppError } from "../../usecases/errors.js";

const Role = z.enum(ROLES);

export const memberRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  app.get(
    "/api/members",
    { schema: { tags: ["members"], querystring: z.object({ role: Role.optional(), q: z.string().max(100).optional(), active: z.enum(["true", "false"]).optional() }) } },
    async (req) => {
      const a = actorOf(req);
      let q = ctx.db
        .selectFrom("members")
        .select(["id", "email", "display_name", "role", "region_id", "branch_id", "active", "avatar_url"])
        .where("workspace_id", "=", a.workspaceId);
      if (req.query.role) q = q.where("role", "=", req.query.role);
      if (req.query.active) q = q.where("active", "=", req.query.active === "true");
      if (req.query.q) q = q.where("display_name", "ilike", `%${req.query.q.replace(/[%_\\]/g, "\\$&")}%`);
      const rows = await q.orderBy("display_name").limit(500).execute();
      return {
        items: rows.map((m) => ({ id: m.id, email: m.email, name: m.display_name, role: m.role, roleName: ROLE_NAMES[m.role as (typeof ROLES)[number]]?.zh, regionId: m.region_id, branchId: m.branch_id, active: m.active, avatarUrl: m.avatar_url })),
      };
    },
  );

  app.post(
    "/api/members",
    {
      schema: {
        tags: ["members"],
        body: z.object({
          email: z.email(),
          name: z.string().min(1).max(100),
          role: Role,
          password: z.string().min(8).max(200).optional(),
          regionId: z.uuid().nullable().optional(),
          branchId: z.uuid().nullable().optional(),
          locale: z.enum(["zh-TW", "en"]).optional(),
        }),
      },
    },
    async (req, reply) => reply.status(201).send({ id: await createMember(ctx, actorOf(req), req.body) }),
  );

  app.patch(
    "/api/members/:id",
    {
      schema: {
        tags: ["members"],
        params: IdParams,
        body: z.object({
          name: z.string().min(1).max(100).optional(),
          role: Role.optional(),
          password: z.string().min(8).max(200).optional(),
          regionId: z.uuid().nullable().optional(),
          branchId: z.uuid().nullable().optional(),
          locale: z.enum(["zh-TW", "en"]).optional(),
        }),
      },
    },
    async (req) => {
      await updateMember(ctx, actorOf(req), req.params.id, req.body);
      return { ok: true };
    },
  );

  for (const [path, active] of [["deactivate", false], ["activate", true]] as const) {
    app.post(`/api/members/:id/${path}`, { schema: { tags: ["members"], params: IdParams } }, async (req) => {
      const r = await setMemberActive(ctx, actorOf(req), req.params.id, active);
      return { ok: true, returnedToQueue: r.returned };
    });
  }

  app.get("/api/members/:id", { schema: { tags: ["members"], params: IdParams } }, async (req) => {
    const a = actorOf(req);
    const m = await ctx.db
      .selectFrom("members")
      .select(["id", "email", "display_name", "role", "region_id", "branch_id", "active"])
      .where("id", "=", req.params.id)
      .where("workspace_id", "=", a.workspaceId)
      .executeTakeFirst();
    if (!m) throw AppError.notFound("成員");
    return { id: m.id, email: m.email, name: m.display_name, role: m.role, regionId: m.region_id, branchId: m.branch_id, active: m.active };
  });
};
