import { describe, expect, it, test } from "vitest";
import {
  ACTIONS,
  autoClose,
  availableActions,
  decide,
  returnOnDeactivation,
  type Action,
  type Command,
} from "../../src/domain/lifecycle.js";
import { viewOf, type ConversationFacts, type MemberFacts } from "../../src/domain/conversation.js";
import { NEW_CONVERSATION_FACTS, routeInbound } from "../../src/domain/routing.js";
import { ROLES, ROLE_NAMES, type Role } from "../../src/domain/roles.js";
import { TEXT } from "../../src/domain/errors.js";
import { LOG_TEXT } from "../../src/domain/status-log.js";
import {
  closed,
  expectWellFormedError,
  GROUP_ROLES,
  MANAGER_ROLES,
  member,
  NON_MANAGER_ROLES,
  okOutcome,
  pendingBot,
  pendingHuman,
  processing,
  refusal,
  SALES_ROLES,
} from "./fixtures.js";

const jess = member("jess", "admin");
const amy = member("amy", "agent");
const bob = member("bob", "agent");

function cmd(action: Action, to?: MemberFacts): Command {
  if (action === "transfer") return { type: "transfer", to: to ?? bob };
  return { type: action };
}

describe("states (LIFE-5 .. LIFE-13)", () => {
  it("LIFE-5: a new conversation is in exactly one of the three states, pending", () => {
    const c = NEW_CONVERSATION_FACTS("individual");
    expect(["pending", "processing", "closed"].filter((s) => s === c.state)).toHaveLength(1);
    expect(c.state).toBe("pending");
    expect(c.followerId).toBeNull();
  });

  it("LIFE-5: every successful action leaves the conversation in exactly one state with consistent facts", () => {
    const steps: Array<[ConversationFacts, MemberFacts, Command]> = [
      [pendingHuman(), amy, { type: "follow" }],
      [pendingBot(), amy, { type: "close" }],
      [processing("amy"), amy, { type: "transfer", to: bob }],
      [processing("amy"), jess, { type: "take_over" }],
      [processing("amy"), amy, { type: "close" }],
      [closed("amy"), amy, { type: "reopen" }],
    ];
    for (const [c, m, k] of steps) {
      const n = okOutcome(decide(c, m, k)).next;
      if (n.state === "pending") expect(n.queue !== null && n.followerId === null).toBe(true);
      if (n.state === "processing") expect(n.queue === null && n.followerId !== null).toBe(true);
      if (n.state === "closed") expect(n.queue === null && n.followerId === null).toBe(true);
    }
  });

  it("LIFE-6: pending is split into the human queue and the bot queue, shown as two views", () => {
    expect(viewOf(pendingHuman(), "amy")).toBe("pending_human");
    expect(viewOf(pendingBot(), "amy")).toBe("pending_bot");
  });

  it("LIFE-7: a conversation needing a human (plain text, no keyword) lands in the human queue", () => {
    const r = routeInbound(null, "individual", "text");
    expect(r.next.state).toBe("pending");
    expect(r.next.queue).toBe("human");
  });

  it("LIFE-8: a message matching a keyword or a bot module lands in the bot queue", () => {
    for (const row of ["text_keyword", "rich_menu_bot_card", "rich_menu_text_inbox"] as const) {
      const r = routeInbound(null, "individual", row);
      expect(r.next.state).toBe("pending");
      expect(r.next.queue).toBe("bot");
    }
  });

  it("LIFE-9: asking for a human or writing text that matches no keyword moves a bot-queue conversation to the human queue", () => {
    for (const row of ["request_human", "text"] as const) {
      const r = routeInbound(pendingBot(), "individual", row);
      expect(r.moved).toBe(true);
      expect(r.next.state).toBe("pending");
      expect(r.next.queue).toBe("human");
    }
  });

  it("LIFE-10: following a bot-queue conversation goes straight to processing with the agent as follower", () => {
    const o = okOutcome(decide(pendingBot(), amy, { type: "follow" }));
    expect(o.next.state).toBe("processing");
    expect(o.next.queue).toBeNull();
    expect(o.next.followerId).toBe("amy");
    expect(o.log[0].data.from).toBe("bot");
  });

  it("LIFE-11: (none) → pending when a new customer asks", () => {
    expect(routeInbound(null, "individual", "text").next.state).toBe("pending");
  });

  it("LIFE-11: closed → pending when the customer asks again", () => {
    const r = routeInbound(closed("amy"), "individual", "media");
    expect(r.next.state).toBe("pending");
    expect(r.next.queue).toBe("human");
  });

  it("LIFE-11: pending → processing when a member clicks Follow", () => {
    expect(okOutcome(decide(pendingHuman(), amy, { type: "follow" })).next.state).toBe("processing");
  });

  it("LIFE-11: closed → processing when a member clicks Reopen", () => {
    expect(okOutcome(decide(closed("amy"), amy, { type: "reopen" })).next.state).toBe("processing");
  });

  it("LIFE-11: processing → closed when the follower clicks Close", () => {
    expect(okOutcome(decide(processing("amy"), amy, { type: "close" })).next.state).toBe("closed");
  });

  it("LIFE-12: a closed collaborative conversation returns to processing, not pending, on a customer message", () => {
    const c = closed("amy", { collaboratorIds: ["bob"] });
    const r = routeInbound(c, "individual", "text");
    expect(r.next.state).toBe("processing");
    expect(r.next.followerId).toBe("amy");
    expect(r.next.queue).toBeNull();
  });

  it("LIFE-12: a group conversation always enters the human queue, even for bot rows", () => {
    for (const row of ["rich_menu_bot_card", "text_keyword", "community_code"] as const) {
      expect(routeInbound(null, "group", row).next.queue).toBe("human");
      expect(routeInbound(closed("amy", { kind: "group" }), "group", row).next.queue).toBe("human");
    }
  });

  it("LIFE-12: a group conversation ignores keyword auto-assignment and still enters the human queue", () => {
    const r = routeInbound(null, "group", "text", amy);
    expect(r.next.state).toBe("pending");
    expect(r.next.queue).toBe("human");
    expect(r.next.followerId).toBeNull();
  });

  it("LIFE-12: a closed group conversation whose official account left can never be reopened", () => {
    const c = closed("amy", { kind: "group", reopenable: false });
    expect(availableActions(c, amy)).not.toContain("reopen");
    expect(availableActions(c, jess)).not.toContain("reopen");
    const e = refusal(decide(c, amy, { type: "reopen" }));
    expect(e.code).toBe("not_reopenable");
    expect(e.message).toBe(TEXT.notReopenable.zh);
  });

  it("LIFE-13: a pending conversation can be closed directly (pending → closed)", () => {
    for (const c of [pendingHuman(), pendingBot()]) {
      const o = okOutcome(decide(c, amy, { type: "close" }));
      expect(o.next.state).toBe("closed");
      expect(o.next.queue).toBeNull();
      expect(o.log[0].data.from).toBe("pending");
    }
  });
});

