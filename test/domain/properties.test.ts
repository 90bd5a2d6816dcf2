/**
 * Property-based tests: random command sequences from a new conversation,
 * applying only the successful decisions, with the lifecycle invariants
 * checked after every step and the state log replayed at the end.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ACTIONS, autoClose, availableActions, decide, returnOnDeactivation, type Action, type Command, type Outcome } from "../../src/domain/lifecycle.js";
import { routeInbound, type RoutingRow } from "../../src/domain/routing.js";
import { canView, type ConversationFacts, type ConversationKind, type MemberFacts, type Queue } from "../../src/domain/conversation.js";
import { ROLES, can, type Role } from "../../src/domain/roles.js";
import { TEXT, type DomainError, type DomainErrorCode } from "../../src/domain/errors.js";
import { LOG_TEXT, type LogEntry } from "../../src/domain/status-log.js";

const ROWS: RoutingRow[] = [
  "rich_menu_bot_card",
  "rich_menu_text_inbox",
  "rich_menu_text_line_console",
  "community_code",
  "fb_get_started",
  "fb_persistent_menu",
  "text_keyword",
  "text",
  "media",
  "request_human",
];

const ERROR_CODES: DomainErrorCode[] = [
  "state_changed",
  "forbidden",
  "not_allowed_in_state",
  "invalid_target",
  "batch_limit",
  "batch_not_transferable",
  "not_reopenable",
  "not_visible",
  "member_inactive",
  "validation",
];
const ZH_TEXTS = new Set<string>(Object.values(TEXT).map((t) => t.zh));
const CJK = /[\u4e00-\u9fff]/;

type Op =
  | { t: "cmd"; who: number; action: Action; target: number }
  | { t: "inbound"; row: RoutingRow; assign: number | null }
  | { t: "autoClose" }
  | { t: "deactivate"; who: number };

const teamArb = fc.array(
  fc.record({ role: fc.constantFrom<Role>(...ROLES), active: fc.constantFrom(true, true, true, false) }),
  { minLength: 2, maxLength: 6 },
);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ t: fc.constant("cmd" as const), who: fc.nat(5), action: fc.constantFrom<Action>(...ACTIONS), target: fc.nat(5) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("inbound" as const), row: fc.constantFrom(...ROWS), assign: fc.option(fc.nat(5), { freq: 3 }) }) },
  { weight: 1, arbitrary: fc.constant({ t: "autoClose" as const }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("deactivate" as const), who: fc.nat(5) }) },
);

interface Scenario {
  kind: ConversationKind;
  team: Array<{ role: Role; active: boolean }>;
  firstRow: RoutingRow;
  firstAssign: number | null;
  ops: Op[];
}

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  kind: fc.constantFrom<ConversationKind>("individual", "individual", "group"),
  team: teamArb,
  firstRow: fc.constantFrom(...ROWS),
  firstAssign: fc.option(fc.nat(5), { freq: 4 }),
  ops: fc.array(opArb, { maxLength: 40 }),
});

type Replayed = { state: ConversationFacts["state"] | null; queue: Queue | null; followerId: string | null; lastHandlerId: string | null };

/** Rebuilds state, queue, follower and last handler from the state log alone (LIFE-41). */
function replay(log: readonly LogEntry[]): Replayed {
  const s: Replayed = { state: null, queue: null, followerId: null, lastHandlerId: null };
  const toProcessing = (who: string) => {
    s.state = "processing";
    s.queue = null;
    s.followerId = who;
    s.lastHandlerId = who;
  };
  for (const e of log) {
    switch (e.kind) {
      case "created":
      case "routed":
        if (e.data.to === "processing") {
          s.state = "processing";
          s.queue = null;
          s.followerId = s.lastHandlerId;
        } else {
          s.state = "pending";
          s.queue = e.data.queue as Queue;
          s.followerId = null;
        }
        break;
      case "auto_assigned":
        toProcessing(e.data.memberId as string);
        break;
      case "followed":
      case "taken_over":
      case "reopened":
        toProcessing(e.actorId!);
        break;
      case "transferred":
        toProcessing(e.data.toMemberId as string);
        break;
      case "closed":
        s.lastHandlerId = e.data.from === "processing" ? s.followerId : e.actorId;
        s.state = "closed";
        s.queue = null;
        s.followerId = null;
        break;
      case "auto_closed":
        s.lastHandlerId = s.followerId;
        s.state = "closed";
        s.queue = null;
        s.followerId = null;
        break;
      case "returned_to_queue":
        s.state = "pending";
        s.queue = "human";
        s.followerId = null;
        break;
      default:
        throw new Error(`unexpected log kind ${e.kind}`);
    }
  }
  return s;
}

