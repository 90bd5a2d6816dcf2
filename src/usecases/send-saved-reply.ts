/**
 * Sending a saved reply (SR-4, SR-9, SR-10, SR-20, SR-21): a human reply
 * like any other (stops the wait, HUMAN_AGENT on Messenger, refused where
 * the composer is disabled); its items go in their stored order, the
 * contact-name variable is substituted, file items only where the channel
 * takes them.
 */
import type { AppContext } from "../context.js";
import { inTransaction } from "../context.js";
import { checkSavedReplyChannel, visibleTo } from "../domain/saved-replies.js";
import { prepareHumanReply, storeHumanReply, CUSTOMER_NAME_VARIABLE } from "./send-message.js";
import { loadSavedReply, toSavedReplyFacts } from "./saved-reply-store.js";
import { AppError } from "./errors.js";
import type { Actor } from "./actor.js";

export async function sendSavedReply(ctx: AppContext, actor: Actor, conversationId: string, savedReplyId: string) {
  const r = await loadSavedReply(ctx.db, actor.workspaceId, savedReplyId);
  const me = await ctx.db.selectFrom("members").select(["branch_id"]).where("id", "=", actor.memberId).executeTakeFirstOrThrow();
  const facts = toSavedReplyFacts(r);
  if (!visibleTo(facts, { id: actor.memberId, role: actor.role, branchId: me.branch_id })) throw AppError.notFound("預存回覆");
  return inTransaction(ctx, async (tx, fx) => {
    const now = ctx.clock.now();
    const p = await prepareHumanReply(tx, actor, conversationId, now);
    const refusal = checkSavedReplyChannel(facts, p.platform);
    if (refusal) throw AppError.fromDomain(refusal);
    const contact = p.conv.contact_id ? await tx.selectFrom("contacts").select("display_name").where("id", "=", p.conv.contact_id).executeTakeFirst() : undefined;
    const sent = [];
    let i = 0;
    for (const item of r.items) {
      const at = new Date(now.getTime() + i++); // keeps the stored order
      if (item.kind === "text") {
        const text = item.text.split(CUSTOMER_NAME_VARIABLE).join(contact?.display_name ?? "");
        sent.push(await storeHumanReply(tx, fx, p, { kind: "text", content: { kind: "text", text, savedReplyId: r.id }, text }, at));
      } else {
        sent.push(await storeHumanReply(tx, fx, p, { kind: item.kind, content: { kind: item.kind, media: { url: item.url, fileName: item.fileName }, savedReplyId: r.id }, text: item.kind === "file" ? (item.fileName ?? "") : "" }, at));
      }
    }
    return sent;
  });
}