describe("actions by state (LIFE-25)", () => {
  const follower = amy;
  const manager = jess;
  type Row = { name: string; c: ConversationFacts; m: MemberFacts; allowed: Action[] };
  const rows: Row[] = [
    { name: "pending (human queue)", c: pendingHuman(), m: follower, allowed: ["follow", "close"] },
    { name: "pending (bot queue)", c: pendingBot(), m: follower, allowed: ["follow", "close"] },
    { name: "my processing", c: processing("amy"), m: follower, allowed: ["close", "transfer"] },
    { name: "closed (my closed)", c: closed("amy"), m: follower, allowed: ["reopen"] },
    { name: "closed (team closed, manager)", c: closed("amy"), m: manager, allowed: ["reopen"] },
    { name: "team processing (manager)", c: processing("amy"), m: manager, allowed: ["take_over"] },
  ];
  // The table's "Follow" column in the team-processing row is the take-over action.
  const cells = rows.flatMap((r) =>
    (["follow", "close", "reopen", "transfer", "take_over"] as Action[]).map((a) => ({ ...r, action: a, expected: r.allowed.includes(a) })),
  );

  test.each(cells)("LIFE-25: $name × $action → allowed=$expected", ({ c, m, action, expected }) => {
    expect(availableActions(c, m).includes(action)).toBe(expected);
    const d = decide(c, m, cmd(action));
    expect(d.ok).toBe(expected);
    if (!d.ok) {
      // A button that the table does not offer is a stale screen (LIFE-36),
      // except an action the member's role may never take in that state.
      const expectedCode = action === "take_over" && m.role === "agent" && c.state === "processing" ? "forbidden" : "state_changed";
      expect(d.error.code).toBe(expectedCode);
      expect(d.error.message).toBe(expectedCode === "forbidden" ? TEXT.forbiddenAction.zh : TEXT.stateChanged.zh);
    }
  });

  it("LIFE-25: availableActions never offers an action outside the table", () => {
    for (const c of [pendingHuman(), pendingBot(), processing("amy"), closed("amy")]) {
      for (const m of [amy, jess, bob]) {
        for (const a of availableActions(c, m)) expect(ACTIONS).toContain(a);
      }
    }
  });
});

