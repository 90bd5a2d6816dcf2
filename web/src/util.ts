/** Small helpers without React. */

/** A UUID even outside secure contexts (crypto.randomUUID needs https or localhost). */
export function uuid(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** First visible character of a name, for avatars. */
export function initialOf(name: string | null | undefined): string {
  const s = (name ?? "").trim();
  return s ? [...s][0].toUpperCase() : "?";
}

const sameDay = (a: Date, b: Date) => a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();

/** List time: 14:05 today, 3/2 this year, 2025/3/2 before. */
export function listTime(iso: string, language: string, now = new Date()): string {
  const d = new Date(iso);
  if (sameDay(d, now)) return new Intl.DateTimeFormat(language, { hour: "2-digit", minute: "2-digit", hour12: false }).format(d);
  if (d.getFullYear() === now.getFullYear()) return new Intl.DateTimeFormat(language, { month: "numeric", day: "numeric" }).format(d);
  return new Intl.DateTimeFormat(language, { year: "numeric", month: "numeric", day: "numeric" }).format(d);
}

export function fullTime(iso: string, language: string): string {
  return new Intl.DateTimeFormat(language, { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false }).format(new Date(iso));
}

export function clockTime(iso: string, language: string): string {
  return new Intl.DateTimeFormat(language, { hour: "2-digit", minute: "2-digit", hour12: false }).format(new Date(iso));
}

export function dayLabel(iso: string, language: string): string {
  return new Intl.DateTimeFormat(language, { year: "numeric", month: "long", day: "numeric", weekday: "short" }).format(new Date(iso));
}

export { sameDay };

/** Class names, skipping falsy ones. */
export function cls(...names: (string | false | null | undefined)[]): string {
  return names.filter(Boolean).join(" ");
}
