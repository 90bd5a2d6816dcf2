/** Shared builders for the domain tests (not a test file itself). */
import { expect } from "vitest";
import type { ConversationFacts, MemberFacts } from "../../src/domain/conversation.js";
import type { Role } from "../../src/domain/roles.js";
import type { Decision, Outcome } from "../../src/domain/lifecycle.js";
import type { DomainError } from "../../src/domain/errors.js";

export const MANAGER_ROLES: readonly Role[] = ["admin", "supervisor", "cs_manager"];
export const NON_MANAGER_ROLES: readonly Role[] = ["agent", "sales_manager", "sales", "marketing_agent"];
export const SALES_ROLES: readonly Role[] = ["sales_manager", "sales"];
export const GROUP_ROLES: readonly Role[] = ["admin", "supervisor", "cs_manager", "agent", "marketing_agent"];

export function member(id: string, role: Role, over: Partial<MemberFacts> = {}): MemberFacts {
  return { id, name: id, role, active: true, ...over };
}

export function conv(over: Partial<ConversationFacts> = {}): ConversationFacts {
  return {
    state: "pending",
    queue: "human",
    followerId: null,
    lastHandlerId: null,
    kind: "individual",
    collaboratorIds: [],
    reopenable: true,
    ...over,
  };
}

export const pendingHuman = (over: Partial<ConversationFacts> = {}) => conv({ state: "pending", queue: "human", ...over });
export const pendingBot = (over: Partial<ConversationFacts> = {}) => conv({ state: "pending", queue: "bot", ...over });
export const processing = (followerId: string, over: Partial<ConversationFacts> = {}) =>
  conv({ state: "processing", queue: null, followerId, lastHandlerId: followerId, ...over });
export const closed = (lastHandlerId: string | null, over: Partial<ConversationFacts> = {}) =>
  conv({ state: "closed", queue: null, followerId: null, lastHandlerId, ...over });

/** Unwraps a successful decision, failing the test with the refusal otherwise. */
export function okOutcome(d: Decision): Outcome {
  if (!d.ok) throw new Error(`expected success, got ${d.error.code}: ${d.error.message}`);
  return d.outcome;
}

/** Unwraps a refusal, failing the test if the decision succeeded. */
export function refusal(d: Decision): DomainError {
  if (d.ok) throw new Error(`expected a refusal, got next state ${JSON.stringify(d.outcome.next)}`);
  return d.error;
}

const CJK = /[\u4e00-\u9fff]/;

/** A refusal carries a stable code, a Chinese UI text and an English text. */
export function expectWellFormedError(e: DomainError): void {
  expect(typeof e.code).toBe("string");
  expect(e.code.length).toBeGreaterThan(0);
  expect(e.message).toMatch(CJK);
  expect(e.messageEn).toMatch(/[A-Za-z]/);
}
