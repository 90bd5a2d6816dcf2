import { describe, expect, it, test } from "vitest";
import {
  BATCH_ACTIONS,
  BATCH_BY_VIEW,
  batchAllowedForRole,
  batchSummary,
  checkBatchTransfer,
  MAX_BATCH_TRANSFER,
  type BatchAction,
} from "../../src/domain/batch.js";
import { VIEWS, type ConversationFacts, type ViewKey } from "../../src/domain/conversation.js";
import { decide, type Decision } from "../../src/domain/lifecycle.js";
import { ROLES } from "../../src/domain/roles.js";
import { TEXT } from "../../src/domain/errors.js";
import { closed, expectWellFormedError, member, MANAGER_ROLES, NON_MANAGER_ROLES, pendingHuman, processing } from "./fixtures.js";

/** VIEW-39 as written in the spec (rows = views, ✔ per column). */
const TABLE: Record<ViewKey, Record<BatchAction, boolean>> = {
  pending_human: { follow: true, transfer: false, close: true, delete: true, blacklist: true, reopen: false },
  pending_bot: { follow: true, transfer: false, close: true, delete: true, blacklist: true, reopen: false },
  my_processing: { follow: false, transfer: true, close: true, delete: true, blacklist: true, reopen: false },
  team_processing: { follow: false, transfer: false, close: false, delete: false, blacklist: false, reopen: false },
  my_closed: { follow: false, transfer: false, close: false, delete: true, blacklist: true, reopen: true },
  team_closed: { follow: false, transfer: false, close: false, delete: true, blacklist: true, reopen: true },
};

const CELLS = VIEWS.flatMap((view) => BATCH_ACTIONS.map((action) => ({ view, action, allowed: TABLE[view][action] })));

const mine = (n: number, follower = "amy"): ConversationFacts[] => Array.from({ length: n }, () => processing(follower));

describe("batch actions per view (VIEW-39 .. VIEW-41)", () => {
  test.each(CELLS)("VIEW-39: batch $action in $view → offered=$allowed", ({ view, action, allowed }) => {
    expect(BATCH_BY_VIEW[view].includes(action)).toBe(allowed);
  });

  it("VIEW-39: the batch actions are follow, transfer, close, delete, blacklist and reopen", () => {
    expect([...BATCH_ACTIONS].sort()).toEqual(["blacklist", "close", "delete", "follow", "reopen", "transfer"]);
  });

  it("VIEW-40: my processing offers transfer, close, delete and blacklist, but not follow", () => {
    expect([...BATCH_BY_VIEW.my_processing].sort()).toEqual(["blacklist", "close", "delete", "transfer"]);
    expect(BATCH_BY_VIEW.my_processing).not.toContain("follow");
  });

  it("VIEW-41: there is no batch action in team processing", () => {
    expect(BATCH_BY_VIEW.team_processing).toEqual([]);
  });

  test.each([["my_closed" as ViewKey], ["team_closed" as ViewKey]])("VIEW-41: %s offers delete, blacklist and reopen", (view) => {
    expect([...BATCH_BY_VIEW[view]].sort()).toEqual(["blacklist", "delete", "reopen"]);
  });

  test.each(MANAGER_ROLES.map((r) => [r]))("VIEW-41: batch reopen from team closed succeeds per item for %s (LIFE-33)", (role) => {
    const results = [closed("amy"), closed("bob")].map((c) => decide(c, member("me", role), { type: "reopen" }));
    expect(results.every((d) => d.ok)).toBe(true);
  });

  test.each(NON_MANAGER_ROLES.map((r) => [r]))("VIEW-41: batch reopen from team closed fails per item for %s (LIFE-33)", (role) => {
    const results = [closed("amy"), closed("bob")].map((c) => decide(c, member("me", role), { type: "reopen" }));
    expect(results.some((d) => d.ok)).toBe(false);
  });

  test.each(ROLES.map((r) => [r]))("VIEW-41: batch reopen from my closed succeeds per item for %s", (role) => {
    const results = [closed("me"), closed("me")].map((c) => decide(c, member("me", role), { type: "reopen" }));
    expect(results.every((d) => d.ok)).toBe(true);
  });
});