describe("follow, transfer, take over, close (LIFE-26 .. LIFE-30)", () => {
  it("LIFE-26: following makes the member follower and puts it in their my processing", () => {
    const o = okOutcome(decide(pendingHuman(), amy, { type: "follow" }));
    expect(o.next.followerId).toBe("amy");
    expect(o.next.lastHandlerId).toBe("amy");
    expect(viewOf(o.next, "amy")).toBe("my_processing");
    expect(viewOf(o.next, "bob")).toBe("team_processing");
    expect(o.followerChanged).toBe(true);
  });

  it("LIFE-27: the follower transfers; the conversation moves to the target's my processing", () => {
    const o = okOutcome(decide(processing("amy"), amy, { type: "transfer", to: bob }));
    expect(o.next.state).toBe("processing");
    expect(o.next.followerId).toBe("bob");
    expect(viewOf(o.next, "bob")).toBe("my_processing");
    expect(viewOf(o.next, "amy")).toBe("team_processing");
    expect(o.followerChanged).toBe(true);
  });

  it("LIFE-27: the transfer target is notified that the conversation was transferred to them", () => {
    const o = okOutcome(decide(processing("amy"), amy, { type: "transfer", to: bob }));
    expect(o.notifications).toEqual([
      { memberId: "bob", kind: "transferred_to_you", text: `amy (${ROLE_NAMES.agent.zh}) 已將 1 個對話移轉給你。` },
    ]);
    expect(o.systemMessages).toEqual(["bob 跟進了對話。"]);
  });

  it("LIFE-27: only the follower may transfer; another member is refused", () => {
    const e = refusal(decide(processing("amy"), jess, { type: "transfer", to: bob }));
    expect(e.code).toBe("state_changed");
    expectWellFormedError(e);
  });

  it("LIFE-28: taking over from team processing makes the user the main owner", () => {
    const o = okOutcome(decide(processing("amy"), jess, { type: "take_over" }, { follower: "amy" }));
    expect(o.next.state).toBe("processing");
    expect(o.next.followerId).toBe("jess");
    expect(viewOf(o.next, "jess")).toBe("my_processing");
    expect(o.followerChanged).toBe(true);
  });

  it("LIFE-29: the follower closes a processing conversation", () => {
    const o = okOutcome(decide(processing("amy"), amy, { type: "close" }));
    expect(o.next.state).toBe("closed");
    expect(o.next.followerId).toBeNull();
    expect(o.followerChanged).toBe(false);
  });

  it("LIFE-30: on team processing a manager is offered only take-over (no close, reopen or transfer)", () => {
    for (const role of MANAGER_ROLES) {
      const m = member("mgr", role);
      expect(availableActions(processing("amy"), m)).toEqual(["take_over"]);
      for (const a of ["close", "transfer", "reopen", "follow"] as const) {
        expect(decide(processing("amy"), m, cmd(a)).ok).toBe(false);
      }
    }
  });

  it("LIFE-30: after a take-over the previous follower loses it from my processing and is notified", () => {
    const o = okOutcome(decide(processing("amy"), jess, { type: "take_over" }, { follower: "amy" }));
    expect(viewOf(o.next, "amy")).toBe("team_processing");
    expect(o.notifications).toEqual([
      { memberId: "amy", kind: "taken_over", text: `jess (${ROLE_NAMES.admin.zh}) 已接手 1 個你的對話。` },
    ]);
  });

  it("LIFE-30: the take-over is logged as 「{actor} 接手跟進了 {previous} 的對話。」", () => {
    const o = okOutcome(decide(processing("amy"), jess, { type: "take_over" }, { follower: "Amy Chen" }));
    expect(o.log).toHaveLength(1);
    expect(o.log[0]).toMatchObject({ kind: "taken_over", actorId: "jess", data: { previousFollowerId: "amy" } });
    expect(o.log[0].text).toBe("jess 接手跟進了 Amy Chen 的對話。");
    expect(o.systemMessages).toEqual(["jess 跟進了對話。"]);
  });
});

