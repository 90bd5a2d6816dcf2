import { describe, expect, it, test } from "vitest";
import { nextWaitingSince, waitingLevel, WAITING_THRESHOLDS_MIN, WAITING_TOOLTIP, type SenderKind } from "../../src/domain/waiting.js";
import { decide } from "../../src/domain/lifecycle.js";
import { routeInbound } from "../../src/domain/routing.js";
import { member, processing } from "./fixtures.js";

const T0 = new Date("2025-03-01T09:00:00.000Z");
const at = (minutes: number, seconds = 0) => new Date(T0.getTime() + minutes * 60_000 + seconds * 1000);

const human = { state: "pending" as const, queue: "human" as const, waitingSince: T0 };
const proc = { state: "processing" as const, queue: null, waitingSince: T0 };

describe("waiting badges (VIEW-19)", () => {
  test.each([
    [0, 0, 0],
    [29, 59, 0],
    [30, 0, 30],
    [45, 0, 30],
    [59, 59, 30],
    [60, 0, 60],
    [119, 59, 60],
    [120, 0, 120],
    [600, 0, 120],
  ])("VIEW-19: after %i min %i s of waiting a pending/processing conversation shows level %i", (m, s, level) => {
    expect(waitingLevel(human, at(m, s))).toBe(level);
    expect(waitingLevel(proc, at(m, s))).toBe(level);
  });

  it("VIEW-19: the thresholds are 30 min, 1 h and 2 h", () => {
    expect([...WAITING_THRESHOLDS_MIN]).toEqual([30, 60, 120]);
  });

  it("VIEW-19: a bot auto-reply while the customer waits does not clear the reminder", () => {
    const since = nextWaitingSince(T0, "bot", at(31));
    expect(since).toEqual(T0);
    expect(waitingLevel({ ...human, waitingSince: since }, at(31))).toBe(30);
  });

  it("VIEW-19: a human reply clears the reminder", () => {
    const since = nextWaitingSince(T0, "agent", at(90));
    expect(since).toBeNull();
    expect(waitingLevel({ ...proc, waitingSince: since }, at(300))).toBe(0);
  });

  it("VIEW-19: without a waiting customer there is no badge", () => {
    expect(waitingLevel({ ...human, waitingSince: null }, at(500))).toBe(0);
  });
});

describe("bot queue (VIEW-20)", () => {
  test.each([[30], [60], [120], [1000]])("VIEW-20: a bot-queue conversation waiting %i min never shows the red circle", (m) => {
    expect(waitingLevel({ state: "pending", queue: "bot", waitingSince: T0 }, at(m))).toBe(0);
  });
});

describe("start and stop of waiting (VIEW-21)", () => {
  it("VIEW-21: waiting starts at the first customer message", () => {
    expect(nextWaitingSince(null, "customer", T0)).toEqual(T0);
  });

  it("VIEW-21: later customer messages do not restart the wait", () => {
    expect(nextWaitingSince(T0, "customer", at(20))).toEqual(T0);
  });

  test.each([["bot"], ["system"]] as Array<[SenderKind]>)("VIEW-21: a %s message does not stop the wait", (sender) => {
    expect(nextWaitingSince(T0, sender, at(5))).toEqual(T0);
    expect(nextWaitingSince(null, sender, at(5))).toBeNull();
  });

  it("VIEW-21: a team member's message stops the wait; the next customer message starts a new one", () => {
    let since: Date | null = null;
    since = nextWaitingSince(since, "customer", T0);
    since = nextWaitingSince(since, "agent", at(40));
    expect(since).toBeNull();
    since = nextWaitingSince(since, "customer", at(50));
    expect(since).toEqual(at(50));
    expect(waitingLevel({ ...proc, waitingSince: since }, at(79))).toBe(0);
    expect(waitingLevel({ ...proc, waitingSince: since }, at(80))).toBe(30);
  });

  it("VIEW-21: a closed conversation shows no badge", () => {
    expect(waitingLevel({ state: "closed", queue: null, waitingSince: T0 }, at(500))).toBe(0);
  });

  it("VIEW-21: thresholds are inclusive to the millisecond", () => {
    expect(waitingLevel(human, new Date(T0.getTime() + 30 * 60_000 - 1))).toBe(0);
    expect(waitingLevel(human, new Date(T0.getTime() + 30 * 60_000))).toBe(30);
  });

  it("VIEW-21: each level has its own tooltip 「已等候 30 分鐘 / 1 小時 / 2 小時」", () => {
    expect(WAITING_TOOLTIP[30].zh).toBe("已等候 30 分鐘");
    expect(WAITING_TOOLTIP[60].zh).toBe("已等候 1 小時");
    expect(WAITING_TOOLTIP[120].zh).toBe("已等候 2 小時");
    expect(new Set(Object.values(WAITING_TOOLTIP).map((t) => t.zh)).size).toBe(3);
  });
});

describe("bot queue → human queue (VIEW-22)", () => {
  it("VIEW-22: time spent in the bot queue counts once the conversation reaches the human queue", () => {
    // Customer writes a keyword at T0 (bot queue), then asks for a human at +50 min.
    let c = routeInbound(null, "individual", "text_keyword").next;
    let since = nextWaitingSince(null, "customer", T0);
    since = nextWaitingSince(since, "bot", at(1));
    expect(waitingLevel({ ...c, waitingSince: since }, at(50))).toBe(0);
    c = routeInbound(c, "individual", "request_human").next;
    since = nextWaitingSince(since, "customer", at(50));
    expect(c.queue).toBe("human");
    expect(waitingLevel({ ...c, waitingSince: since }, at(61))).toBe(60);
  });
});

describe("hand-over keeps the wait (LIFE-38)", () => {
  it("LIFE-38: after a transfer or take-over the conversation still shows the same waiting level", () => {
    const c = processing("amy");
    const transferred = decide(c, member("amy", "agent"), { type: "transfer", to: member("bob", "agent") });
    const taken = decide(c, member("jess", "admin"), { type: "take_over" });
    for (const d of [transferred, taken]) {
      expect(d.ok).toBe(true);
      if (d.ok) {
        expect(waitingLevel({ ...d.outcome.next, waitingSince: T0 }, at(65))).toBe(60);
      }
    }
  });
});
