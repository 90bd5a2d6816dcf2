/**
 * Social identity binding (社群身分綁定, PROF-25): a store reports that a
 * platform identity belongs to one of its website members. All identities
 * bound to the same member become one customer: the bound identity's
 * customer is merged into the member's customer (conversations, tags and
 * tagging records move with it), so 「其他對話」 can switch between them.
 */
import { sql } from "kysely";
import type { AppContext } from "../context.js";
import { AppError } from "./errors.js";
import type { Actor } from "./actor.js";

export async function bindIdentity(ctx: AppContext, actor: Actor, input: { storeMemberId: string; channelId: string; platformUserId: string }) {
  return ctx.db.transaction().execute(async (tx) => {
    const ident = await tx
      .selectFrom("contact_identities")
      .select(["id", "contact_id"])
      .where("channel_id", "=", input.channelId)
      .where("platform_user_id", "=", input.platformUserId)
      .where("workspace_id", "=", actor.workspaceId)
      .executeTakeFirst();
    if (!ident) throw AppError.notFound("渠道身分");
    const target = await tx
      .selectFrom("contacts")
      .select("id")
      .where("workspace_id", "=", actor.workspaceId)
      .where("store_member_id", "=", input.storeMemberId)
      .orderBy("created_at")
      .executeTakeFirst();
    const now = ctx.clock.now();
    if (!target || target.id === ident.contact_id) {
      await tx.updateTable("contacts").set({ store_member_id: input.storeMemberId, updated_at: now }).where("id", "=", ident.contact_id).execute();
      return { contactId: ident.contact_id, merged: false };
    }
    const source = ident.contact_id;
    await tx.updateTable("contact_identities").set({ contact_id: target.id }).where("contact_id", "=", source).execute();
    await tx.updateTable("conversations").set({ contact_id: target.id }).where("contact_id", "=", source).execute();
    await tx.updateTable("tag_applications").set({ contact_id: target.id }).where("contact_id", "=", source).execute();
    await sql`insert into contact_tags (contact_id, tag_id, workspace_id, count, first_applied_at, last_applied_at)
              select ${target.id}, tag_id, workspace_id, count, first_applied_at, last_applied_at from contact_tags where contact_id = ${source}
              on conflict (contact_id, tag_id) do update set count = contact_tags.count + excluded.count,
                first_applied_at = least(contact_tags.first_applied_at, excluded.first_applied_at),
                last_applied_at = greatest(contact_tags.last_applied_at, excluded.last_applied_at)`.execute(tx);
    await tx.updateTable("orders").set({ contact_id: target.id }).where("contact_id", "=", source).execute();
    await tx.deleteFrom("contacts").where("id", "=", source).execute();
    return { contactId: target.id, merged: true };
  });
}
