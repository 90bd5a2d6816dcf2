/**
 * Saved replies (預存回覆): create, edit, delete with the SR-8 rights; the
 * picker's list filtered to the member's audience and searchable (SR-3,
 * SR-5..SR-7); sending one into a conversation (SR-4, SR-9, SR-10, SR-20).
 * Also the product catalogue that referral links will use.
 */
import { z } from "zod";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { AppContext } from "../../context.js";
import { memberActorOf, actorOf, IdParams } from "../http.js";
import { ROLES, can } from "../../domain/roles.js";
import { refuse, TEXT } from "../../domain/errors.js";
import { canEdit, matchesSearch, visibleTo, FILE_CHANNELS } from "../../domain/saved-replies.js";
import { fromRow, loadSavedReply, toSavedReplyFacts, type SavedReply } from "../../usecases/saved-reply-store.js";
import { sendSavedReply } from "../../usecases/send-saved-reply.js";
import { messageDto } from "../../store/messages.js";
import { AppError } from "../../usecases/errors.js";
import { newId } from "../../ids.js";

const Item = z.union([
  z.object({ kind: z.literal("text"), text: z.string().min(1).max(5000) }),
  z.object({ kind: z.enum(["image", "video", "file"]), url: z.url(), fileName: z.string().max(200).optional() }),
]);
const Audience = z.object({ kind: z.enum(["roles", "branches", "only_me"]), roles: z.array(z.enum(ROLES)).optional(), branchIds: z.array(z.uuid()).optional() });
const Body = z.object({
  title: z.string().trim().min(1).max(100),
  category: z.string().max(50).nullable().optional(),
  keywords: z.array(z.string().max(50)).max(20).default([]),
  items: z.array(Item).min(1).max(5),
  audience: Audience.default({ kind: "only_me" }),
});

const dto = (r: SavedReply, platform?: string) => ({
  ...r,
  // SR-11: file replies stay listed but cannot be picked where the channel does not take files.
  selectable: platform ? !toSavedReplyFacts(r).hasFiles || (FILE_CHANNELS as readonly string[]).includes(platform) : true,
});

