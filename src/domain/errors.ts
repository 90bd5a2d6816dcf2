/**
 * A refusal from a domain rule: a stable code for clients and the spec's
 * user-visible text (zh-TW first, English second).
 */
export type DomainErrorCode =
  | "state_changed"
  | "forbidden"
  | "not_allowed_in_state"
  | "invalid_target"
  | "batch_limit"
  | "batch_not_transferable"
  | "not_reopenable"
  | "not_visible"
  | "member_inactive"
  | "validation"
  | "window_closed";

export interface DomainError {
  code: DomainErrorCode;
  message: string; // zh-TW, shown in the UI
  messageEn: string;
}

export const TEXT = {
  stateChanged: { zh: "此對話狀態已變更,請重新整理", en: "This conversation's state has changed; please refresh" }, // LIFE-36
  noPermissionView: { zh: "沒有權限查看此顧客對話", en: "You do not have permission to view this customer's conversation" }, // VIEW-5
  transferLimit: { zh: "移轉事件單次操作上限為20筆", en: "At most 20 conversations per transfer" }, // VIEW-46, VIEW-49
  batchNotTransferable: { zh: "協作對話、群組對話無法批量移轉", en: "Collaborative and group conversations cannot be batch-transferred" }, // VIEW-48
  collaboratorCannotClose: { zh: "協作者無法結束對話", en: "Collaborators cannot close the conversation" }, // VIEW-55
  forbiddenAction: { zh: "您沒有執行此動作的權限", en: "You are not allowed to do this" }, // proposed
  notInState: { zh: "此對話目前的狀態無法執行此動作", en: "This action is not available in the conversation's current state" }, // proposed
  invalidTarget: { zh: "無法移轉給此成員", en: "The conversation cannot be transferred to this member" }, // LIFE-37, proposed
  notReopenable: { zh: "官方帳號已離開群組,此對話無法重啟", en: "The official account left the group; this conversation cannot be reopened" }, // GROUP-24, proposed
} as const;

export function refuse(code: DomainErrorCode, text: { zh: string; en: string }): DomainError {
  return { code, message: text.zh, messageEn: text.en };
}