function checkInvariants(c: ConversationFacts, team: readonly MemberFacts[]): void {
  const states = (["pending", "processing", "closed"] as const).filter((s) => s === c.state);
  expect(states).toHaveLength(1);
  expect(c.state === "pending").toBe(c.queue !== null && c.followerId === null);
  expect(c.state === "processing").toBe(c.followerId !== null);
  expect(c.state === "closed").toBe(c.followerId === null && c.queue === null);
  if (c.state === "processing") {
    expect(c.queue).toBeNull();
    // LIFE-34: the follower is the one who will keep it in 我的已結束.
    expect(c.lastHandlerId).toBe(c.followerId);
  }
  if (c.queue !== null) expect(["human", "bot"]).toContain(c.queue);
  if (c.followerId !== null) expect(team.map((m) => m.id)).toContain(c.followerId);
  // LIFE-12 / GROUP-2: a group conversation never leaves the human queue for the bot queue
  // and is never followed by a role that cannot use groups.
  if (c.kind === "group") {
    expect(c.queue).not.toBe("bot");
    if (c.followerId !== null) expect(can(team.find((m) => m.id === c.followerId)!.role, "use_groups")).toBe(true);
  }
  expect(c.collaboratorIds).toEqual([]);
}

function checkRefusal(e: DomainError): void {
  expect(ERROR_CODES).toContain(e.code);
  expect(e.message).toMatch(CJK);
  expect(ZH_TEXTS.has(e.message)).toBe(true);
  expect(e.messageEn.length).toBeGreaterThan(0);
}

function checkLogTexts(entries: readonly LogEntry[]): void {
  for (const e of entries) {
    expect(e.text).toMatch(CJK);
    if (e.kind === "auto_closed") expect(e.text).toBe(LOG_TEXT.autoClosed());
    if (["created", "routed", "auto_assigned", "auto_closed", "returned_to_queue"].includes(e.kind)) expect(e.actorId).toBeNull();
    if (["followed", "taken_over", "transferred", "closed", "reopened"].includes(e.kind)) expect(e.actorId).not.toBeNull();
  }
}

function validTarget(c: ConversationFacts, to: MemberFacts): boolean {
  return to.active && to.id !== c.followerId && (c.kind === "individual" || can(to.role, "use_groups"));
}

interface Run {
  final: ConversationFacts;
  log: LogEntry[];
  team: MemberFacts[];
  refusals: number;
}

/** Runs one scenario, checking invariants after every step. */
function run(s: Scenario): Run {
  const team: MemberFacts[] = s.team.map((m, i) => ({ id: `m${i}`, name: `成員${i}`, role: m.role, active: m.active }));
  const pick = (i: number) => team[i % team.length];
  const first = routeInbound(null, s.kind, s.firstRow, s.firstAssign === null ? null : pick(s.firstAssign));
  let c = first.next;
  const log: LogEntry[] = [...first.log];
  let refusals = 0;
  checkInvariants(c, team);

  const apply = (o: Outcome | { next: ConversationFacts; log: LogEntry[] }) => {
    checkLogTexts(o.log);
    c = o.next;
    log.push(...o.log);
  };

  for (const op of s.ops) {
    const before = c;
    switch (op.t) {
      case "cmd": {
        const m = pick(op.who);
        const to = pick(op.target);
        const command: Command = op.action === "transfer" ? { type: "transfer", to } : { type: op.action };
        const follower = team.find((x) => x.id === c.followerId);
        const d = decide(c, m, command, { follower: follower?.name });
        const offered = availableActions(c, m).includes(op.action);
        const expectedOk = offered && (op.action !== "transfer" || validTarget(c, to));
        expect(d.ok).toBe(expectedOk);
        if (d.ok) {
          expect(d.outcome.followerChanged).toBe(d.outcome.next.followerId !== null && d.outcome.next.followerId !== before.followerId);
          if (op.action === "take_over") expect(d.outcome.log[0].text).toBe(LOG_TEXT.takenOver(m.name, follower!.name));
          apply(d.outcome);
        } else {
          refusals++;
          checkRefusal(d.error);
          // LIFE-36: a refused action leaves no trace.
          expect(c).toBe(before);
        }
        break;
      }
      case "inbound": {
        const r = routeInbound(c, s.kind, op.row, op.assign === null ? null : pick(op.assign));
        expect(r.moved).toBe(r.log.length > 0);
        if (before.state === "processing" || (before.state === "pending" && before.queue === "human")) expect(r.moved).toBe(false);
        apply(r);
        break;
      }
      case "autoClose": {
        const o = autoClose(c);
        expect(o === null).toBe(c.state !== "processing");
        if (o) apply(o);
        break;
      }
      case "deactivate": {
        const m = pick(op.who);
        m.active = false;
        const o = returnOnDeactivation(c, m);
        expect(o === null).toBe(!(c.state === "processing" && c.followerId === m.id));
        if (o) apply(o);
        break;
      }
    }
    checkInvariants(c, team);
  }
  return { final: c, log, team, refusals };
}