describe("batch transfer (VIEW-45 .. VIEW-50)", () => {
  test.each(ROLES.map((r) => [r]))("VIEW-45: %s may batch-transfer (LIFE-31, LIFE-32)", (role) => {
    expect(batchAllowedForRole(role, "transfer")).toBe(true);
  });

  it("VIEW-46: one transfer handles at most 20 conversations", () => {
    expect(MAX_BATCH_TRANSFER).toBe(20);
    expect(checkBatchTransfer(mine(20))).toBeNull();
    expect(checkBatchTransfer(mine(1))).toBeNull();
  });

  test.each([[21], [25], [100]])("VIEW-46: a selection of %i is refused with 「移轉事件單次操作上限為20筆」", (n) => {
    const e = checkBatchTransfer(mine(n));
    expect(e).not.toBeNull();
    expect(e!.code).toBe("batch_limit");
    expect(e!.message).toBe("移轉事件單次操作上限為20筆");
    expectWellFormedError(e!);
  });

  test.each([
    ["a group conversation", processing("amy", { kind: "group" })],
    ["a collaborative conversation", processing("amy", { collaboratorIds: ["bob"] })],
  ] as Array<[string, ConversationFacts]>)("VIEW-48: %s cannot be batch-transferred", (_n, c) => {
    const e = checkBatchTransfer([c]);
    expect(e?.code).toBe("batch_not_transferable");
    expect(e?.message).toBe("協作對話、群組對話無法批量移轉");
  });

  it("VIEW-49: one group or collaborative conversation in the selection refuses the whole batch", () => {
    const selection = [...mine(5), processing("amy", { kind: "group" }), ...mine(3)];
    const e = checkBatchTransfer(selection);
    expect(e?.code).toBe("batch_not_transferable");
    expect(e?.message).toBe(TEXT.batchNotTransferable.zh);
  });

  it("VIEW-49: more than 20 selected is refused with the limit hint even if the selection is otherwise valid", () => {
    const e = checkBatchTransfer([...mine(20), processing("amy")]);
    expect(e?.code).toBe("batch_limit");
    expect(e?.message).toBe(TEXT.transferLimit.zh);
  });

  it("VIEW-50: items no longer in the user's my processing count as failures", () => {
    const amy = member("amy", "agent", { name: "Amy" });
    const bob = member("bob", "agent");
    const selection = [processing("amy"), closed("amy"), processing("jess"), processing("amy"), pendingHuman()];
    expect(checkBatchTransfer(selection)).toBeNull();
    const results: Decision[] = selection.map((c) => decide(c, amy, { type: "transfer", to: bob }));
    const ok = results.filter((d) => d.ok).length;
    const failed = results.length - ok;
    expect([ok, failed]).toEqual([2, 3]);
    expect(batchSummary("transfer", ok, failed)).toBe("成功移轉 2 筆,失敗 3 筆");
  });

  it("VIEW-50: items the target may not handle count as failures (LIFE-37)", () => {
    const amy = member("amy", "agent");
    const sales = member("s", "sales");
    const selection = [processing("amy"), processing("amy", { kind: "group" })];
    const results = selection.map((c) => decide(c, amy, { type: "transfer", to: sales }));
    expect(results.map((d) => d.ok)).toEqual([true, false]);
    const failure = results[1];
    if (!failure.ok) expect(failure.error.code).toBe("invalid_target");
  });

  it("VIEW-50: the receiver is told the transferrer's name and the number of conversations", () => {
    const d = decide(processing("amy"), member("amy", "agent", { name: "Jess" }), { type: "transfer", to: member("bob", "agent") });
    if (!d.ok) throw new Error(d.error.code);
    const n = d.outcome.notifications[0];
    expect(n.memberId).toBe("bob");
    expect(n.text.startsWith("Jess ")).toBe(true);
    expect(n.text.endsWith("已將 1 個對話移轉給你。")).toBe(true);
  });
});

describe("batch delete and blacklist (VIEW-53)", () => {
  test.each(ROLES.map((r) => [r]))("VIEW-53: batch delete and blacklist for %s", (role) => {
    const expected = role === "admin" || role === "supervisor";
    expect(batchAllowedForRole(role, "delete")).toBe(expected);
    expect(batchAllowedForRole(role, "blacklist")).toBe(expected);
  });

  test.each(ROLES.map((r) => [r]))("VIEW-53: %s is not restricted by role for batch follow, close and reopen", (role) => {
    expect(batchAllowedForRole(role, "follow")).toBe(true);
    expect(batchAllowedForRole(role, "close")).toBe(true);
    expect(batchAllowedForRole(role, "reopen")).toBe(true);
  });
});

describe("size limits and summaries (VIEW-57)", () => {
  it("VIEW-57: batch follow and close run on the whole selection, beyond 20", () => {
    const selection = Array.from({ length: 50 }, () => pendingHuman());
    const follows = selection.map((c) => decide(c, member("amy", "agent"), { type: "follow" }));
    const closes = selection.map((c) => decide(c, member("amy", "agent"), { type: "close" }));
    expect(follows.filter((d) => d.ok)).toHaveLength(50);
    expect(closes.filter((d) => d.ok)).toHaveLength(50);
    expect(batchSummary("follow", 50, 0)).toBe("成功跟進 50 筆,失敗 0 筆");
  });

  it("VIEW-57: only transfer has a size limit", () => {
    expect(checkBatchTransfer(mine(MAX_BATCH_TRANSFER + 1))?.code).toBe("batch_limit");
    const reopen = Array.from({ length: 30 }, () => closed("amy")).map((c) => decide(c, member("amy", "agent"), { type: "reopen" }));
    expect(reopen.every((d) => d.ok)).toBe(true);
  });

  test.each([
    ["follow", "成功跟進 3 筆,失敗 1 筆"],
    ["transfer", "成功移轉 3 筆,失敗 1 筆"],
    ["close", "成功結束 3 筆,失敗 1 筆"],
    ["delete", "成功刪除 3 筆,失敗 1 筆"],
    ["blacklist", "成功加入黑名單 3 筆,失敗 1 筆"],
    ["reopen", "成功重啟 3 筆,失敗 1 筆"],
  ] as Array<[BatchAction, string]>)("VIEW-57: batch %s ends with a success/failure count summary", (action, text) => {
    expect(batchSummary(action, 3, 1)).toBe(text);
  });
});
