import { describe, expect, it, test } from "vitest";
import { canView, isParticipant, viewOf, visibleViews, VIEW_NAMES, VIEWS, type ViewKey } from "../../src/domain/conversation.js";
import { decide } from "../../src/domain/lifecycle.js";
import { ROLES, can } from "../../src/domain/roles.js";
import { TEXT } from "../../src/domain/errors.js";
import { closed, MANAGER_ROLES, member, NON_MANAGER_ROLES, pendingBot, pendingHuman, processing, SALES_ROLES, GROUP_ROLES } from "./fixtures.js";

describe("views (VIEW-1)", () => {
  it("VIEW-1: the inbox has exactly the six views with their Chinese names", () => {
    expect([...VIEWS]).toEqual(["pending_human", "pending_bot", "my_processing", "team_processing", "my_closed", "team_closed"]);
    expect(VIEWS.map((v) => VIEW_NAMES[v].zh)).toEqual([
      "待處理 - 真人客服",
      "待處理 - 機器人",
      "我的處理中",
      "團隊處理中",
      "我的已結束",
      "團隊已結束",
    ]);
  });

  test.each([
    { name: "pending human queue, anyone", c: pendingHuman(), who: "amy", view: "pending_human" },
    { name: "pending bot queue, anyone", c: pendingBot(), who: "amy", view: "pending_bot" },
    { name: "processing, its follower", c: processing("amy"), who: "amy", view: "my_processing" },
    { name: "processing, another member", c: processing("amy"), who: "bob", view: "team_processing" },
    { name: "closed, its last follower", c: closed("amy"), who: "amy", view: "my_closed" },
    { name: "closed, another member", c: closed("amy"), who: "bob", view: "team_closed" },
    { name: "closed without any handler", c: closed(null), who: "bob", view: "team_closed" },
  ] as Array<{ name: string; c: ReturnType<typeof pendingHuman>; who: string; view: ViewKey }>)(
    "VIEW-1: $name → $view",
    ({ c, who, view }) => {
      expect(viewOf(c, who)).toBe(view);
    },
  );

  it("VIEW-1: a pending conversation is in the same queue view for every member (it belongs to nobody)", () => {
    const c = pendingHuman({ lastHandlerId: "amy" });
    expect(viewOf(c, "amy")).toBe("pending_human");
    expect(viewOf(c, "bob")).toBe("pending_human");
  });
});

describe("team-view visibility (VIEW-4)", () => {
  test.each(MANAGER_ROLES.map((r) => [r]))("VIEW-4: %s sees all six views, including the team views", (role) => {
    expect(visibleViews(role)).toEqual([...VIEWS]);
    expect(can(role, "view_team")).toBe(true);
  });

  test.each(NON_MANAGER_ROLES.map((r) => [r]))("VIEW-4: %s does not see 團隊處理中 or 團隊已結束", (role) => {
    expect(visibleViews(role)).toEqual(["pending_human", "pending_bot", "my_processing", "my_closed"]);
    expect(can(role, "view_team")).toBe(false);
  });
});

describe("who may view a conversation (VIEW-5)", () => {
  test.each(ROLES.map((r) => [r]))("VIEW-5: %s may view any pending 1-to-1 conversation", (role) => {
    expect(canView(pendingHuman(), member("me", role))).toBe(true);
    expect(canView(pendingBot(), member("me", role))).toBe(true);
  });

  test.each(ROLES.map((r) => [r]))("VIEW-5: %s may view a conversation they follow, and a closed one they last handled", (role) => {
    expect(canView(processing("me"), member("me", role))).toBe(true);
    expect(canView(closed("me"), member("me", role))).toBe(true);
  });

  test.each(ROLES.map((r) => [r]))("VIEW-5: %s may view a conversation they collaborate on (processing or closed)", (role) => {
    expect(canView(processing("amy", { collaboratorIds: ["me"] }), member("me", role))).toBe(true);
    expect(canView(closed("amy", { collaboratorIds: ["me"] }), member("me", role))).toBe(true);
  });

  test.each(ROLES.map((r) => [r]))("VIEW-5: %s may view other members' processing/closed conversations iff the role sees team views", (role) => {
    const expected = MANAGER_ROLES.includes(role);
    expect(canView(processing("amy"), member("me", role))).toBe(expected);
    expect(canView(closed("amy"), member("me", role))).toBe(expected);
    expect(canView(closed(null), member("me", role))).toBe(expected);
  });

  test.each(ROLES.map((r) => [r]))("VIEW-5: a deactivated %s may view nothing", (role) => {
    const m = member("me", role, { active: false });
    for (const c of [pendingHuman(), processing("me"), closed("me")]) expect(canView(c, m)).toBe(false);
  });

  test.each(SALES_ROLES.map((r) => [r]))("VIEW-5: %s never sees group conversations (GROUP-2), even pending ones", (role) => {
    expect(canView(pendingHuman({ kind: "group" }), member("me", role))).toBe(false);
    expect(canView(processing("me", { kind: "group" }), member("me", role))).toBe(false);
  });

  test.each(GROUP_ROLES.map((r) => [r]))("VIEW-5: %s sees pending group conversations", (role) => {
    expect(canView(pendingHuman({ kind: "group" }), member("me", role))).toBe(true);
  });

  it("VIEW-5: an action by a member who may not view the conversation is refused with 「沒有權限查看此顧客對話」", () => {
    const d = decide(processing("amy"), member("me", "agent"), { type: "take_over" });
    expect(d.ok).toBe(false);
    if (!d.ok) {
      expect(d.error.code).toBe("not_visible");
      expect(d.error.message).toBe("沒有權限查看此顧客對話");
      expect(d.error.message).toBe(TEXT.noPermissionView.zh);
    }
  });
});

describe("ownership and collaborators (VIEW-6)", () => {
  it("VIEW-6: the follower owns a processing conversation", () => {
    const c = processing("amy");
    expect(isParticipant(c, "amy")).toBe(true);
    expect(isParticipant(c, "bob")).toBe(false);
  });

  it("VIEW-6: collaborators see a collaborative conversation in their own 我的處理中", () => {
    const c = processing("amy", { collaboratorIds: ["bob", "cat"] });
    expect(viewOf(c, "bob")).toBe("my_processing");
    expect(viewOf(c, "cat")).toBe("my_processing");
    expect(viewOf(c, "dan")).toBe("team_processing");
    expect(isParticipant(c, "bob")).toBe(true);
  });

  it("VIEW-6: collaborators see a closed collaborative conversation in their own 我的已結束", () => {
    const c = closed("amy", { collaboratorIds: ["bob"] });
    expect(viewOf(c, "bob")).toBe("my_closed");
    expect(viewOf(c, "amy")).toBe("my_closed");
    expect(viewOf(c, "dan")).toBe("team_closed");
  });
});