const RUNS = { numRuns: 400 };

describe("lifecycle properties", () => {
  it("LIFE-5: after every step of any command sequence the conversation is in exactly one consistent state", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        run(s);
      }),
      RUNS,
    );
  });

  it("LIFE-5: pending ⇔ queue set and no follower; processing ⇔ follower set; closed ⇔ neither (final state)", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { final: c } = run(s);
        const pending = c.queue !== null && c.followerId === null;
        const processing = c.followerId !== null && c.queue === null;
        const closed = c.followerId === null && c.queue === null;
        expect([pending, processing, closed].filter(Boolean)).toHaveLength(1);
        const derived = pending ? "pending" : processing ? "processing" : "closed";
        expect(derived).toBe(c.state);
      }),
      RUNS,
    );
  });

  it("LIFE-36: every refused member gets a DomainError with a code and a Chinese message", () => {
    fc.assert(
      fc.property(scenarioArb, fc.constantFrom<Role>(...ROLES), fc.constantFrom<Action>(...ACTIONS), fc.boolean(), (s, role, action, active) => {
        const { final: c, team } = run(s);
        const m: MemberFacts = { id: "outsider", name: "外人", role, active };
        const to = team[0];
        const d = decide(c, m, action === "transfer" ? { type: "transfer", to } : { type: action });
        if (!d.ok) checkRefusal(d.error);
        else expect(availableActions(c, m)).toContain(action);
      }),
      RUNS,
    );
  });

  it("LIFE-41: replaying the state log reproduces the final state, queue, follower and last handler", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { final: c, log } = run(s);
        expect(log[0].kind).toBe("created");
        const r = replay(log);
        expect(r.state).toBe(c.state);
        expect(r.queue).toBe(c.queue);
        expect(r.followerId).toBe(c.followerId);
        if (c.state !== "pending") expect(r.lastHandlerId).toBe(c.lastHandlerId);
      }),
      RUNS,
    );
  });

  it("LIFE-41: every state-log entry records a state transition (no empty entries)", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { log } = run(s);
        // Each entry records a transition: replaying one more entry always
        // changes the state, the queue or the follower.
        let prev = replay(log.slice(0, 1));
        expect(prev.state).not.toBeNull();
        for (let i = 2; i <= log.length; i++) {
          const r = replay(log.slice(0, i));
          const changed = prev.state !== r.state || prev.queue !== r.queue || prev.followerId !== r.followerId;
          expect(changed).toBe(true);
          prev = r;
        }
      }),
      RUNS,
    );
  });

  it("LIFE-36: when two members race to follow a pending conversation, the later one gets 「此對話狀態已變更,請重新整理」", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<ConversationKind>("individual", "group"),
        fc.constantFrom<Queue>("human", "bot"),
        fc.constantFrom<Role>(...ROLES),
        fc.constantFrom<Role>(...ROLES),
        (kind, queue, r1, r2) => {
          const c: ConversationFacts = { state: "pending", queue: kind === "group" ? "human" : queue, followerId: null, lastHandlerId: null, kind, collaboratorIds: [], reopenable: true };
          const a: MemberFacts = { id: "a", name: "A", role: r1, active: true };
          const b: MemberFacts = { id: "b", name: "B", role: r2, active: true };
          fc.pre(kind === "individual" || (can(r1, "use_groups") && can(r2, "use_groups")));
          const first = decide(c, a, { type: "follow" });
          expect(first.ok).toBe(true);
          if (!first.ok) return;
          const second = decide(first.outcome.next, b, { type: "follow" });
          expect(second.ok).toBe(false);
          if (!second.ok) {
            expect(second.error.code).toBe("state_changed");
            expect(second.error.message).toBe(TEXT.stateChanged.zh);
          }
        },
      ),
      RUNS,
    );
  });

  it("LIFE-5: refusals and successes are both exercised by the generator (sanity of the property tests)", () => {
    const samples = fc.sample(scenarioArb, { numRuns: 300, seed: 42 });
    let refusals = 0;
    let moves = 0;
    for (const s of samples) {
      const r = run(s);
      refusals += r.refusals;
      moves += r.log.length;
    }
    expect(refusals).toBeGreaterThan(0);
    expect(moves).toBeGreaterThan(samples.length);
  });

  it("LIFE-5: a member who may view the conversation is offered exactly the actions decide accepts", () => {
    fc.assert(
      fc.property(scenarioArb, fc.nat(5), (s, who) => {
        const { final: c, team } = run(s);
        const m = team[who % team.length];
        for (const a of ACTIONS) {
          if (a === "transfer") continue;
          expect(decide(c, m, { type: a }).ok).toBe(availableActions(c, m).includes(a));
        }
        if (!canView(c, m)) expect(availableActions(c, m)).toEqual([]);
      }),
      RUNS,
    );
  });
});
