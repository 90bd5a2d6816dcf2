/**
 * Unread counts of 1-to-1 conversations (VIEW-23..VIEW-27). A conversation
 * keeps one shared count (pending queue, team views) and one count per
 * participant (follower, collaborators). These functions say what each event
 * does to them; the store applies it in the same transaction.
 */
import type { ConversationFacts } from "./conversation.js";
import { isParticipant } from "./conversation.js";

export type UnreadEffect =
  | { kind: "increment" } // shared and every participant +1 (VIEW-23)
  | { kind: "clear_all" } // a human reply (VIEW-24, VIEW-25, VIEW-26)
  | { kind: "clear_member"; memberId: string } // the participant viewed it (VIEW-24)
  | { kind: "inherit"; memberId: string } // new follower takes the shared count (VIEW-27)
  | { kind: "none" };

export function onCustomerMessage(): UnreadEffect {
  return { kind: "increment" };
}

export function onHumanReply(): UnreadEffect {
  return { kind: "clear_all" };
}

/** Viewing clears only the viewer's own count, and only in 我的處理中 (VIEW-24..VIEW-26). */
export function onView(c: ConversationFacts, viewerId: string): Extract<UnreadEffect, { kind: "clear_member" | "none" }> {
  if (c.state === "processing" && isParticipant(c, viewerId)) return { kind: "clear_member", memberId: viewerId };
  return { kind: "none" };
}

export function onNewFollower(memberId: string): UnreadEffect {
  return { kind: "inherit", memberId };
}
