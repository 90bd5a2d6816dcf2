/**
 * Keyword auto-reply and auto-assign rules (LIFE-8, LIFE-15, LIFE-19,
 * LIFE-20, LIFE-47): which rule an inbound text triggers. The rules of a
 * channel are read (and cached) by store/config-cache.ts.
 */
import type { KeywordRule } from "../store/config-cache.js";

export type { KeywordRule };

export function matches(rule: Pick<KeywordRule, "keywords" | "match_mode">, text: string): boolean {
  const t = text.trim().toLowerCase();
  if (!t) return false;
  return rule.keywords.some((k) => {
    const kw = k.trim().toLowerCase();
    if (!kw) return false;
    return rule.match_mode === "exact" ? t === kw : t.includes(kw);
  });
}

export function firstMatch(rules: KeywordRule[], kind: KeywordRule["kind"], text: string | undefined): KeywordRule | null {
  if (!text) return null;
  return rules.find((r) => r.kind === kind && matches(r, text)) ?? null;
}

/** LIFE-20: the state checklist is evaluated against the state after routing. */
export function replyApplies(rule: KeywordRule, state: "pending" | "processing" | "closed", queue: "human" | "bot" | null): boolean {
  const key = state === "pending" ? queue : state;
  return key !== null && rule.states.includes(key);
}
