/**
 * Batch actions (VIEW-38..VIEW-57): the whole selection is checked first
 * (transfer limit of 20, no collaborative or group conversation in a batch
 * transfer), then every conversation runs in its own transaction so one
 * failure does not undo the others; each gets success or its reason.
 */
import type { AppContext } from "../context.js";
import { inTransaction } from "../context.js";
import { BATCH_BY_VIEW, batchAllowedForRole, batchSummary, checkBatchTransfer, MAX_BATCH_TRANSFER, type BatchAction } from "../domain/batch.js";
import { viewOf } from "../domain/conversation.js";
import { refuse, TEXT } from "../domain/errors.js";
import { NOTIFY_TEXT } from "../domain/status-log.js";
import { ROLE_NAMES } from "../domain/roles.js";
import { lockConversations, toFacts, notify } from "../store/conversations.js";
import { performActionInTx } from "./perform-action.js";
import { deleteConversationInTx } from "./delete-conversation.js";
import { AppError } from "./errors.js";
import type { Actor } from "./actor.js";

export interface BatchResultItem {
  id: string;
  ok: boolean;
  error?: { code: string; message: string };
}

export interface BatchResult {
  action: BatchAction;
  succeeded: number;
  failed: number;
  summary: string;
  results: BatchResultItem[];
}

export async function batchConversations(
  ctx: AppContext,
  actor: Actor,
  action: BatchAction,
  ids: string[],
  toMemberId?: string,
): Promise<BatchResult> {
  const unique = [...new Set(ids)];
  if (!batchAllowedForRole(actor.role, action)) throw AppError.fromDomain(refuse("forbidden", TEXT.forbiddenAction));
  if (action === "transfer") {
    if (!toMemberId) throw new AppError("validation", "請選擇移轉對象", { messageEn: "toMemberId is required for transfer" });
    if (unique.length > MAX_BATCH_TRANSFER) throw AppError.fromDomain(refuse("batch_limit", TEXT.transferLimit));
    // VIEW-49: refuse the whole batch if any conversation is collaborative or a group.
    const rows = await ctx.db.transaction().execute((tx) => lockConversations(tx, actor.workspaceId, unique));
    const err = checkBatchTransfer([...rows.values()].map(toFacts));
    if (err) throw AppError.fromDomain(err);
  }

  const results: BatchResultItem[] = [];
  for (const id of unique) {
    try {
      await inTransaction(ctx, async (tx, fx) => {
        const now = ctx.clock.now();
        const rows = await lockConversations(tx, actor.workspaceId, [id]);
        const conv = rows.get(id);
        if (!conv) throw AppError.notFound("對話");
        // VIEW-39: the action must be offered in the view the conversation is in for this member.
        if (!BATCH_BY_VIEW[viewOf(toFacts(conv), actor.memberId)].includes(action))
          throw AppError.fromDomain(refuse("state_changed", TEXT.stateChanged));
        if (action === "delete" || action === "blacklist") return deleteConversationInTx(tx, fx, now, actor, id, action);
        const req = action === "transfer" ? { type: "transfer" as const, toMemberId: toMemberId! } : { type: action };
        await performActionInTx(tx, fx, now, actor, id, req, { silent: true });
      });
      results.push({ id, ok: true });
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      results.push({ id, ok: false, error: { code: e.code, message: e.message } });
    }
  }
  const succeeded = results.filter((r) => r.ok).length;
  // VIEW-47, VIEW-50: the receiver hears the transferrer's name and the number once.
  if (action === "transfer" && succeeded > 0 && toMemberId) {
    await inTransaction(ctx, (tx, fx) =>
      notify(tx, fx, actor.workspaceId, {
        memberId: toMemberId,
        kind: "transferred_to_you",
        text: NOTIFY_TEXT.transferredToYou(actor.name, ROLE_NAMES[actor.role].zh, succeeded),
      }, ctx.clock.now(), { count: succeeded }),
    );
  }
  return { action, succeeded, failed: results.length - succeeded, summary: batchSummary(action, succeeded, results.length - succeeded), results };
}
