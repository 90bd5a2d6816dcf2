/**
 * Keyword auto-reply / auto-assign rules with their conversation-state
 * checklist (LIFE-15, LIFE-19, LIFE-20), and LINE community subscription
 * codes (LIFE-14 row 4). Administrators manage them; everyone may read.
 */
import { z } from "zod";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { AppContext } from "../../context.js";
import { actorOf, IdParams } from "../http.js";
import { can } from "../../domain/roles.js";
import { refuse, TEXT } from "../../domain/errors.js";
import { AppError } from "../../usecases/errors.js";
import type { Actor } from "../../usecases/actor.js";
import { newId } from "../../ids.js";

const RuleBody = z.object({
  kind: z.enum(["auto_reply", "auto_assign"]),
  name: z.string().max(100).default(""),
  keywords: z.array(z.string().trim().min(1).max(100)).min(1).max(50),
  matchMode: z.enum(["exact", "contains"]).default("exact"),
  replies: z.array(z.object({ text: z.string().min(1).max(5000) })).max(5).default([]),
  assignMemberId: z.uuid().nullable().optional(),
  /** LIFE-20: defaults to the bot queue only. */
  states: z.array(z.enum(["human", "bot", "processing"])).default(["bot"]),
  channelIds: z.array(z.uuid()).nullable().optional(),
  active: z.boolean().default(true),
  priority: z.number().int().min(-1000).max(1000).default(0),
});

/** PATCH changes only what it names: the same fields without the create defaults (zod's partial() would keep them). */
const RulePatch = z.object({
  kind: RuleBody.shape.kind.optional(),
  name: z.string().max(100).optional(),
  keywords: RuleBody.shape.keywords.optional(),
  matchMode: z.enum(["exact", "contains"]).optional(),
  replies: z.array(z.object({ text: z.string().min(1).max(5000) })).max(5).optional(),
  assignMemberId: z.uuid().nullable().optional(),
  states: z.array(z.enum(["human", "bot", "processing"])).optional(),
  channelIds: z.array(z.uuid()).nullable().optional(),
  active: z.boolean().optional(),
  priority: z.number().int().min(-1000).max(1000).optional(),
});

function admin(a: Actor) {
  if (!can(a.role, "manage_workspace")) throw AppError.fromDomain(refuse("forbidden", TEXT.forbiddenAction));
}

type RuleRow = { id: string; kind: string; name: string; keywords: string[]; match_mode: string; replies: unknown; assign_member_id: string | null; states: string[]; channel_ids: string[] | null; active: boolean; priority: number };
const dto = (r: RuleRow) => ({
  id: r.id,
  kind: r.kind,
  name: r.name,
  keywords: r.keywords,
  matchMode: r.match_mode,
  replies: typeof r.replies === "string" ? JSON.parse(r.replies) : r.replies,
  assignMemberId: r.assign_member_id,
  states: r.states,
  channelIds: r.channel_ids,
  active: r.active,
  priority: r.priority,
});

