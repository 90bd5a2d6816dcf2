/**
 * Follow, take over, transfer, close or reopen one conversation
 * (LIFE-25..LIFE-38). The row is locked for the transaction, so of two
 * members acting at once the first wins and the second is refused with the
 * state-changed message (LIFE-36).
 */
import type { AppContext, Effects } from "../context.js";
import { inTransaction } from "../context.js";
import type { Tx } from "../store/db.js";
import { decide, type Command } from "../domain/lifecycle.js";
import { refuse, TEXT } from "../domain/errors.js";
import { lockConversation, loadMemberFacts, applyOutcome, toFacts, type Conversation } from "../store/conversations.js";
import { AppError } from "./errors.js";
import { queueSurvey } from "./auto-close.js";
import type { Actor } from "./actor.js";

export type ActionRequest =
  | { type: "follow" | "take_over" | "close" | "reopen" }
  | { type: "transfer"; toMemberId: string };

export interface ActionOptions {
  /** The version the client saw; a mismatch means someone acted first. */
  expectedVersion?: number;
  /** Batch runs send one summary notification instead of one per conversation. */
  silent?: boolean;
  /** Close only: send the workspace's satisfaction survey (LIFE-39). */
  survey?: boolean;
}

/** Runs one action inside an existing transaction; returns the updated row or a refusal. */
export async function performActionInTx(
  tx: Tx,
  fx: Effects,
  now: Date,
  actor: Actor,
  conversationId: string,
  req: ActionRequest,
  opts: ActionOptions = {},
): Promise<Conversation> {
  const conv = await lockConversation(tx, actor.workspaceId, conversationId);
  const me = await loadMemberFacts(tx, actor.workspaceId, actor.memberId);
  if (!me || !me.active) throw new AppError("unauthorized", "帳號已停用", { messageEn: "This account is deactivated" });
  if (opts.expectedVersion !== undefined && opts.expectedVersion !== conv.version) throw AppError.fromDomain(refuse("state_changed", TEXT.stateChanged));

  let cmd: Command;
  if (req.type === "transfer") {
    const to = await loadMemberFacts(tx, actor.workspaceId, req.toMemberId);
    if (!to) throw AppError.notFound("成員");
    cmd = { type: "transfer", to };
  } else cmd = { type: req.type };

  const followerName = conv.follower_id
    ? (await loadMemberFacts(tx, actor.workspaceId, conv.follower_id))?.name
    : undefined;
  const decision = decide(toFacts(conv), me, cmd, { follower: followerName });
  if (!decision.ok) throw AppError.fromDomain(decision.error);
  const outcome = opts.silent ? { ...decision.outcome, notifications: [] } : decision.outcome;
  const updated = await applyOutcome(tx, fx, conv, outcome, now);
  if (req.type === "close" && opts.survey) await queueSurvey(tx, fx, updated, now);
  return updated;
}

export async function performAction(
  ctx: AppContext,
  actor: Actor,
  conversationId: string,
  req: ActionRequest,
  opts: ActionOptions = {},
): Promise<Conversation> {
  return inTransaction(ctx, (tx, fx) => performActionInTx(tx, fx, ctx.clock.now(), actor, conversationId, req, opts));
}
