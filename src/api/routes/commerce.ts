/**
 * The store integration: carts, orders and identity binding pushed by the
 * brand's shop (administrators or a workspace integration token), and the
 * customer panel's 購物車及最近90天訂單 (PROF-27..PROF-30).
 */
import { z } from "zod";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { AppContext } from "../../context.js";
import { actorOf, memberActorOf, IdParams } from "../http.js";
import { can } from "../../domain/roles.js";
import { refuse, TEXT } from "../../domain/errors.js";
import { AppError } from "../../usecases/errors.js";
import type { Actor } from "../../usecases/actor.js";
import { bindIdentity } from "../../usecases/bind-identity.js";
import { newId } from "../../ids.js";

const Item = z.object({ name: z.string().min(1).max(200), quantity: z.number().int().min(1).max(100000), price: z.number().min(0), url: z.url().optional(), sku: z.string().max(100).optional() });
const ORDER_WINDOW_DAYS = 90; // PROF-27, PROF-30

function integrator(a: Actor) {
  if (!can(a.role, "manage_workspace")) throw AppError.fromDomain(refuse("forbidden", TEXT.forbiddenAction));
}

export const commerceRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  const contactIn = async (workspaceId: string, id: string) => {
    const c = await ctx.db.selectFrom("contacts").select(["id", "store_member_id"]).where("id", "=", id).where("workspace_id", "=", workspaceId).executeTakeFirst();
    if (!c) throw AppError.notFound("客人");
    return c;
  };

  app.post(
    "/api/integrations/bindings",
    { schema: { tags: ["integrations"], description: "Social identity binding: this platform identity belongs to the store's member (PROF-25).", body: z.object({ storeMemberId: z.string().min(1).max(200), channelId: z.uuid(), platformUserId: z.string().min(1).max(200) }) } },
    async (req) => {
      const a = actorOf(req);
      integrator(a);
      return bindIdentity(ctx, a, req.body);
    },
  );

  app.put(
    "/api/integrations/carts/:id",
    { schema: { tags: ["integrations"], description: "Replace a customer's cart (id = contact id).", params: IdParams, body: z.object({ items: z.array(Item).max(500) }) } },
    async (req) => {
      const a = actorOf(req);
      await contactIn(a.workspaceId, req.params.id);
      integrator(a);
      await ctx.db
        .insertInto("carts")
        .values({ contact_id: req.params.id, workspace_id: a.workspaceId, items: JSON.stringify(req.body.items), updated_at: ctx.clock.now() })
        .onConflict((oc) => oc.column("contact_id").doUpdateSet({ items: JSON.stringify(req.body.items), updated_at: ctx.clock.now() }))
        .execute();
      return { ok: true };
    },
  );

  app.post(
    "/api/integrations/orders",
    {
      schema: {
        tags: ["integrations"],
        description: "Create or update an order (idempotent on externalId), for a contact id or the store member id.",
        body: z
          .object({
            externalId: z.string().min(1).max(200),
            contactId: z.uuid().optional(),
            storeMemberId: z.string().min(1).max(200).optional(),
            status: z.string().max(50),
            total: z.number().min(0),
            currency: z.string().length(3),
            items: z.array(Item).max(500).default([]),
            placedAt: z.iso.datetime({ offset: true }),
          })
          .refine((b) => b.contactId || b.storeMemberId, { message: "contactId or storeMemberId is required" }),
      },
    },
    async (req, reply) => {
      const a = actorOf(req);
      integrator(a);
      const b = req.body;
      const contact = b.contactId
        ? await contactIn(a.workspaceId, b.contactId)
        : await ctx.db.selectFrom("contacts").select(["id", "store_member_id"]).where("workspace_id", "=", a.workspaceId).where("store_member_id", "=", b.storeMemberId!).executeTakeFirst();
      if (!contact) throw AppError.notFound("客人");
      const values = { contact_id: contact.id, status: b.status, total: String(b.total), currency: b.currency.toUpperCase(), items: JSON.stringify(b.items), placed_at: new Date(b.placedAt) };
      await ctx.db
        .insertInto("orders")
        .values({ id: newId(), workspace_id: a.workspaceId, external_id: b.externalId, referral_link_id: null, ...values })
        .onConflict((oc) => oc.columns(["workspace_id", "external_id"]).doUpdateSet(values))
        .execute();
      return reply.status(201).send({ ok: true, contactId: contact.id });
    },
  );

  app.get("/api/contacts/:id/commerce", { schema: { tags: ["contacts"], description: "購物車及最近90天訂單 (PROF-27..PROF-30).", params: IdParams } }, async (req) => {
    const a = memberActorOf(req);
    const c = await contactIn(a.workspaceId, req.params.id);
    const ws = await ctx.db.selectFrom("workspaces").select("settings").where("id", "=", a.workspaceId).executeTakeFirstOrThrow();
    // PROF-28, PROF-29: only with the Pixel plan and a customer known as a logged-in website member (bound identity).
    if (!(ws.settings as Record<string, unknown>).pixel) return { available: false, reason: "no_pixel_plan", cart: null, orders: [] };
    if (!c.store_member_id) return { available: false, reason: "not_bound", cart: null, orders: [] };
    const since = new Date(ctx.clock.now().getTime() - ORDER_WINDOW_DAYS * 86_400_000);
    const [cart, orders] = await Promise.all([
      ctx.db.selectFrom("carts").select(["items", "updated_at"]).where("contact_id", "=", c.id).executeTakeFirst(),
      ctx.db.selectFrom("orders").select(["external_id", "status", "total", "currency", "items", "placed_at"]).where("contact_id", "=", c.id).where("placed_at", ">=", since).orderBy("placed_at", "desc").limit(100).execute(),
    ]);
    return {
      available: true,
      cart: cart ? { items: cart.items, updatedAt: new Date(cart.updated_at).toISOString() } : null,
      orders: orders.map((o) => ({ number: o.external_id, status: o.status, total: Number(o.total), currency: o.currency, items: o.items, placedAt: new Date(o.placed_at).toISOString() })),
    };
  });
};
