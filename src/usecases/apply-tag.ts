/**
 * Tagging a customer (PROF-10..PROF-17): an unknown name creates the tag
 * team-wide (PROF-13); a tag the customer already has needs confirmation
 * and then counts again (PROF-14); every application is a record with time,
 * channel, method and actor, kept when the tag is removed (PROF-17, PROF-23).
 */
import { sql } from "kysely";
import type { AppContext } from "../context.js";
import { newId } from "../ids.js";
import { AppError } from "./errors.js";
import type { Actor } from "./actor.js";

export const REPEAT_TAG = { zh: "要再次貼上此標籤嗎?", en: "Apply this tag again?" }; // PROF-14
export type TagMethod = "manual" | "automation" | "other";

export interface ApplyTagInput {
  tagId?: string;
  name?: string;
  confirmRepeat?: boolean;
  conversationId?: string;
  method?: TagMethod;
  automation?: string;
}

export async function applyTag(ctx: AppContext, actor: Actor, contactId: string, input: ApplyTagInput) {
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (tx) => {
    const contact = await tx.selectFrom("contacts").select("id").where("id", "=", contactId).where("workspace_id", "=", actor.workspaceId).executeTakeFirst();
    if (!contact) throw AppError.notFound("客人");
    let tag = input.tagId
      ? await tx.selectFrom("tags").select(["id", "name"]).where("id", "=", input.tagId).where("workspace_id", "=", actor.workspaceId).executeTakeFirst()
      : await tx.selectFrom("tags").select(["id", "name"]).where("workspace_id", "=", actor.workspaceId).where(sql`lower(name)`, "=", (input.name ?? "").trim().toLowerCase()).executeTakeFirst();
    if (!tag && input.tagId) throw AppError.notFound("標籤");
    if (!tag) {
      const name = (input.name ?? "").trim();
      if (!name || name.length > 50) throw new AppError("validation", "標籤名稱需為 1–50 個字", { messageEn: "A tag name has 1–50 characters" });
      const id = newId(now.getTime());
      await tx.insertInto("tags").values({ id, workspace_id: actor.workspaceId, name, color: null, created_at: now }).onConflict((oc) => oc.columns(["workspace_id", "name"]).doNothing()).execute();
      tag = await tx.selectFrom("tags").select(["id", "name"]).where("workspace_id", "=", actor.workspaceId).where("name", "=", name).executeTakeFirstOrThrow();
    }
    const has = await tx.selectFrom("contact_tags").select("count").where("contact_id", "=", contactId).where("tag_id", "=", tag.id).forUpdate().executeTakeFirst();
    if (has && !input.confirmRepeat) throw new AppError("conflict", REPEAT_TAG.zh, { messageEn: REPEAT_TAG.en, needsConfirmation: true, tag: { id: tag.id, name: tag.name } });
    await tx
      .insertInto("contact_tags")
      .values({ contact_id: contactId, tag_id: tag.id, workspace_id: actor.workspaceId, count: 1, first_applied_at: now, last_applied_at: now })
      .onConflict((oc) => oc.columns(["contact_id", "tag_id"]).doUpdateSet({ count: sql`contact_tags.count + 1`, last_applied_at: now }))
      .execute();
    const conv = input.conversationId
      ? await tx.selectFrom("conversations").select(["id", "channel_id"]).where("id", "=", input.conversationId).where("workspace_id", "=", actor.workspaceId).executeTakeFirst()
      : undefined;
    const method: TagMethod = input.method ?? "manual";
    await sql`insert into tag_applications (id, workspace_id, contact_id, tag_id, conversation_id, channel_id, actor_member_id, automation, at)
              values (${newId(now.getTime())}, ${actor.workspaceId}, ${contactId}, ${tag.id}, ${conv?.id ?? null}, ${conv?.channel_id ?? null},
                      ${method === "manual" ? actor.memberId : null}, ${method === "manual" ? null : (input.automation ?? method)}, ${now})`.execute(tx);
    return { tag: { id: tag.id, name: tag.name }, count: (has?.count ?? 0) + 1 };
  });
}
