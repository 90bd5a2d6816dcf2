import type { Role } from "./roles.js";
import { can } from "./roles.js";

/** LIFE-5, LIFE-6: exactly one state; pending has a queue. */
export type ConversationState = "pending" | "processing" | "closed";
export type Queue = "human" | "bot";
export type ConversationKind = "individual" | "group";

/** What the rules need to know of a conversation; the store maps rows to it. */
export interface ConversationFacts {
  state: ConversationState;
  queue: Queue | null;
  followerId: string | null;
  lastHandlerId: string | null;
  kind: ConversationKind;
  collaboratorIds: readonly string[];
  /** false once the official account left the group (GROUP-24). */
  reopenable: boolean;
}

export interface MemberFacts {
  id: string;
  name: string;
  role: Role;
  active: boolean;
}

/** The six views of VIEW-1. */
export const VIEWS = ["pending_human", "pending_bot", "my_processing", "team_processing", "my_closed", "team_closed"] as const;
export type ViewKey = (typeof VIEWS)[number];

export const VIEW_NAMES: Record<ViewKey, { zh: string; en: string }> = {
  pending_human: { zh: "待處理 - 真人客服", en: "Pending – human" },
  pending_bot: { zh: "待處理 - 機器人", en: "Pending – bot" },
  my_processing: { zh: "我的處理中", en: "My processing" },
  team_processing: { zh: "團隊處理中", en: "Team processing" },
  my_closed: { zh: "我的已結束", en: "My closed" },
  team_closed: { zh: "團隊已結束", en: "Team closed" },
};

export function isParticipant(c: ConversationFacts, memberId: string): boolean {
  return c.followerId === memberId || c.collaboratorIds.includes(memberId);
}

/** Which view a conversation sits in for a given member (VIEW-1, VIEW-6, LIFE-34). */
export function viewOf(c: ConversationFacts, memberId: string): ViewKey {
  if (c.state === "pending") return c.queue === "bot" ? "pending_bot" : "pending_human";
  if (c.state === "processing") return isParticipant(c, memberId) ? "my_processing" : "team_processing";
  return c.lastHandlerId === memberId || c.collaboratorIds.includes(memberId) ? "my_closed" : "team_closed";
}

/** Views a role may open (VIEW-4). */
export function visibleViews(role: Role): ViewKey[] {
  return VIEWS.filter((v) => !v.startsWith("team_") || can(role, "view_team"));
}

/** VIEW-5 (and GROUP-2: roles without group access never see group conversations). */
export function canView(c: ConversationFacts, m: MemberFacts): boolean {
  if (!m.active) return false;
  if (c.kind === "group" && !can(m.role, "use_groups")) return false;
  const view = viewOf(c, m.id);
  return visibleViews(m.role).includes(view);
}
