/**
 * Texts of the state log (事件狀態紀錄, LIFE-41) and of the system messages
 * shown inside a conversation. Collaboration wording is the source's; the
 * others are marked proposed in the spec.
 */
export type LogKind =
  | "created"
  | "routed"
  | "auto_assigned"
  | "followed"
  | "taken_over"
  | "transferred"
  | "closed"
  | "auto_closed"
  | "reopened"
  | "returned_to_queue"
  | "blocked"
  | "unblocked"
  | "exported"
  | "omo_unbound";

export interface LogEntry {
  kind: LogKind;
  actorId: string | null; // member, or null for the system/customer
  text: string;
  data: Record<string, unknown>;
}

const QUEUE_ZH = { human: "待處理-真人客服", bot: "待處理-機器人" } as const;

export const LOG_TEXT = {
  created: (queue: "human" | "bot") => `客人發起了新對話,進入${QUEUE_ZH[queue]}。`,
  routed: (queue: "human" | "bot") => `客人再次發問,對話進入${QUEUE_ZH[queue]}。`,
  movedToHuman: () => `對話移至${QUEUE_ZH.human}。`,
  autoAssigned: (member: string) => `系統依關鍵字自動指派給 ${member}。`,
  followed: (actor: string) => `${actor} 跟進了對話。`, // COLLAB-32 wording
  takenOver: (actor: string, previous: string) => `${actor} 接手跟進了 ${previous} 的對話。`, // LIFE-30
  transferred: (actor: string, to: string) => `${actor} 將對話轉給了 ${to}。`, // COLLAB-38
  closed: (actor: string) => `${actor} 結束了對話。`, // COLLAB-45
  autoClosed: () => "系統自動結束了對話。", // LIFE-41 (proposed)
  reopened: (actor: string) => `${actor} 重啟了對話。`, // COLLAB-51
  returnedDeactivated: (member: string) => `${member} 已停用,對話回到${QUEUE_ZH.human}。`, // LIFE-46 (proposed)
  blocked: (actor: string) => `${actor} 關閉了對話狀態(封鎖此客人)。`, // PROF-31, PROF-32 (proposed)
  unblocked: (actor: string) => `${actor} 開啟了對話狀態(恢復接收此客人的訊息)。`,
  omoUnbound: (actor: string) => `${actor} 解除了 OMO 綁定。`, // PROF-45 (proposed)
};

/** Real-time notifications to members (COLLAB-32, COLLAB-38, VIEW-50). */
export const NOTIFY_TEXT = {
  tookOver: (actor: string, actorRole: string, n: number) => `${actor} (${actorRole}) 已接手 ${n} 個你的對話。`,
  transferredToYou: (actor: string, actorRole: string, n: number) => `${actor} (${actorRole}) 已將 ${n} 個對話移轉給你。`,
};