describe("role rules (LIFE-31 .. LIFE-33)", () => {
  test.each(ROLES.map((r) => [r]))("LIFE-31: %s, as follower of a 1-to-1 conversation, can transfer it", (role) => {
    const m = member("me", role);
    expect(availableActions(processing("me"), m)).toContain("transfer");
    const o = okOutcome(decide(processing("me"), m, { type: "transfer", to: bob }));
    expect(o.next.followerId).toBe("bob");
  });

  test.each([["cs_manager" as Role], ["marketing_agent" as Role]])(
    "LIFE-32: %s (not in the source's list) may also transfer",
    (role) => {
      const m = member("me", role);
      expect(okOutcome(decide(processing("me"), m, { type: "transfer", to: amy })).next.followerId).toBe("amy");
    },
  );

  test.each(ROLES.map((r) => [r]))("LIFE-33: %s can follow a pending 1-to-1 conversation (both queues)", (role) => {
    const m = member("me", role);
    for (const c of [pendingHuman(), pendingBot()]) {
      expect(availableActions(c, m)).toContain("follow");
      expect(okOutcome(decide(c, m, { type: "follow" })).next.followerId).toBe("me");
    }
  });

  test.each(ROLES.map((r) => [r]))("LIFE-33: %s can close a pending 1-to-1 conversation", (role) => {
    const m = member("me", role);
    expect(okOutcome(decide(pendingHuman(), m, { type: "close" })).next.state).toBe("closed");
  });

  test.each(ROLES.map((r) => [r]))("LIFE-33: %s can close a processing conversation only as its follower", (role) => {
    const m = member("me", role);
    expect(decide(processing("me"), m, { type: "close" }).ok).toBe(true);
    const e = refusal(decide(processing("other"), m, { type: "close" }));
    expect(["state_changed", "not_visible"]).toContain(e.code);
    expectWellFormedError(e);
  });

  test.each(MANAGER_ROLES.map((r) => [r]))("LIFE-33: %s can take over from team processing", (role) => {
    const m = member("me", role);
    expect(availableActions(processing("amy"), m)).toEqual(["take_over"]);
    expect(okOutcome(decide(processing("amy"), m, { type: "take_over" })).next.followerId).toBe("me");
  });

  test.each(NON_MANAGER_ROLES.map((r) => [r]))("LIFE-33: %s cannot take over from team processing", (role) => {
    const m = member("me", role);
    expect(availableActions(processing("amy"), m)).toEqual([]);
    const e = refusal(decide(processing("amy"), m, { type: "take_over" }));
    expect(e.code).toBe("not_visible");
    expect(e.message).toBe(TEXT.noPermissionView.zh);
  });

  test.each(ROLES.map((r) => [r]))("LIFE-33: %s can reopen from my closed (as last follower)", (role) => {
    const m = member("me", role);
    expect(viewOf(closed("me"), "me")).toBe("my_closed");
    expect(okOutcome(decide(closed("me"), m, { type: "reopen" })).next.followerId).toBe("me");
  });

  test.each(MANAGER_ROLES.map((r) => [r]))("LIFE-33: %s can reopen from team closed", (role) => {
    const m = member("me", role);
    expect(viewOf(closed("amy"), "me")).toBe("team_closed");
    expect(okOutcome(decide(closed("amy"), m, { type: "reopen" })).next.followerId).toBe("me");
  });

  test.each(NON_MANAGER_ROLES.map((r) => [r]))("LIFE-33: %s cannot reopen from team closed", (role) => {
    const m = member("me", role);
    expect(availableActions(closed("amy"), m)).toEqual([]);
    const e = refusal(decide(closed("amy"), m, { type: "reopen" }));
    expect(e.code).toBe("not_visible");
    expectWellFormedError(e);
  });

  test.each(SALES_ROLES.map((r) => [r]))("LIFE-33: %s cannot act on a pending group conversation (GROUP-2)", (role) => {
    const m = member("me", role);
    const g = pendingHuman({ kind: "group" });
    expect(availableActions(g, m)).toEqual([]);
    expect(refusal(decide(g, m, { type: "follow" })).code).toBe("not_visible");
    expect(refusal(decide(g, m, { type: "close" })).code).toBe("not_visible");
  });

  test.each(GROUP_ROLES.map((r) => [r]))("LIFE-33: %s can follow and close a pending group conversation", (role) => {
    const m = member("me", role);
    const g = pendingHuman({ kind: "group" });
    expect(availableActions(g, m)).toEqual(["follow", "close"]);
  });

  test.each(ROLES.map((r) => [r]))("LIFE-33: a deactivated %s can do nothing", (role) => {
    const m = member("me", role, { active: false });
    for (const c of [pendingHuman(), processing("me"), closed("me")]) {
      expect(availableActions(c, m)).toEqual([]);
      for (const a of ACTIONS) expect(decide(c, m, cmd(a)).ok).toBe(false);
    }
  });
});