export const ruleRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  async function check(a: Actor, b: Partial<z.infer<typeof RuleBody>>) {
    if (b.kind === "auto_assign" && !b.assignMemberId) throw new AppError("validation", "關鍵字自動指派需要指定成員", { messageEn: "auto_assign rules need assignMemberId" });
    if (b.kind === "auto_reply" && b.replies && b.replies.length === 0) throw new AppError("validation", "自動回覆需要至少一則回覆訊息", { messageEn: "auto_reply rules need at least one reply" });
    if (b.assignMemberId && !(await ctx.db.selectFrom("members").select("id").where("id", "=", b.assignMemberId).where("workspace_id", "=", a.workspaceId).executeTakeFirst())) throw AppError.notFound("成員");
    for (const ch of b.channelIds ?? []) {
      if (!(await ctx.db.selectFrom("channels").select("id").where("id", "=", ch).where("workspace_id", "=", a.workspaceId).executeTakeFirst())) throw AppError.notFound("渠道");
    }
  }

  app.get("/api/keyword-rules", { schema: { tags: ["rules"] } }, async (req) => {
    const a = actorOf(req);
    const rows = await ctx.db.selectFrom("keyword_rules").selectAll().where("workspace_id", "=", a.workspaceId).orderBy("priority", "desc").orderBy("created_at").execute();
    return { items: rows.map(dto) };
  });

  app.post("/api/keyword-rules", { schema: { tags: ["rules"], body: RuleBody } }, async (req, reply) => {
    const a = actorOf(req);
    admin(a);
    await check(a, req.body);
    const b = req.body;
    const row = await ctx.db
      .insertInto("keyword_rules")
      .values({ id: newId(), workspace_id: a.workspaceId, kind: b.kind, name: b.name, keywords: b.keywords, match_mode: b.matchMode, replies: JSON.stringify(b.replies), assign_member_id: b.assignMemberId ?? null, states: b.states, channel_ids: b.channelIds ?? null, active: b.active, priority: b.priority, created_at: ctx.clock.now() })
      .returningAll()
      .executeTakeFirstOrThrow();
    return reply.status(201).send(dto(row));
  });

  app.patch("/api/keyword-rules/:id", { schema: { tags: ["rules"], params: IdParams, body: RulePatch } }, async (req) => {
    const a = actorOf(req);
    const cur = await ctx.db.selectFrom("keyword_rules").selectAll().where("id", "=", req.params.id).where("workspace_id", "=", a.workspaceId).executeTakeFirst();
    if (!cur) throw AppError.notFound("規則");
    admin(a);
    const b = req.body;
    await check(a, { kind: b.kind ?? cur.kind, assignMemberId: b.assignMemberId ?? cur.assign_member_id, replies: b.replies, channelIds: b.channelIds ?? undefined });
    const row = await ctx.db
      .updateTable("keyword_rules")
      .set({
        ...(b.kind ? { kind: b.kind } : {}),
        ...(b.name !== undefined ? { name: b.name } : {}),
        ...(b.keywords ? { keywords: b.keywords } : {}),
        ...(b.matchMode ? { match_mode: b.matchMode } : {}),
        ...(b.replies ? { replies: JSON.stringify(b.replies) } : {}),
        ...(b.assignMemberId !== undefined ? { assign_member_id: b.assignMemberId } : {}),
        ...(b.states ? { states: b.states } : {}),
        ...(b.channelIds !== undefined ? { channel_ids: b.channelIds } : {}),
        ...(b.active !== undefined ? { active: b.active } : {}),
        ...(b.priority !== undefined ? { priority: b.priority } : {}),
      })
      .where("id", "=", req.params.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return dto(row);
  });

  app.delete("/api/keyword-rules/:id", { schema: { tags: ["rules"], params: IdParams } }, async (req) => {
    const a = actorOf(req);
    // Another workspace's rule is 404 for every role, before the role rule.
    if (!(await ctx.db.selectFrom("keyword_rules").select("id").where("id", "=", req.params.id).where("workspace_id", "=", a.workspaceId).executeTakeFirst())) throw AppError.notFound("規則");
    admin(a);
    const r = await ctx.db.deleteFrom("keyword_rules").where("id", "=", req.params.id).where("workspace_id", "=", a.workspaceId).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw AppError.notFound("規則");
    return { ok: true };
  });

  app.get("/api/community-codes", { schema: { tags: ["rules"] } }, async (req) => {
    const a = actorOf(req);
    return { items: await ctx.db.selectFrom("community_codes").select(["code", "channel_id"]).where("workspace_id", "=", a.workspaceId).orderBy("code").execute() };
  });

  app.post(
    "/api/community-codes",
    { schema: { tags: ["rules"], body: z.object({ code: z.string().regex(/^\d{6}$/), channelId: z.uuid().nullable().optional() }) } },
    async (req, reply) => {
      const a = actorOf(req);
      admin(a);
      await check(a, { channelIds: req.body.channelId ? [req.body.channelId] : [] });
      await ctx.db
        .insertInto("community_codes")
        .values({ workspace_id: a.workspaceId, code: req.body.code, channel_id: req.body.channelId ?? null })
        .onConflict((oc) => oc.columns(["workspace_id", "code"]).doUpdateSet({ channel_id: req.body.channelId ?? null }))
        .execute();
      return reply.status(201).send({ code: req.body.code, channelId: req.body.channelId ?? null });
    },
  );
};
