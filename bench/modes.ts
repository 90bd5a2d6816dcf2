/**
 * How big and how long each phase is, per mode and backend. Full mode on
 * PostgreSQL is the scale (1,000,000 conversations, 10,000,000
 * messages, 500 msg/s with 200 sockets, 1,000 sockets for memory); PGlite,
 * one in-process connection running PostgreSQL compiled to WebAssembly,
 * stops at 100,000 conversations. Quick mode is a smaller look that fits in
 * a few minutes on a 2-core machine.
 */
import type { BackendKind } from "./setup.js";

export type Mode = "quick" | "full";

export interface Scale {
  mode: Mode;
  /** Generated conversations after each growth step; lists and search are measured at the last. */
  steps: number[];
  /** Agent members, one latency socket each. */
  agents: number;
  /** Distinct message texts (bench_templates). */
  templates: number;
  /** Conversations per generator statement. */
  chunk: number;
  /**
   * Alternating pipeline/baseline rounds of `roundMs` each (`growthRounds` at the later growth
   * steps), at the saturation concurrency: the one of `concurrencies` (webhooks in flight, each
   * tried for `sweepMs` first) where the pipeline stored the most messages per second.
   */
  ingest: { rounds: number; growthRounds: number; roundMs: number; concurrencies: number[]; sweepMs: number; newEvery: number };
  latency: { rate: number; durationMs: number; fanoutRate: number; fanoutDurationMs: number };
  memorySockets: number;
  lists: { repeats: number; deepPages: number; growthRepeats: number; growthDeepPages: number };
  /** Each term is timed `repeats` times, fewer (at least 3) once `budgetMs` is spent on it. */
  search: { repeats: number; budgetMs: number };
  /** The whole run is aborted (and cleaned up) after this long. */
  deadlineMs: number;
}

export function scaleFor(mode: Mode, backend: BackendKind): Scale {
  const pg = backend === "postgres";
  if (mode === "quick") {
    return {
      mode,
      steps: pg ? [5_000, 20_000, 50_000] : [2_000, 8_000, 20_000],
      agents: 50,
      templates: 5_000,
      chunk: pg ? 25_000 : 5_000,
      ingest: { rounds: 3, growthRounds: 2, roundMs: 2_500, concurrencies: [16, 64, 128, 256], sweepMs: 1_500, newEvery: 5 },
      latency: { rate: pg ? 100 : 50, durationMs: 8_000, fanoutRate: pg ? 10 : 5, fanoutDurationMs: 4_000 },
      memorySockets: 200,
      lists: { repeats: 15, deepPages: 5, growthRepeats: 5, growthDeepPages: 3 },
      search: { repeats: 5, budgetMs: 10_000 },
      deadlineMs: 15 * 60_000,
    };
  }
  return {
    mode,
    steps: pg ? [10_000, 100_000, 1_000_000] : [10_000, 30_000, 100_000],
    agents: 200,
    templates: 20_000,
    chunk: pg ? 50_000 : 10_000,
    ingest: { rounds: 5, growthRounds: 3, roundMs: 6_000, concurrencies: [16, 32, 64, 128, 256], sweepMs: 3_000, newEvery: 5 },
    latency: { rate: 500, durationMs: 30_000, fanoutRate: 25, fanoutDurationMs: 10_000 },
    memorySockets: 1_000,
    lists: { repeats: 50, deepPages: 20, growthRepeats: 15, growthDeepPages: 10 },
    search: { repeats: 20, budgetMs: 60_000 },
    deadlineMs: 4 * 3_600_000,
  };
}
