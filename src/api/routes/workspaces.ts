import { z } from "zod";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { AppContext } from "../../context.js";
import { createWorkspace, DEFAULT_SETTINGS } from "../../usecases/create-workspace.js";
import { actorOf } from "../http.js";
import { can } from "../../domain/roles.js";
import { refuse, TEXT } from "../../domain/errors.js";
import { AppError } from "../../usecases/errors.js";
import { newId } from "../../ids.js";

const Settings = z
  .object({
    timeZone: z.string().max(64),
    autoCloseMinutes: z.number().int().min(1).max(60 * 24 * 30).nullable(),
    autoCloseReminderMinutesBefore: z.number().int().min(1).max(60 * 24 * 30).nullable(),
    autoCloseReminderText: z.string().max(2000),
    satisfactionSurveyText: z.string().max(2000),
    omo: z.boolean(),
    pixel: z.boolean(),
    referralLinks: z.boolean(),
    collaboration: z.boolean(),
    conversationExport: z.boolean(),
    whatsappStickers: z.boolean(),
  })
  .partial()
  .strict();

export const workspaceRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  app.post(
    "/api/workspaces",
    {
      schema: {
        tags: ["workspaces"],
        security: [],
        description: "Create a workspace (tenant) with its first administrator.",
        body: z.object({
          name: z.string().min(1).max(100),
          slug: z.string().regex(/^[a-z0-9-]{2,40}$/).optional(),
          admin: z.object({ email: z.email(), password: z.string().min(8).max(200), name: z.string().min(1).max(100) }),
          settings: Settings.optional(),
        }),
      },
    },
    async (req, reply) => reply.status(201).send(await createWorkspace(ctx, req.body)),
  );

  app.get("/api/workspace", { schema: { tags: ["workspaces"] } }, async (req) => {
    const a = actorOf(req);
    const ws = await ctx.db.selectFrom("workspaces").selectAll().where("id", "=", a.workspaceId).executeTakeFirstOrThrow();
    return { id: ws.id, name: ws.name, slug: ws.slug, settings: { ...DEFAULT_SETTINGS, ...(ws.settings as object) } };
  });

  app.patch(
    "/api/workspace",
    { schema: { tags: ["workspaces"], body: z.object({ name: z.string().min(1).max(100).optional(), settings: Settings.optional() }) } },
    async (req) => {
      const a = actorOf(req);
      if (!can(a.role, "manage_workspace")) throw AppError.fromDomain(refuse("forbidden", TEXT.forbiddenAction));
      const ws = await ctx.db.selectFrom("workspaces").selectAll().where("id", "=", a.workspaceId).executeTakeFirstOrThrow();
      const settings = { ...DEFAULT_SETTINGS, ...(ws.settings as object), ...req.body.settings };
      await ctx.db.updateTable("workspaces").set({ name: req.body.name ?? ws.name, settings: JSON.stringify(settings) }).where("id", "=", a.workspaceId).execute();
      return { id: ws.id, name: req.body.name ?? ws.name, slug: ws.slug, settings };
    },
  );

  for (const table of ["regions", "branches"] as const) {
    app.get(`/api/${table}`, { schema: { tags: ["workspaces"] } }, async (req) => {
      const a = actorOf(req);
      return { items: await ctx.db.selectFrom(table).selectAll().where("workspace_id", "=", a.workspaceId).orderBy("name").execute() };
    });
    app.post(
      `/api/${table}`,
      { schema: { tags: ["workspaces"], body: z.object({ name: z.string().min(1).max(100), regionId: z.uuid().optional() }) } },
      async (req, reply) => {
        const a = actorOf(req);
        if (!can(a.role, "manage_workspace")) throw AppError.fromDomain(refuse("forbidden", TEXT.forbiddenAction));
        const id = newId();
        const dup = await ctx.db.selectFrom(table).select("id").where("workspace_id", "=", a.workspaceId).where("name", "=", req.body.name).executeTakeFirst();
        if (dup) throw new AppError("conflict", "名稱已存在", { messageEn: "Name already exists" });
        if (table === "branches") {
          if (req.body.regionId && !(await ctx.db.selectFrom("regions").select("id").where("id", "=", req.body.regionId).where("workspace_id", "=", a.workspaceId).executeTakeFirst()))
            throw AppError.notFound("區域");
          await ctx.db.insertInto("branches").values({ id, workspace_id: a.workspaceId, name: req.body.name, region_id: req.body.regionId ?? null }).execute();
        } else {
          await ctx.db.insertInto("regions").values({ id, workspace_id: a.workspaceId, name: req.body.name }).execute();
        }
        return reply.status(201).send({ id, name: req.body.name });
      },
    );
  }
};
