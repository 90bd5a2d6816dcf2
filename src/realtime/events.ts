/**
 * Realtime event names and payloads, defined once for the server, the
 * console and the widget (guides/architecture.md principle 9).
 */
export const EVENT_NAMES = [
  "message.created",
  "message.updated",
  "conversation.updated",
  "conversation.deleted",
  "unread.changed",
  "counts.changed",
  "notification",
  "contact.updated",
  /** Internal: the member lost access (deactivated, logged out, role changed); their sockets are closed. */
  "member.revoked",
] as const;
export type EventName = (typeof EVENT_NAMES)[number];

/**
 * Who may receive an event. A conversation audience is resolved with the
 * visibility rule (VIEW-5) for the conversation as it was before and after
 * the change, so a member who just lost it hears that too.
 */
export type Audience =
  | { kind: "conversation"; kindOfConversation: "individual" | "group"; visibleTo: ConversationVisibility[] }
  | { kind: "members"; memberIds: string[] }
  | { kind: "session"; tokenHash: string }
  | { kind: "workspace" };

export interface ConversationVisibility {
  state: "pending" | "processing" | "closed";
  participantIds: string[]; // follower + collaborators, or last handler + collaborators when closed
}

export interface RealtimeEvent {
  workspaceId: string;
  name: EventName;
  audience: Audience;
  data: Record<string, unknown>;
}
