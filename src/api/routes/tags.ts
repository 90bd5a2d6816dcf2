/** Tags: the team's list, applying and removing them on a customer, frequency, and exports (PROF-10..PROF-24). */
import { z } from "zod";
import { sql } from "kysely";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { AppContext } from "../../context.js";
import { memberActorOf, IdParams } from "../http.js";
import { AppError } from "../../usecases/errors.js";
import { applyTag } from "../../usecases/apply-tag.js";
import { exportTags } from "../../usecases/export-tags.js";
import { newId } from "../../ids.js";

const like = (s: string) => `%${s.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;

export const tagRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  app.get("/api/tags", { schema: { tags: ["tags"], querystring: z.object({ q: z.string().max(50).optional() }) } }, async (req) => {
    const a = memberActorOf(req);
    let q = ctx.db.selectFrom("tags").select(["id", "name", "color"]).where("workspace_id", "=", a.workspaceId);
    if (req.query.q) q = q.where("name", "ilike", like(req.query.q));
    return { items: await q.orderBy("name").limit(200).execute() };
  });

  app.post("/api/tags", { schema: { tags: ["tags"], body: z.object({ name: z.string().trim().min(1).max(50), color: z.string().max(20).optional() }) } }, async (req, reply) => {
    const a = memberActorOf(req);
    const dup = await ctx.db.selectFrom("tags").select(["id"]).where("workspace_id", "=", a.workspaceId).where(sql`lower(name)`, "=", req.body.name.toLowerCase()).executeTakeFirst();
    if (dup) throw new AppError("conflict", "標籤已存在", { messageEn: "The tag exists", tagId: dup.id });
    const id = newId();
    await ctx.db.insertInto("tags").values({ id, workspace_id: a.workspaceId, name: req.body.name, color: req.body.color ?? null, created_at: ctx.clock.now() }).execute();
    return reply.status(201).send({ id, name: req.body.name });
  });

  app.post(
    "/api/contacts/:id/tags",
    {
      schema: {
        tags: ["tags"],
        description: "Apply a tag by id, or by name (created team-wide when new, PROF-13). A tag the customer has answers 409 with needsConfirmation until confirmRepeat is true (PROF-14).",
        params: IdParams,
        body: z
          .object({ tagId: z.uuid().optional(), name: z.string().trim().min(1).max(50).optional(), confirmRepeat: z.boolean().default(false), conversationId: z.uuid().optional() })
          .refine((b) => b.tagId || b.name, { message: "tagId or name is required" }),
      },
    },
    async (req) => applyTag(ctx, memberActorOf(req), req.params.id, req.body),
  );

  app.delete("/api/contacts/:id/tags/:tagId", { schema: { tags: ["tags"], params: z.object({ id: z.uuid(), tagId: z.uuid() }) } }, async (req) => {
    const a = memberActorOf(req);
    // PROF-17: the tag leaves the customer; its tagging records stay for frequency and exports.
    const r = await ctx.db.deleteFrom("contact_tags").where("contact_id", "=", req.params.id).where("tag_id", "=", req.params.tagId).where("workspace_id", "=", a.workspaceId).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw AppError.notFound("標籤");
    return { ok: true };
  });

  app.get(
    "/api/contacts/:id/tag-frequency",
    { schema: { tags: ["tags"], description: "標籤頻次: how many times each tag was applied to the customer, optionally within a time range (PROF-16, PROF-17).", params: IdParams, querystring: z.object({ from: z.iso.datetime({ offset: true }).optional(), to: z.iso.datetime({ offset: true }).optional() }) } },
    async (req) => {
      const a = memberActorOf(req);
      if (!(await ctx.db.selectFrom("contacts").select("id").where("id", "=", req.params.id).where("workspace_id", "=", a.workspaceId).executeTakeFirst())) throw AppError.notFound("客人");
      let q = ctx.db
        .selectFrom("tag_applications as ta")
        .innerJoin("tags as t", "t.id", "ta.tag_id")
        .select(["t.id", "t.name", (eb) => eb.fn.countAll<string>().as("n"), (eb) => eb.fn.max("ta.at").as("last")])
        .where("ta.contact_id", "=", req.params.id)
        .where("ta.workspace_id", "=", a.workspaceId);
      if (req.query.from) q = q.where("ta.at", ">=", new Date(req.query.from));
      if (req.query.to) q = q.where("ta.at", "<", new Date(req.query.to));
      const rows = await q.groupBy(["t.id", "t.name"]).orderBy("t.name").execute();
      return { items: rows.map((r) => ({ tagId: r.id, name: r.name, count: Number(r.n), lastAppliedAt: new Date(r.last as Date).toISOString() })) };
    },
  );

  app.get(
    "/api/tags/export.csv",
    {
      schema: {
        tags: ["tags"],
        description: "貼標統計數據 (statistics) or 貼標逐筆紀錄 (records) for at most 30 days (PROF-18..PROF-24).",
        querystring: z.object({ type: z.enum(["statistics", "records"]), from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) }),
      },
    },
    async (req, reply) => {
      const csv = await exportTags(ctx, memberActorOf(req), req.query.type, new Date(req.query.from), new Date(req.query.to));
      return reply.header("content-type", "text/csv; charset=utf-8").header("content-disposition", `attachment; filename="tags-${req.query.type}.csv"`).send(csv);
    },
  );
};
