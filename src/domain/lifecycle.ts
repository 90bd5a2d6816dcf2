/**
 * The conversation lifecycle (spec/conversation-lifecycle.md §2, §4): which
 * action each member may take in each state, and what each action changes
 * and records. Pure: takes facts, returns the next facts plus the records.
 */
import { can, ROLE_NAMES } from "./roles.js";
import { refuse, TEXT, type DomainError } from "./errors.js";
import { isParticipant, viewOf, canView, type ConversationFacts, type MemberFacts } from "./conversation.js";
import { LOG_TEXT, NOTIFY_TEXT, type LogEntry } from "./status-log.js";

export const ACTIONS = ["follow", "take_over", "transfer", "close", "reopen"] as const;
export type Action = (typeof ACTIONS)[number];

export type Command =
  | { type: "follow" }
  | { type: "take_over" }
  | { type: "close" }
  | { type: "reopen" }
  | { type: "transfer"; to: MemberFacts };

export interface Notification {
  memberId: string;
  kind: "taken_over" | "transferred_to_you" | "closed";
  text: string;
}

export interface Outcome {
  next: ConversationFacts;
  log: LogEntry[];
  /** System messages posted inside the conversation (sender kind `system`). */
  systemMessages: string[];
  notifications: Notification[];
  /** True when the follower changed, so follow time restarts. */
  followerChanged: boolean;
}

export type Decision = { ok: true; outcome: Outcome } | { ok: false; error: DomainError };

/** Roles that handle the conversation's kind at all (GROUP-2). */
function handles(c: ConversationFacts, m: MemberFacts): boolean {
  return m.active && (c.kind === "individual" || can(m.role, "use_groups"));
}

/**
 * The action-per-state table (LIFE-25, LIFE-30) with the role rules
 * (LIFE-31..LIFE-33, GROUP-70..GROUP-75). The console shows exactly these
 * buttons; the server refuses everything else.
 */
export function availableActions(c: ConversationFacts, m: MemberFacts): Action[] {
  if (!handles(c, m) || !canView(c, m)) return [];
  const view = viewOf(c, m.id);
  const group = c.kind === "group";
  const out: Action[] = [];
  switch (view) {
    case "pending_human":
    case "pending_bot":
      if (can(m.role, group ? "follow_group_pending" : "follow_pending")) out.push("follow", "close");
      break;
    case "my_processing":
      if (c.followerId === m.id) {
        if (can(m.role, group ? "transfer_group" : "transfer")) out.push("transfer");
        out.push("close");
      }
      break;
    case "team_processing":
      if (can(m.role, "take_over")) out.push("take_over");
      break;
    case "my_closed":
      if (c.reopenable) out.push("reopen");
      break;
    case "team_closed":
      if (c.reopenable && can(m.role, "reopen_team_closed")) out.push("reopen");
      break;
  }
  return out;
}

function fail(c: ConversationFacts, m: MemberFacts, action: Action): DomainError {
  // A member who may see the conversation but not act on it in this state saw
  // a stale screen (LIFE-36); one who may never act gets a plain refusal.
  if (!handles(c, m)) return refuse("not_visible", TEXT.noPermissionView);
  const wouldBeValidState =
    (action === "follow" && c.state === "pending") ||
    (action === "take_over" && c.state === "processing") ||
    (action === "transfer" && c.state === "processing" && c.followerId === m.id) ||
    (action === "close" && (c.state === "pending" || (c.state === "processing" && c.followerId === m.id))) ||
    (action === "reopen" && c.state === "closed");
  if (!canView(c, m)) {
    // The conversation left the member's view because its state changed
    // meanwhile (e.g. an agent's 「跟進」 lost the race to a colleague and the
    // conversation is now in 團隊處理中, which the agent cannot see): LIFE-36.
    return wouldBeValidState ? refuse("not_visible", TEXT.noPermissionView) : refuse("state_changed", TEXT.stateChanged);
  }
  if (action === "close" && c.state === "processing" && c.collaboratorIds.includes(m.id))
    return refuse("forbidden", TEXT.collaboratorCannotClose);
  if (action === "reopen" && c.state === "closed" && !c.reopenable) return refuse("not_reopenable", TEXT.notReopenable);
  return wouldBeValidState ? refuse("forbidden", TEXT.forbiddenAction) : refuse("state_changed", TEXT.stateChanged);
}

const none = { log: [], systemMessages: [], notifications: [] };

