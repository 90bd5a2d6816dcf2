/**
 * Day ranges picked with <input type="date"> (YYYY-MM-DD, the browser's
 * time zone), as the API's from/to: from = the start of the first day, to =
 * the start of the day after the last one (the server's `to` is exclusive),
 * both ISO datetimes with the local offset. No React.
 */

const DAY_MS = 86_400_000;

/** "2026-03-02" → the Date of that day's local midnight, plus `addDays`; null for anything else. */
function localDay(day: string, addDays = 0): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + addDays);
  return Number.isNaN(d.getTime()) ? null : d;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** An ISO datetime with the local offset: 2026-03-02T00:00:00+08:00. */
export function isoWithOffset(d: Date): string {
  const off = -d.getTimezoneOffset();
  const sign = off < 0 ? "-" : "+";
  const abs = Math.abs(off);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** The value of a date input for today (or `addDays` from today). */
export function dayInput(addDays = 0, now = new Date()): string {
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() + addDays);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export interface DayRange {
  from?: string;
  to?: string;
  /** "order": the last day is before the first; "tooLong": more than maxDays (the tag export's limit). */
  problem?: "order" | "tooLong";
}

/** The API range of two date inputs; an empty input leaves that end open. */
export function dayRange(fromDay: string, toDay: string, maxDays?: number): DayRange {
  const start = localDay(fromDay);
  const end = localDay(toDay, 1);
  const range: DayRange = { from: start ? isoWithOffset(start) : undefined, to: end ? isoWithOffset(end) : undefined };
  if (start && end && end <= start) return { ...range, problem: "order" };
  // The server's own test (src/usecases/export-tags.ts): to - from > maxDays × 24 h.
  if (start && end && maxDays !== undefined && end.getTime() - start.getTime() > maxDays * DAY_MS) return { ...range, problem: "tooLong" };
  return range;
}
