/**
 * Inbound routing (LIFE-14..LIFE-24, LIFE-47): how a customer message moves a
 * conversation. Every inbound event is first classified into a routing row,
 * then the table decides the next state.
 */
import type { ConversationFacts, MemberFacts, Queue } from "./conversation.js";
import { LOG_TEXT, type LogEntry } from "./status-log.js";

/** Rows of the LIFE-14 table. */
export type RoutingRow =
  | "rich_menu_bot_card" // 1
  | "rich_menu_text_inbox" // 2
  | "rich_menu_text_line_console" // 3 (indistinguishable from text, LIFE-21)
  | "community_code" // 4
  | "fb_get_started" // 5
  | "fb_persistent_menu" // 6
  | "text_keyword" // 7
  | "text" // 8
  | "media" // 9 (and every other non-text kind, LIFE-23)
  | "request_human"; // bot module's "talk to a human" (LIFE-24)

/** Rows whose destination is the bot queue; the others go to the human queue (marked * in LIFE-14). */
const BOT_ROWS: ReadonlySet<RoutingRow> = new Set([
  "rich_menu_bot_card",
  "rich_menu_text_inbox",
  "community_code",
  "fb_get_started",
  "fb_persistent_menu",
  "text_keyword",
]);

export function destinationQueue(row: RoutingRow): Queue {
  return BOT_ROWS.has(row) ? "bot" : "human";
}

export interface InboundSignal {
  /** The event kind as normalized by a channel adapter. */
  kind: "text" | "postback" | "media" | "other";
  text?: string;
  /** For postbacks: what configured it (LIFE-22). */
  postback?: "rich_menu_bot_card" | "rich_menu_text_inbox" | "fb_get_started" | "fb_persistent_menu" | "request_human";
}

/**
 * LIFE-21, LIFE-22: postbacks and community codes are recognised from the
 * payload before keyword matching; text is classified by whether it triggers
 * a keyword auto-reply.
 */
export function classifyInbound(
  s: InboundSignal,
  ctx: { matchesKeywordReply: boolean; isCommunityCode: boolean },
): RoutingRow {
  if (s.kind === "postback" && s.postback) return s.postback;
  if (s.kind === "text") {
    if (ctx.isCommunityCode) return "community_code";
    return ctx.matchesKeywordReply ? "text_keyword" : "text";
  }
  if (s.kind === "postback") return "text"; // an unconfigured postback behaves as a plain customer request
  return "media";
}

export interface RoutingResult {
  next: ConversationFacts;
  log: LogEntry[];
  /** Whether the state/queue/follower changed at all. */
  moved: boolean;
}

export const NEW_CONVERSATION_FACTS = (kind: ConversationFacts["kind"]): ConversationFacts => ({
  state: "pending",
  queue: "human",
  followerId: null,
  lastHandlerId: null,
  kind,
  collaboratorIds: [],
  reopenable: true,
});

/**
 * Route one inbound customer message. `current` is null for a new
 * conversation. `autoAssign` is the member a keyword auto-assignment names
 * (LIFE-15), which wins over the queue (LIFE-47) unless deactivated (LIFE-16).
 */
export function routeInbound(
  current: ConversationFacts | null,
  kind: ConversationFacts["kind"],
  row: RoutingRow,
  autoAssign: MemberFacts | null = null,
): RoutingResult {
  const c = current ?? NEW_CONVERSATION_FACTS(kind);
  const isNew = current === null;
  const collaborative = c.collaboratorIds.length > 0;

  // LIFE-17, LIFE-18: human queue and processing never move because of a message.
  if (!isNew && (c.state === "processing" || (c.state === "pending" && c.queue === "human")))
    return { next: c, log: [], moved: false };

  // COLLAB-10, COLLAB-42: a closed collaborative conversation goes back to processing.
  if (!isNew && c.state === "closed" && collaborative && c.lastHandlerId) {
    return {
      next: { ...c, state: "processing", queue: null, followerId: c.lastHandlerId },
      log: [{ kind: "routed", actorId: null, text: "客人再次發問,協作對話回到處理中。", data: { to: "processing" } }],
      moved: true,
    };
  }

  // GROUP-14: a group conversation always goes to the human queue
  // (LIFE-12); keyword auto-assignment does not act in groups (GROUP-18).
  const assign = kind === "group" ? null : autoAssign;
  let queue: Queue = kind === "group" ? "human" : destinationQueue(row);

  // LIFE-16: an auto-assignment to a deactivated member goes to the human queue instead.
  if (assign && !assign.active) queue = "human";

  // Bot queue + bot row: unchanged (LIFE-14 "機器人 (不變)"), unless a keyword
  // auto-assignment applies: it wins over the keyword auto-reply (LIFE-47).
  if (!isNew && c.state === "pending" && c.queue === "bot" && queue === "bot" && !assign) return { next: c, log: [], moved: false };

  if (assign && assign.active) {
    const next: ConversationFacts = { ...c, state: "processing", queue: null, followerId: assign.id, lastHandlerId: assign.id };
    const log: LogEntry[] = [];
    if (isNew) log.push({ kind: "created", actorId: null, text: LOG_TEXT.created(queue), data: { queue } });
    log.push({ kind: "auto_assigned", actorId: null, text: LOG_TEXT.autoAssigned(assign.name), data: { memberId: assign.id } });
    return { next, log, moved: true };
  }

  const next: ConversationFacts = { ...c, state: "pending", queue, followerId: null };
  const text = isNew ? LOG_TEXT.created(queue) : c.state === "closed" ? LOG_TEXT.routed(queue) : LOG_TEXT.movedToHuman();
  return { next, log: [{ kind: isNew ? "created" : "routed", actorId: null, text, data: { queue, row } }], moved: true };
}