export function decide(c: ConversationFacts, m: MemberFacts, cmd: Command, names: { follower?: string } = {}): Decision {
  const action: Action = cmd.type;
  if (!availableActions(c, m).includes(action)) return { ok: false, error: fail(c, m, action) };
  const role = ROLE_NAMES[m.role].zh;
  switch (cmd.type) {
    case "follow": // LIFE-10, LIFE-26
      return ok({
        ...none,
        next: { ...c, state: "processing", queue: null, followerId: m.id, lastHandlerId: m.id },
        log: [{ kind: "followed", actorId: m.id, text: LOG_TEXT.followed(m.name), data: { from: c.queue } }],
        systemMessages: [LOG_TEXT.followed(m.name)],
        followerChanged: true,
      });
    case "take_over": { // LIFE-28, LIFE-30
      const previous = c.followerId!;
      const prevName = names.follower ?? "";
      return ok({
        next: { ...c, followerId: m.id, lastHandlerId: m.id, collaboratorIds: c.collaboratorIds.filter((id) => id !== m.id) },
        log: [{ kind: "taken_over", actorId: m.id, text: LOG_TEXT.takenOver(m.name, prevName), data: { previousFollowerId: previous } }],
        systemMessages: [LOG_TEXT.followed(m.name)],
        notifications: [{ memberId: previous, kind: "taken_over", text: NOTIFY_TEXT.tookOver(m.name, role, 1) }],
        followerChanged: true,
      });
    }
    case "transfer": { // LIFE-27, LIFE-37
      const to = cmd.to;
      const validTarget =
        to.active &&
        to.id !== c.followerId &&
        handles(c, to) &&
        (c.collaboratorIds.length === 0 || c.collaboratorIds.includes(to.id));
      if (!validTarget) return { ok: false, error: refuse("invalid_target", TEXT.invalidTarget) };
      return ok({
        next: { ...c, followerId: to.id, lastHandlerId: to.id, collaboratorIds: c.collaboratorIds.filter((id) => id !== to.id) },
        log: [{ kind: "transferred", actorId: m.id, text: LOG_TEXT.transferred(m.name, to.name), data: { toMemberId: to.id } }],
        systemMessages: [LOG_TEXT.followed(to.name)],
        notifications: [{ memberId: to.id, kind: "transferred_to_you", text: NOTIFY_TEXT.transferredToYou(m.name, role, 1) }],
        followerChanged: true,
      });
    }
    case "close": { // LIFE-13, LIFE-29, LIFE-34
      const handler = c.state === "processing" ? c.followerId : m.id;
      return ok({
        ...none,
        next: { ...c, state: "closed", queue: null, followerId: null, lastHandlerId: handler },
        log: [{ kind: "closed", actorId: m.id, text: LOG_TEXT.closed(m.name), data: { from: c.state } }],
        followerChanged: false,
      });
    }
    case "reopen": { // LIFE-35
      return ok({
        ...none,
        next: { ...c, state: "processing", queue: null, followerId: m.id, lastHandlerId: m.id },
        log: [{ kind: "reopened", actorId: m.id, text: LOG_TEXT.reopened(m.name), data: {} }],
        followerChanged: true,
      });
    }
  }
}

function ok(outcome: Outcome): Decision {
  return { ok: true, outcome };
}

/** Auto-close by the system (LIFE-43, LIFE-45): the follower keeps it in 我的已結束. */
export function autoClose(c: ConversationFacts): Outcome | null {
  if (c.state !== "processing") return null;
  return {
    next: { ...c, state: "closed", queue: null, followerId: null, lastHandlerId: c.followerId },
    log: [{ kind: "auto_closed", actorId: null, text: LOG_TEXT.autoClosed(), data: {} }],
    systemMessages: [],
    notifications: [],
    followerChanged: false,
  };
}

/** LIFE-46: a deactivated member's 1-to-1 conversations return to the human queue. */
export function returnOnDeactivation(c: ConversationFacts, member: MemberFacts): Outcome | null {
  if (c.state !== "processing" || c.followerId !== member.id || c.collaboratorIds.length > 0) return null;
  return {
    next: { ...c, state: "pending", queue: "human", followerId: null },
    log: [{ kind: "returned_to_queue", actorId: null, text: LOG_TEXT.returnedDeactivated(member.name), data: { memberId: member.id } }],
    systemMessages: [],
    notifications: [],
    followerChanged: false,
  };
}

export { isParticipant };
