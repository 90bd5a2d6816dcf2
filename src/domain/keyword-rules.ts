/**
 * Keyword auto-reply and auto-assign rules (LIFE-8, LIFE-15, LIFE-19,
 * LIFE-20, LIFE-47): which rule an inbound text triggers. Pure: the rules
 * of a channel are read (and cached) by store/config-cache.ts.
 */

/** What matching needs of a stored rule. */
export interface RuleFacts {
  kind: string;
  keywords: string[];
  match_mode: string;
  states: string[];
}

export function matches(rule: Pick<RuleFacts, "keywords" | "match_mode">, text: string): boolean {
  const t = text.trim().toLowerCase();
  if (!t) return false;
  return rule.keywords.some((k) => {
    const kw = k.trim().toLowerCase();
    if (!kw) return false;
    return rule.match_mode === "exact" ? t === kw : t.includes(kw);
  });
}

/** The first rule of `kind` the text triggers; `rules` are in match order (priority, then age). */
export function firstMatch<R extends RuleFacts>(rules: readonly R[], kind: R["kind"], text: string | undefined): R | null {
  if (!text) return null;
  return rules.find((r) => r.kind === kind && matches(r, text)) ?? null;
}

/** LIFE-20: the state checklist is evaluated against the state after routing. */
export function replyApplies(rule: Pick<RuleFacts, "states">, state: "pending" | "processing" | "closed", queue: "human" | "bot" | null): boolean {
  const key = state === "pending" ? queue : state;
  return key !== null && rule.states.includes(key);
}