describe("close, reopen, races, targets (LIFE-34 .. LIFE-38)", () => {
  it("LIFE-34: closed from pending it has no follower, the closer is its last handler and sees it in my closed", () => {
    const o = okOutcome(decide(pendingHuman(), amy, { type: "close" }));
    expect(o.next.followerId).toBeNull();
    expect(o.next.lastHandlerId).toBe("amy");
    expect(viewOf(o.next, "amy")).toBe("my_closed");
    expect(viewOf(o.next, "bob")).toBe("team_closed");
  });

  it("LIFE-34: closed from processing, it stays in the follower's my closed", () => {
    const o = okOutcome(decide(processing("amy", { lastHandlerId: "stale" }), amy, { type: "close" }));
    expect(o.next.lastHandlerId).toBe("amy");
    expect(viewOf(o.next, "amy")).toBe("my_closed");
  });

  it("LIFE-34: closed by the system, it stays in its last follower's my closed", () => {
    const o = autoClose(processing("amy", { lastHandlerId: "stale" }))!;
    expect(o.next.lastHandlerId).toBe("amy");
    expect(viewOf(o.next, "amy")).toBe("my_closed");
    expect(viewOf(o.next, "jess")).toBe("team_closed");
  });

  it("LIFE-35: reopening a 1-to-1 conversation makes the reopener its follower", () => {
    const o = okOutcome(decide(closed("amy"), jess, { type: "reopen" }));
    expect(o.next.state).toBe("processing");
    expect(o.next.followerId).toBe("jess");
    expect(viewOf(o.next, "jess")).toBe("my_processing");
    expect(viewOf(o.next, "amy")).toBe("team_processing");
    expect(o.followerChanged).toBe(true);
  });

  test.each(ROLES.map((r) => [r]))(
    "LIFE-36: when two members click Follow at once, the second (%s) gets 「此對話狀態已變更,請重新整理」",
    (role) => {
      const c0 = pendingHuman();
      const first = okOutcome(decide(c0, amy, { type: "follow" })).next;
      const e = refusal(decide(first, member("late", role), { type: "follow" }));
      expect(e.code).toBe("state_changed");
      expect(e.message).toBe("此對話狀態已變更,請重新整理");
      expect(e.messageEn).toBe(TEXT.stateChanged.en);
    },
  );

  test.each(ROLES.map((r) => [r]))("LIFE-36: a %s closing a pending conversation already closed by someone else is told the state changed", (role) => {
    const after = okOutcome(decide(pendingHuman(), jess, { type: "close" })).next;
    expect(refusal(decide(after, member("late", role), { type: "close" })).code).toBe("state_changed");
  });

  it("LIFE-36: a follower whose conversation was taken over meanwhile cannot close or transfer it", () => {
    const after = okOutcome(decide(processing("amy"), jess, { type: "take_over" })).next;
    expect(refusal(decide(after, amy, { type: "close" })).code).toBe("state_changed");
    expect(refusal(decide(after, amy, { type: "transfer", to: bob })).code).toBe("state_changed");
  });

  it("LIFE-36: the second of two reopen clicks fails with the state-changed text", () => {
    const after = okOutcome(decide(closed("amy"), amy, { type: "reopen" })).next;
    const e = refusal(decide(after, jess, { type: "reopen" }));
    expect(e.code).toBe("state_changed");
    expect(e.message).toBe(TEXT.stateChanged.zh);
  });

  it("LIFE-36: a follow on a conversation that was closed meanwhile fails with the state-changed text", () => {
    const after = okOutcome(decide(pendingHuman(), jess, { type: "close" })).next;
    expect(refusal(decide(after, amy, { type: "follow" })).code).toBe("state_changed");
  });

  it("LIFE-37: a transfer to an active team member who may handle the conversation succeeds", () => {
    expect(decide(processing("amy"), amy, { type: "transfer", to: member("s", "sales") }).ok).toBe(true);
  });

  it("LIFE-37: a transfer to a deactivated member is refused", () => {
    const e = refusal(decide(processing("amy"), amy, { type: "transfer", to: member("gone", "agent", { active: false }) }));
    expect(e.code).toBe("invalid_target");
    expect(e.message).toBe(TEXT.invalidTarget.zh);
  });

  it("LIFE-37: a transfer to the current follower is refused", () => {
    expect(refusal(decide(processing("amy"), amy, { type: "transfer", to: amy })).code).toBe("invalid_target");
  });

  test.each(SALES_ROLES.map((r) => [r]))("LIFE-37: a group conversation cannot be transferred to a %s", (role) => {
    const g = processing("amy", { kind: "group" });
    expect(refusal(decide(g, amy, { type: "transfer", to: member("s", role) })).code).toBe("invalid_target");
  });

  test.each(GROUP_ROLES.map((r) => [r]))("LIFE-37: a group conversation can be transferred to a %s", (role) => {
    const g = processing("amy", { kind: "group" });
    expect(okOutcome(decide(g, amy, { type: "transfer", to: member("t", role) })).next.followerId).toBe("t");
  });

  it("LIFE-37: a refused transfer leaves the conversation unchanged (no outcome is produced)", () => {
    const c = processing("amy");
    const d = decide(c, amy, { type: "transfer", to: member("gone", "agent", { active: false }) });
    expect(d.ok).toBe(false);
    expect(c.followerId).toBe("amy");
  });

  it("LIFE-38: a transfer or take-over keeps the conversation processing and changes nothing but the follower", () => {
    const c = processing("amy", { lastHandlerId: "amy" });
    for (const o of [
      okOutcome(decide(c, amy, { type: "transfer", to: bob })),
      okOutcome(decide(c, jess, { type: "take_over" })),
    ]) {
      const { followerId, lastHandlerId, ...rest } = o.next;
      const { followerId: f0, lastHandlerId: l0, ...rest0 } = c;
      expect(rest).toEqual(rest0);
      expect(followerId).not.toBe(f0);
      expect(lastHandlerId).toBe(followerId);
      expect(l0).toBe("amy");
    }
  });
});

