/**
 * Keyword auto-reply and auto-assign rules (LIFE-8, LIFE-15, LIFE-19,
 * LIFE-20, LIFE-47): which rule an inbound text triggers.
 */
import type { Tx } from "../store/db.js";
import type { KeywordRuleRow } from "../store/schema.js";
import type { Selectable } from "kysely";

export type KeywordRule = Selectable<KeywordRuleRow>;

export function matches(rule: Pick<KeywordRule, "keywords" | "match_mode">, text: string): boolean {
  const t = text.trim().toLowerCase();
  if (!t) return false;
  return rule.keywords.some((k) => {
    const kw = k.trim().toLowerCase();
    if (!kw) return false;
    return rule.match_mode === "exact" ? t === kw : t.includes(kw);
  });
}

export async function loadRules(tx: Tx, workspaceId: string, channelId: string): Promise<KeywordRule[]> {
  const rows = await tx
    .selectFrom("keyword_rules")
    .selectAll()
    .where("workspace_id", "=", workspaceId)
    .where("active", "=", true)
    .orderBy("priority", "desc")
    .orderBy("created_at")
    .execute();
  return rows.filter((r) => !r.channel_ids || r.channel_ids.length === 0 || r.channel_ids.includes(channelId));
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
