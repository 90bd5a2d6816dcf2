/**
 * The widget visitor's presence on the contact (PROF-34, 最後傳送訊息頁面 /
 * 用戶已離線): the page the customer was on when they wrote, and whether
 * the widget is open somewhere. When their last socket closes the contact
 * goes offline and, as PROF-34 says, the previous page link is not kept.
 * Each change is pushed to the members who see the conversation
 * (conversation.updated) so the panel updates in real time.
 */
import type { AppContext, Effects } from "../../context.js";
import { inTransaction } from "../../context.js";
import type { Tx } from "../../store/db.js";
import { conversationAudience, loadCollaborators, toFacts } from "../../store/conversations.js";
import { findVisitor } from "./visitor.js";
import type { VisitorClaims } from "./token.js";

export interface PageInfo {
  url: string | null;
  title: string | null;
}

async function announce(tx: Tx, fx: Effects, conversationId: string | null, contact: { id: string; online: boolean; last_page_url: string | null; last_page_title: string | null }) {
  if (!conversationId) return;
  const c = await tx
    .selectFrom("conversations")
    .select(["id", "workspace_id", "kind", "state", "queue", "follower_id", "last_handler_id", "reopenable", "version"])
    .where("id", "=", conversationId)
    .executeTakeFirst();
  if (!c) return;
  const collaborators = (await loadCollaborators(tx, [c.id])).get(c.id) ?? [];
  fx.emit({
    workspaceId: c.workspace_id,
    name: "conversation.updated",
    audience: conversationAudience(c.kind, toFacts({ ...c, collaborator_ids: collaborators })),
    data: {
      conversationId: c.id,
      state: c.state,
      queue: c.queue,
      followerId: c.follower_id,
      version: Number(c.version),
      contact: { id: contact.id, online: contact.online, lastPageUrl: contact.last_page_url, lastPageTitle: contact.last_page_title },
    },
  });
}

/**
 * The visitor is here (socket connected) or just wrote from `page`: online,
 * last seen now, and the page recorded when given. No-op before the visitor's
 * first message (no contact yet).
 */
export async function markOnline(ctx: AppContext, v: VisitorClaims, page?: PageInfo): Promise<boolean> {
  const who = await findVisitor(ctx.db, v);
  if (!who) return false;
  return inTransaction(ctx, async (tx, fx) => {
    const now = ctx.clock.now();
    const before = await tx.selectFrom("contacts").select(["online", "last_page_url", "last_page_title"]).where("id", "=", who.contactId).forUpdate().executeTakeFirst();
    if (!before) return false;
    const row = await tx
      .updateTable("contacts")
      .set({ online: true, last_seen_at: now, ...(page ? { last_page_url: page.url, last_page_title: page.title, updated_at: now } : {}) })
      .where("id", "=", who.contactId)
      .returning(["id", "online", "last_page_url", "last_page_title"])
      .executeTakeFirstOrThrow();
    const changed = !before.online || before.last_page_url !== row.last_page_url || before.last_page_title !== row.last_page_title;
    if (changed) await announce(tx, fx, who.conversationId, row);
    return true;
  });
}

/** PROF-34: the visitor closed the page (their last socket is gone): 用戶已離線, the page link is not kept. */
export async function markOffline(ctx: AppContext, v: VisitorClaims): Promise<boolean> {
  const who = await findVisitor(ctx.db, v);
  if (!who) return false;
  return inTransaction(ctx, async (tx, fx) => {
    const now = ctx.clock.now();
    const row = await tx
      .updateTable("contacts")
      .set({ online: false, last_seen_at: now, last_page_url: null, last_page_title: null, updated_at: now })
      .where("id", "=", who.contactId)
      .where("online", "=", true)
      .returning(["id", "online", "last_page_url", "last_page_title"])
      .executeTakeFirst();
    if (!row) return false;
    await announce(tx, fx, who.conversationId, row);
    return true;
  });
}