describe("state log (LIFE-41)", () => {
  it("LIFE-41: follow is logged as 「{actor} 跟進了對話。」 with the actor", () => {
    const o = okOutcome(decide(pendingHuman(), member("Jess", "agent"), { type: "follow" }));
    expect(o.log).toEqual([{ kind: "followed", actorId: "Jess", text: "Jess 跟進了對話。", data: { from: "human" } }]);
  });

  it("LIFE-41: transfer is logged as 「{actor} 將對話轉給了 {member}。」", () => {
    const o = okOutcome(decide(processing("Jess"), member("Jess", "agent"), { type: "transfer", to: member("Jess A", "agent") }));
    expect(o.log).toEqual([{ kind: "transferred", actorId: "Jess", text: "Jess 將對話轉給了 Jess A。", data: { toMemberId: "Jess A" } }]);
  });

  it("LIFE-41: take-over is logged as 「{actor} 接手跟進了 {member} 的對話。」", () => {
    const o = okOutcome(decide(processing("Jess A"), member("Jess", "admin"), { type: "take_over" }, { follower: "Jess A" }));
    expect(o.log[0].text).toBe("Jess 接手跟進了 Jess A 的對話。");
    expect(o.log[0].actorId).toBe("Jess");
  });

  it("LIFE-41: close is logged as 「{actor} 結束了對話。」", () => {
    const o = okOutcome(decide(processing("Jess"), member("Jess", "agent"), { type: "close" }));
    expect(o.log).toEqual([{ kind: "closed", actorId: "Jess", text: "Jess 結束了對話。", data: { from: "processing" } }]);
    expect(o.systemMessages).toEqual([]);
  });

  it("LIFE-41: reopen is logged as 「{actor} 重啟了對話。」", () => {
    const o = okOutcome(decide(closed("Jess"), member("Jess", "agent"), { type: "reopen" }));
    expect(o.log).toEqual([{ kind: "reopened", actorId: "Jess", text: "Jess 重啟了對話。", data: {} }]);
  });

  it("LIFE-41: a system closure is logged as 「系統自動結束了對話。」 with no actor", () => {
    const o = autoClose(processing("amy"))!;
    expect(o.log).toEqual([{ kind: "auto_closed", actorId: null, text: "系統自動結束了對話。", data: {} }]);
  });

  it("LIFE-41: creation and routing are logged by the system", () => {
    const created = routeInbound(null, "individual", "text_keyword");
    expect(created.log).toEqual([{ kind: "created", actorId: null, text: LOG_TEXT.created("bot"), data: { queue: "bot", row: "text_keyword" } }]);
    expect(created.log[0].text).toContain("待處理-機器人");
    const routed = routeInbound(closed("amy"), "individual", "text");
    expect(routed.log).toHaveLength(1);
    expect(routed.log[0]).toMatchObject({ kind: "routed", actorId: null, data: { queue: "human" } });
    expect(routed.log[0].text).toContain("待處理-真人客服");
  });

  it("LIFE-41: a keyword auto-assignment is logged with the assigned member", () => {
    const r = routeInbound(null, "individual", "text", member("amy", "agent", { name: "Amy" }));
    expect(r.log.map((l) => l.kind)).toEqual(["created", "auto_assigned"]);
    expect(r.log[1]).toMatchObject({ actorId: null, data: { memberId: "amy" } });
    expect(r.log[1].text).toContain("Amy");
  });

  it("LIFE-41: a refused action produces no log entry", () => {
    const d = decide(closed("amy"), amy, { type: "close" });
    expect(d.ok).toBe(false);
    expect("outcome" in d).toBe(false);
  });
});

