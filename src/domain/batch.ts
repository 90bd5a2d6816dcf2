/**
 * Batch actions (VIEW-38..VIEW-57): which actions each view offers, the
 * transfer limit, and the whole-batch refusal for collaborative/group.
 */
import type { ViewKey, ConversationFacts } from "./conversation.js";
import { refuse, TEXT, type DomainError } from "./errors.js";
import type { Role } from "./roles.js";
import { can } from "./roles.js";

export const BATCH_ACTIONS = ["follow", "transfer", "close", "delete", "blacklist", "reopen"] as const;
export type BatchAction = (typeof BATCH_ACTIONS)[number];

export const MAX_BATCH_TRANSFER = 20; // VIEW-46

/** VIEW-39, VIEW-40, VIEW-41. */
export const BATCH_BY_VIEW: Record<ViewKey, readonly BatchAction[]> = {
  pending_human: ["follow", "close", "delete", "blacklist"],
  pending_bot: ["follow", "close", "delete", "blacklist"],
  my_processing: ["transfer", "close", "delete", "blacklist"],
  team_processing: [],
  my_closed: ["delete", "blacklist", "reopen"],
  team_closed: ["delete", "blacklist", "reopen"],
};

/** VIEW-53: batch delete and blacklist are for 管理員 and 主管. */
export function batchAllowedForRole(role: Role, action: BatchAction): boolean {
  if (action === "delete" || action === "blacklist") return can(role, "batch_delete_blacklist");
  if (action === "transfer") return can(role, "transfer");
  return true;
}

/** VIEW-46, VIEW-48, VIEW-49: checks on the whole selection before anything runs. */
export function checkBatchTransfer(selection: readonly ConversationFacts[]): DomainError | null {
  if (selection.length > MAX_BATCH_TRANSFER) return refuse("batch_limit", TEXT.transferLimit);
  if (selection.some((c) => c.kind === "group" || c.collaboratorIds.length > 0))
    return refuse("batch_not_transferable", TEXT.batchNotTransferable);
  return null;
}

/** VIEW-50: 「成功移轉 {n} 筆,失敗 {m} 筆」; other actions use the same shape. */
export function batchSummary(action: BatchAction, ok: number, failed: number): string {
  const verb: Record<BatchAction, string> = { follow: "跟進", transfer: "移轉", close: "結束", delete: "刪除", blacklist: "加入黑名單", reopen: "重啟" };
  return `成功${verb[action]} ${ok} 筆,失敗 ${failed} 筆`;
}