export const savedReplyRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  const me = async (memberId: string) => (await ctx.db.selectFrom("members").select(["branch_id"]).where("id", "=", memberId).executeTakeFirstOrThrow()).branch_id;

  app.get(
    "/api/saved-replies",
    { schema: { tags: ["saved replies"], querystring: z.object({ q: z.string().max(100).optional(), category: z.string().max(50).optional(), conversationId: z.uuid().optional() }) } },
    async (req) => {
      const a = memberActorOf(req);
      const branchId = await me(a.memberId);
      const rows = await ctx.db.selectFrom("saved_replies").selectAll().where("workspace_id", "=", a.workspaceId).orderBy("title").limit(1000).execute();
      const platform = req.query.conversationId
        ? (await ctx.db.selectFrom("conversations as c").innerJoin("channels as ch", "ch.id", "c.channel_id").select("ch.platform").where("c.id", "=", req.query.conversationId).where("c.workspace_id", "=", a.workspaceId).executeTakeFirst())?.platform
        : undefined;
      const items = rows
        .map(fromRow)
        .filter((r) => visibleTo(toSavedReplyFacts(r), { id: a.memberId, role: a.role, branchId }))
        .filter((r) => matchesSearch(toSavedReplyFacts(r), { text: req.query.q, category: req.query.category }));
      return { items: items.map((r) => dto(r, platform)) };
    },
  );

  app.post("/api/saved-replies", { schema: { tags: ["saved replies"], body: Body } }, async (req, reply) => {
    const a = memberActorOf(req);
    const b = req.body;
    const now = ctx.clock.now();
    const id = newId(now.getTime());
    await ctx.db
      .insertInto("saved_replies")
      .values({ id, workspace_id: a.workspaceId, title: b.title, category: b.category ?? null, items: JSON.stringify(b.items), audience: JSON.stringify({ ...b.audience, keywords: b.keywords }), owner_member_id: a.memberId, created_at: now, updated_at: now })
      .execute();
    return reply.status(201).send(dto(await loadSavedReply(ctx.db, a.workspaceId, id)));
  });

  app.patch("/api/saved-replies/:id", { schema: { tags: ["saved replies"], params: IdParams, body: Body.partial() } }, async (req) => {
    const a = memberActorOf(req);
    const cur = await loadSavedReply(ctx.db, a.workspaceId, req.params.id);
    if (!canEdit(toSavedReplyFacts(cur), { id: a.memberId, role: a.role })) throw AppError.fromDomain(refuse("forbidden", TEXT.forbiddenAction)); // SR-8
    const b = req.body;
    await ctx.db
      .updateTable("saved_replies")
      .set({
        ...(b.title !== undefined ? { title: b.title } : {}),
        ...(b.category !== undefined ? { category: b.category } : {}),
        ...(b.items !== undefined ? { items: JSON.stringify(b.items) } : {}),
        ...(b.audience !== undefined || b.keywords !== undefined ? { audience: JSON.stringify({ ...(b.audience ?? cur.audience), keywords: b.keywords ?? cur.keywords }) } : {}),
        updated_at: ctx.clock.now(),
      })
      .where("id", "=", cur.id)
      .execute();
    return dto(await loadSavedReply(ctx.db, a.workspaceId, cur.id));
  });

  app.delete("/api/saved-replies/:id", { schema: { tags: ["saved replies"], params: IdParams } }, async (req) => {
    const a = memberActorOf(req);
    const cur = await loadSavedReply(ctx.db, a.workspaceId, req.params.id);
    if (!canEdit(toSavedReplyFacts(cur), { id: a.memberId, role: a.role })) throw AppError.fromDomain(refuse("forbidden", TEXT.forbiddenAction));
    await ctx.db.deleteFrom("saved_replies").where("id", "=", cur.id).execute();
    return { ok: true };
  });

  app.post(
    "/api/conversations/:id/saved-replies/:savedReplyId",
    { schema: { tags: ["saved replies"], description: "Send a saved reply into the conversation (SR-4, SR-20).", params: z.object({ id: z.uuid(), savedReplyId: z.uuid() }) } },
    async (req, reply) => {
      const sent = await sendSavedReply(ctx, memberActorOf(req), req.params.id, req.params.savedReplyId);
      return reply.status(201).send({ items: sent.map(messageDto) });
    },
  );

  // The product catalogue (products of referral links, REF): the store keeps it in sync.
  const Product = z.object({ externalId: z.string().min(1).max(200), name: z.string().min(1).max(300), url: z.url(), imageUrl: z.url().optional(), price: z.number().min(0).optional(), currency: z.string().length(3).optional() });
  app.get("/api/products", { schema: { tags: ["products"], querystring: z.object({ q: z.string().max(100).optional() }) } }, async (req) => {
    const a = actorOf(req);
    let q = ctx.db.selectFrom("products").selectAll().where("workspace_id", "=", a.workspaceId);
    if (req.query.q) q = q.where("name", "ilike", `%${req.query.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
    const rows = await q.orderBy("name").limit(500).execute();
    return { items: rows.map((p) => ({ id: p.id, externalId: p.external_id, name: p.name, url: p.url, imageUrl: p.image_url, price: p.price === null ? null : Number(p.price), currency: p.currency })) };
  });
  app.put("/api/products", { schema: { tags: ["products"], description: "Create or update products by externalId (idempotent).", body: z.object({ items: z.array(Product).min(1).max(1000) }) } }, async (req) => {
    const a = actorOf(req);
    if (!can(a.role, "manage_workspace")) throw AppError.fromDomain(refuse("forbidden", TEXT.forbiddenAction));
    const now = ctx.clock.now();
    for (const p of req.body.items) {
      const values = { name: p.name, url: p.url, image_url: p.imageUrl ?? null, price: p.price === undefined ? null : String(p.price), currency: p.currency?.toUpperCase() ?? null, updated_at: now };
      await ctx.db.insertInto("products").values({ id: newId(), workspace_id: a.workspaceId, external_id: p.externalId, ...values }).onConflict((oc) => oc.columns(["workspace_id", "external_id"]).doUpdateSet(values)).execute();
    }
    return { ok: true, count: req.body.items.length };
  });
};
