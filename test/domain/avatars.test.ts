import { describe, it, expect } from "vitest";
import { avatarGroup, BOT_AVATAR } from "../../src/domain/avatars.js";
import type { ConversationFacts } from "../../src/domain/conversation.js";

const base: ConversationFacts = { state: "pending", queue: "human", followerId: null, lastHandlerId: null, kind: "individual", collaboratorIds: [], reopenable: true };
const team = ["amy", "ben", "cat", "dan"];

describe("avatars", () => {
  it("VIEW-16: a human-queue or followed conversation shows 3 team avatars, 2 when the team has only 2 members", () => {
    expect(avatarGroup(base, team)).toEqual(["amy", "ben", "cat"]);
    expect(avatarGroup(base, ["amy", "ben"])).toEqual(["amy", "ben"]);
    expect(avatarGroup({ ...base, state: "processing", queue: null, followerId: "dan" }, team)).toHaveLength(3);
  });

  it("VIEW-17: a bot-queue conversation shows one avatar, the bot's", () => {
    expect(avatarGroup({ ...base, queue: "bot" }, team)).toEqual([BOT_AVATAR]);
  });

  it("VIEW-18: the follower first, then collaborators in order, then other members alphabetically", () => {
    const c = { ...base, state: "processing" as const, queue: null, followerId: "dan", collaboratorIds: ["cat"] };
    expect(avatarGroup(c, team)).toEqual(["dan", "cat", "amy"]);
  });
});
