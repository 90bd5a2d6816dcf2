import { describe, expect, it, test } from "vitest";
import { onCustomerMessage, onHumanReply, onNewFollower, onView, type UnreadEffect } from "../../src/domain/unread.js";
import { decide, type Command } from "../../src/domain/lifecycle.js";
import type { ConversationFacts } from "../../src/domain/conversation.js";
import { closed, member, pendingBot, pendingHuman, processing } from "./fixtures.js";

/**
 * A tiny model of the counts the store keeps (one shared count plus one per
 * participant), applying the domain's effects, so tests can check numbers.
 */
class Counts {
  shared = 0;
  perMember = new Map<string, number>();
  constructor(private participants: () => string[]) {}
  apply(e: UnreadEffect): void {
    switch (e.kind) {
      case "increment":
        this.shared++;
        for (const p of this.participants()) this.perMember.set(p, (this.perMember.get(p) ?? 0) + 1);
        break;
      case "clear_all":
        this.shared = 0;
        this.perMember.clear();
        break;
      case "clear_member":
        this.perMember.set(e.memberId, 0);
        break;
      case "inherit":
        this.perMember.set(e.memberId, this.shared);
        break;
      case "none":
        break;
    }
  }
  of(id: string): number {
    return this.perMember.get(id) ?? 0;
  }
}

function model(c: () => ConversationFacts): Counts {
  return new Counts(() => {
    const x = c();
    return [x.followerId, ...x.collaboratorIds].filter((v): v is string => v !== null);
  });
}

describe("unread counts (VIEW-23 .. VIEW-27)", () => {
  it("VIEW-23: every customer message creates one unread message", () => {
    expect(onCustomerMessage()).toEqual({ kind: "increment" });
    const c = processing("amy");
    const m = model(() => c);
    for (let i = 0; i < 3; i++) m.apply(onCustomerMessage());
    expect(m.of("amy")).toBe(3);
    expect(m.shared).toBe(3);
  });

  it("VIEW-24: in my processing, viewing clears the follower's unread count", () => {
    const c = processing("amy");
    expect(onView(c, "amy")).toEqual({ kind: "clear_member", memberId: "amy" });
    const m = model(() => c);
    m.apply(onCustomerMessage());
    m.apply(onView(c, "amy"));
    expect(m.of("amy")).toBe(0);
  });

  it("VIEW-24: in my processing, replying clears the unread count", () => {
    const c = processing("amy");
    const m = model(() => c);
    m.apply(onCustomerMessage());
    m.apply(onHumanReply());
    expect(m.of("amy")).toBe(0);
    expect(onHumanReply()).toEqual({ kind: "clear_all" });
  });

  it("VIEW-24: a collaborator viewing in their my processing clears only their own count", () => {
    const c = processing("amy", { collaboratorIds: ["bob"] });
    const m = model(() => c);
    m.apply(onCustomerMessage());
    m.apply(onCustomerMessage());
    m.apply(onView(c, "bob"));
    expect(m.of("bob")).toBe(0);
    expect(m.of("amy")).toBe(2);
  });

  it("VIEW-25: in team processing, viewing does not clear anyone's unread count", () => {
    const c = processing("amy");
    expect(onView(c, "jess")).toEqual({ kind: "none" });
    const m = model(() => c);
    m.apply(onCustomerMessage());
    m.apply(onView(c, "jess"));
    expect(m.of("amy")).toBe(1);
    expect(m.shared).toBe(1);
  });

  it("VIEW-25: in team processing, replying clears everyone's unread count", () => {
    const c = processing("amy", { collaboratorIds: ["bob"] });
    const m = model(() => c);
    m.apply(onCustomerMessage());
    m.apply(onHumanReply());
    expect(m.of("amy")).toBe(0);
    expect(m.of("bob")).toBe(0);
    expect(m.shared).toBe(0);
  });

  test.each([["human queue", pendingHuman()], ["bot queue", pendingBot()]])(
    "VIEW-26: viewing a pending conversation (%s) does not clear its shared count; replying does",
    (_n, c) => {
      expect(onView(c, "amy")).toEqual({ kind: "none" });
      const m = model(() => c);
      m.apply(onCustomerMessage());
      m.apply(onView(c, "amy"));
      expect(m.shared).toBe(1);
      m.apply(onHumanReply());
      expect(m.shared).toBe(0);
    },
  );

  it("VIEW-26: following hands the pending count to the new follower, who clears it by viewing", () => {
    let c = pendingHuman();
    const m = model(() => c);
    m.apply(onCustomerMessage());
    m.apply(onCustomerMessage());
    const d = decide(c, member("amy", "agent"), { type: "follow" });
    if (!d.ok) throw new Error(d.error.code);
    c = d.outcome.next;
    m.apply(onNewFollower(c.followerId!));
    expect(m.of("amy")).toBe(2);
    m.apply(onView(c, "amy"));
    expect(m.of("amy")).toBe(0);
  });

  it("VIEW-26: viewing a closed conversation has no effect (closed conversations show no unread count)", () => {
    expect(onView(closed("amy"), "amy")).toEqual({ kind: "none" });
    expect(onView(closed("amy", { collaboratorIds: ["bob"] }), "bob")).toEqual({ kind: "none" });
  });

  test.each([
    { how: "follow", start: pendingHuman(), actor: member("amy", "agent"), cmd: { type: "follow" } as Command },
    { how: "take over", start: processing("bob"), actor: member("amy", "admin"), cmd: { type: "take_over" } as Command },
    { how: "transfer", start: processing("bob"), actor: member("bob", "agent"), cmd: { type: "transfer", to: member("amy", "agent") } as Command },
  ])("VIEW-27: a member who gets the conversation by $how inherits its unread count", ({ start, actor, cmd }) => {
    let c = start;
    const m = model(() => c);
    m.apply(onCustomerMessage());
    m.apply(onCustomerMessage());
    m.apply(onCustomerMessage());
    const d = decide(c, actor, cmd);
    if (!d.ok) throw new Error(d.error.code);
    c = d.outcome.next;
    expect(c.followerId).toBe("amy");
    const effect = onNewFollower(c.followerId!);
    expect(effect).toEqual({ kind: "inherit", memberId: "amy" });
    m.apply(effect);
    expect(m.of("amy")).toBe(3);
  });

  it("LIFE-38: after a transfer the new follower sees the unread count the conversation had", () => {
    let c = processing("amy");
    const m = model(() => c);
    m.apply(onCustomerMessage());
    const d = decide(c, member("amy", "agent"), { type: "transfer", to: member("bob", "agent") });
    if (!d.ok) throw new Error(d.error.code);
    expect(d.outcome.followerChanged).toBe(true);
    c = d.outcome.next;
    m.apply(onNewFollower(c.followerId!));
    expect(m.of("bob")).toBe(1);
    expect(m.shared).toBe(1);
  });
});