describe("auto-close (LIFE-43, LIFE-45)", () => {
  it("LIFE-43: the system closes a processing conversation automatically", () => {
    const o = autoClose(processing("amy"));
    expect(o).not.toBeNull();
    expect(o!.next.state).toBe("closed");
    expect(o!.next.followerId).toBeNull();
    expect(o!.next.queue).toBeNull();
    expect(o!.notifications).toEqual([]);
  });

  it("LIFE-45: auto-close applies to processing conversations only", () => {
    expect(autoClose(pendingHuman())).toBeNull();
    expect(autoClose(pendingBot())).toBeNull();
    expect(autoClose(closed("amy"))).toBeNull();
  });
});

describe("member deactivation (LIFE-46)", () => {
  it("LIFE-46: a deactivated member's 1-to-1 processing conversation returns to the human queue and is logged", () => {
    const gone = member("amy", "agent", { name: "Amy", active: false });
    const o = returnOnDeactivation(processing("amy"), gone)!;
    expect(o.next.state).toBe("pending");
    expect(o.next.queue).toBe("human");
    expect(o.next.followerId).toBeNull();
    expect(viewOf(o.next, "bob")).toBe("pending_human");
    expect(o.log).toEqual([
      { kind: "returned_to_queue", actorId: null, text: "Amy 已停用,對話回到待處理-真人客服。", data: { memberId: "amy" } },
    ]);
  });

  it("LIFE-46: conversations followed by someone else are not touched", () => {
    expect(returnOnDeactivation(processing("bob"), amy)).toBeNull();
  });

  it("LIFE-46: collaborative conversations are left to the collaboration rules", () => {
    expect(returnOnDeactivation(processing("amy", { collaboratorIds: ["bob"] }), amy)).toBeNull();
  });

  it("LIFE-46: pending and closed conversations are not moved", () => {
    expect(returnOnDeactivation(pendingHuman(), amy)).toBeNull();
    expect(returnOnDeactivation(closed("amy"), amy)).toBeNull();
  });

  it("LIFE-46: a returned conversation can be followed again by any active member", () => {
    const o = returnOnDeactivation(processing("amy"), amy)!;
    expect(okOutcome(decide(o.next, bob, { type: "follow" })).next.followerId).toBe("bob");
  });
});
