/**
 * Customer profile basics and tags (the rest of spec/customer-profile.md
 * grows here): read and edit name/email/phone/note, list and create tags,
 * apply and remove them with every application recorded (PROF-10..PROF-17).
 */
import { z } from "zod";
import { sql } from "kysely";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { AppContext } from "../../context.js";
import { memberActorOf, IdParams } from "../http.js";
import { AppError } from "../../usecases/errors.js";
import { phoneDigits } from "../../store/contacts.js";
import { newId } from "../../ids.js";
import { can } from "../../domain/roles.js";
import { refuse, TEXT } from "../../domain/errors.js";

const REPEAT_TAG = { zh: "要再次貼上此標籤嗎?", en: "Apply this tag again?" }; // PROF-14

export const contactRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  const load = async (workspaceId: string, id: string) => {
    const c = await ctx.db.selectFrom("contacts").selectAll().where("id", "=", id).where("workspace_id", "=", workspaceId).executeTakeFirst();
    if (!c) throw AppError.notFound("客人");
    return c;
  };
  const tagsOf = (contactId: string) =>
    ctx.db
      .selectFrom("contact_tags as ct")
      .innerJoin("tags as t", "t.id", "ct.tag_id")
      .select(["t.id", "t.name", "t.color", "ct.count", "ct.last_applied_at"])
      .where("ct.contact_id", "=", contactId)
      .orderBy("t.name")
      .execute();

  app.get("/api/contacts/:id", { schema: { tags: ["contacts"], params: IdParams } }, async (req) => {
    const a = memberActorOf(req);
    const c = await load(a.workspaceId, req.params.id);
    const identities = await ctx.db
      .selectFrom("contact_identities as i")
      .innerJoin("channels as ch", "ch.id", "i.channel_id")
      .leftJoin("conversations as cv", "cv.identity_id", "i.id")
      .select(["i.id", "i.platform_user_id", "i.display_name", "ch.id as channel_id", "ch.platform", "ch.name as channel_name", "cv.id as conversation_id"])
      .where("i.contact_id", "=", c.id)
      .execute();
    return {
      id: c.id,
      name: c.display_name,
      email: c.email,
      phone: c.phone,
      note: c.note,
      avatarUrl: c.avatar_url,
      blocked: c.blocked,
      online: c.online,
      lastPageUrl: c.last_page_url,
      identities: identities.map((i) => ({ id: i.id, platformUserId: i.platform_user_id, displayName: i.display_name, channel: { id: i.channel_id, platform: i.platform, name: i.channel_name }, conversationId: i.conversation_id })),
      tags: (await tagsOf(c.id)).map((t) => ({ id: t.id, name: t.name, color: t.color, count: t.count })),
    };
  });

  app.patch(
    "/api/contacts/:id",
    {
      schema: {
        tags: ["contacts"],
        params: IdParams,
        // PROF-6: a valid email; a phone of digits, spaces, "-" and a leading "+"; name ≤ 100; note ≤ 1,000.
        body: z.object({
          name: z.string().trim().min(1).max(100).optional(),
          email: z.email().max(320).nullable().optional(),
          phone: z.string().trim().max(40).regex(/^\+?[\d\s-]+$/, "電話只能包含數字、空格、「-」與開頭的「+」").nullable().optional(),
          note: z.string().max(1000).nullable().optional(),
        }),
      },
    },
    async (req) => {
      const a = memberActorOf(req);
      await load(a.workspaceId, req.params.id);
      const b = req.body;
      if (b.phone !== undefined) {
        // PROF-3: a WhatsApp customer's phone comes from the platform and cannot be edited.
        const wa = await ctx.db
          .selectFrom("contact_identities as i")
          .innerJoin("channels as ch", "ch.id", "i.channel_id")
          .select("i.id")
          .where("i.contact_id", "=", req.params.id)
          .where("ch.platform", "=", "whatsapp")
          .executeTakeFirst();
        if (wa) throw new AppError("validation", "WhatsApp 客人的電話由平台帶入,無法修改", { messageEn: "A WhatsApp customer's phone comes from WhatsApp and cannot be edited" });
      }
      await ctx.db
        .updateTable("contacts")
        .set({
          ...(b.name !== undefined ? { display_name: b.name } : {}),
          ...(b.email !== undefined ? { email: b.email } : {}),
          ...(b.phone !== undefined ? { phone: b.phone, phone_digits: phoneDigits(b.phone) } : {}),
          ...(b.note !== undefined ? { note: b.note } : {}),
          updated_at: ctx.clock.now(),
        })
        .where("id", "=", req.params.id)
        .execute();
      // PROF-8: every member viewing this customer sees the edit at once.
      ctx.publisher.publish([{ workspaceId: a.workspaceId, name: "contact.updated", audience: { kind: "workspace" }, data: { contactId: req.params.id } }]);
      return { ok: true };
    },
  );

  // VIEW-54: the team's blacklist, where 管理員 and 主管 can remove a customer from it.
  app.get("/api/blacklist", { schema: { tags: ["contacts"] } }, async (req) => {
    const a = memberActorOf(req);
    if (!can(a.role, "batch_delete_blacklist")) throw AppError.fromDomain(refuse("forbidden", TEXT.forbiddenAction));
    const rows = await ctx.db
      .selectFrom("contacts")
      .select(["id", "display_name", "blacklisted_at"])
      .where("workspace_id", "=", a.workspaceId)
      .where("blacklisted_at", "is not", null)
      .orderBy("blacklisted_at", "desc")
      .limit(500)
      .execute();
    return { items: rows.map((r) => ({ id: r.id, name: r.display_name, blacklistedAt: new Date(r.blacklisted_at!).toISOString() })) };
  });

  app.delete("/api/blacklist/:id", { schema: { tags: ["contacts"], params: IdParams } }, async (req) => {
    const a = memberActorOf(req);
    // Another workspace's (or an unknown) customer is 404 for every role, before the role rule.
    const listed = await ctx.db.selectFrom("contacts").select("id").where("id", "=", req.params.id).where("workspace_id", "=", a.workspaceId).where("blacklisted_at", "is not", null).executeTakeFirst();
    if (!listed) throw AppError.notFound("黑名單客人");
    if (!can(a.role, "batch_delete_blacklist")) throw AppError.fromDomain(refuse("forbidden", TEXT.forbiddenAction));
    const r = await ctx.db
      .updateTable("contacts")
      .set({ blacklisted_at: null, unsubscribed_at: null, blocked: false, updated_at: ctx.clock.now() })
      .where("id", "=", req.params.id)
      .where("workspace_id", "=", a.workspaceId)
      .where("blacklisted_at", "is not", null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw AppError.notFound("黑名單客人");
    return { ok: true };
  });

};
