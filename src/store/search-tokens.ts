/**
 * Tokens for message search. pg_trgm cannot index two-character queries and
 * most Chinese words are two characters, so CJK text is indexed as bigrams
 * and other text as word trigrams (short words whole). Any CJK substring of
 * two or more characters, and any Latin substring of three or more, is then
 * a containment query on a GIN index (`search_tokens @> query_tokens`),
 * rechecked with ILIKE.
 */
const CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]/u;
const MAX_TOKENS = 512;

function* runs(text: string): Generator<{ cjk: boolean; s: string }> {
  let cur = "";
  let curCjk = false;
  for (const ch of text.normalize("NFKC").toLowerCase()) {
    const isCjk = CJK.test(ch);
    const isWord = isCjk || /[\p{L}\p{N}]/u.test(ch);
    if (!isWord) {
      if (cur) yield { cjk: curCjk, s: cur };
      cur = "";
      continue;
    }
    if (cur && isCjk !== curCjk) {
      yield { cjk: curCjk, s: cur };
      cur = "";
    }
    curCjk = isCjk;
    cur += ch;
  }
  if (cur) yield { cjk: curCjk, s: cur };
}

function grams(s: string, n: number): string[] {
  const chars = [...s];
  if (chars.length <= n) return [chars.join("")];
  const out: string[] = [];
  for (let i = 0; i + n <= chars.length; i++) out.push(chars.slice(i, i + n).join(""));
  return out;
}

/** Tokens stored with a message. */
export function indexTokens(text: string): string[] {
  const set = new Set<string>();
  for (const r of runs(text)) {
    for (const g of grams(r.s, r.cjk ? 2 : 3)) {
      set.add(g);
      if (set.size >= MAX_TOKENS) return [...set];
    }
  }
  return [...set];
}

/**
 * Tokens a query must contain. Empty when the query is too short to use the
 * index (one CJK character, or a Latin fragment under three letters that is
 * not a whole short word); callers then fall back to a bounded scan.
 */
export function queryTokens(query: string): string[] {
  return indexTokens(query);
}
