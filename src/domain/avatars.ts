/**
 * Team-member avatars shown on a conversation in the list (VIEW-16..VIEW-18):
 * up to 3 (never more than the team), follower first, then collaborators in
 * order, then other active members alphabetically; the bot queue shows the
 * bot alone.
 */
import type { ConversationFacts } from "./conversation.js";

export const BOT_AVATAR = "bot";
export const MAX_AVATARS = 3;

/** `team` is the active members sorted by name (at least MAX_AVATARS + collaborators of them). */
export function avatarGroup(c: ConversationFacts, team: readonly string[]): string[] {
  if (c.state === "pending" && c.queue === "bot") return [BOT_AVATAR];
  const out: string[] = [];
  const add = (id: string | null) => {
    if (id && !out.includes(id) && out.length < MAX_AVATARS) out.push(id);
  };
  add(c.followerId);
  c.collaboratorIds.forEach(add);
  team.forEach(add);
  return out;
}
