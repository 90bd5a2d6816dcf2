/** Percentiles (nearest rank) and rounding for the report. */

export interface Summary {
  count: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function summarize(values: number[]): Summary {
  const s = [...values].sort((a, b) => a - b);
  const mean = s.length ? s.reduce((a, b) => a + b, 0) / s.length : NaN;
  return { count: s.length, p50: r2(percentile(s, 50)), p90: r2(percentile(s, 90)), p95: r2(percentile(s, 95)), p99: r2(percentile(s, 99)), max: r2(s[s.length - 1] ?? NaN), mean: r2(mean) };
}

/** Two decimals (NaN stays NaN, written as null in JSON). */
export function r2(v: number): number {
  return Math.round(v * 100) / 100;
}

export const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
