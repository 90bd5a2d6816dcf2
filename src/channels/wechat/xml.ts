/**
 * A deliberately tiny reader for WeChat's push XML: one <xml> root whose children are
 * leaf elements holding CDATA or plain text. It is not a general XML parser:
 * - no DOCTYPE, no external or custom entities (nothing to expand → no XXE, no billion laughs);
 *   only the five predefined entities and numeric character references are decoded;
 * - linear scanning with indexOf, no backtracking regular expressions over the input;
 * - nested children (e.g. SendPicsInfo) are kept as their raw inner text;
 * - the first occurrence of a tag wins; names go into a Map so "__proto__" is just a key.
 */

const MAX_INPUT = 1 << 20; // WeChat pushes are a few hundred bytes.
const NAME = /[A-Za-z_][A-Za-z0-9_.-]*/y;
const ENTITY = /&(lt|gt|amp|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});/g;
const NAMED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  return s.replace(ENTITY, (whole, e: string) => {
    if (e[0] !== "#") return NAMED[e];
    const cp = e[1] === "x" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : whole;
  });
}

/**
 * Value of an element's inner text. CDATA is verbatim (a customer's leading/trailing spaces are
 * kept); plain text is entity-decoded and trimmed, and whitespace between sections is layout.
 */
function innerValue(inner: string): string {
  const parts: { cdata: boolean; text: string }[] = [];
  let pos = 0;
  while (pos < inner.length) {
    const cd = inner.indexOf("<![CDATA[", pos);
    if (cd < 0) {
      parts.push({ cdata: false, text: decodeEntities(inner.slice(pos)) });
      break;
    }
    parts.push({ cdata: false, text: decodeEntities(inner.slice(pos, cd)) });
    const end = inner.indexOf("]]>", cd + 9);
    parts.push({ cdata: true, text: inner.slice(cd + 9, end < 0 ? inner.length : end) });
    pos = end < 0 ? inner.length : end + 3;
  }
  const kept = parts.filter((p) => p.cdata || p.text.trim() !== "");
  const joined = kept.map((p) => p.text).join("");
  return kept.every((p) => p.cdata) ? joined : joined.trim();
}

/** Finds `</name>` after `from`, skipping CDATA sections (which may contain anything). */
function findClose(xml: string, name: string, from: number, limit: number): number {
  const close = `</${name}>`;
  let pos = from;
  while (pos < limit) {
    const c = xml.indexOf(close, pos);
    if (c < 0 || c >= limit) return -1;
    const cd = xml.indexOf("<![CDATA[", pos);
    if (cd < 0 || cd > c) return c;
    const cdEnd = xml.indexOf("]]>", cd + 9);
    if (cdEnd < 0) return -1;
    pos = cdEnd + 3;
  }
  return -1;
}

/** Returns the root's child elements, or null when there is no <xml>…</xml> root. */
export function parseFlatXml(xml: unknown): Map<string, string> | null {
  if (typeof xml !== "string" || xml.length > MAX_INPUT) return null;
  const open = xml.indexOf("<xml>");
  const end = xml.lastIndexOf("</xml>");
  if (open < 0 || end < open) return null;
  const fields = new Map<string, string>();
  let pos = open + 5;
  while (pos < end) {
    const lt = xml.indexOf("<", pos);
    if (lt < 0 || lt >= end) break;
    if (xml.startsWith("<!--", lt)) {
      const c = xml.indexOf("-->", lt + 4);
      pos = c < 0 ? end : c + 3;
      continue;
    }
    if (xml.startsWith("<![CDATA[", lt)) {
      const c = xml.indexOf("]]>", lt + 9);
      pos = c < 0 ? end : c + 3;
      continue;
    }
    NAME.lastIndex = lt + 1;
    const m = NAME.exec(xml);
    const gt = xml.indexOf(">", lt + 1);
    if (!m || gt < 0 || gt >= end) {
      // "</stray>", "<?pi?>", "<!DOCTYPE …>" or garbage: skip past it, never interpret it.
      pos = gt < 0 ? end : gt + 1;
      continue;
    }
    const name = m[0];
    if (xml[gt - 1] === "/") {
      if (!fields.has(name)) fields.set(name, "");
      pos = gt + 1;
      continue;
    }
    const close = findClose(xml, name, gt + 1, end);
    if (close < 0) break; // unterminated element: keep what was read so far
    if (!fields.has(name)) fields.set(name, innerValue(xml.slice(gt + 1, close)));
    pos = close + name.length + 3;
  }
  return fields;
}
