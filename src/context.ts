/**
 * What every use case gets: the database, the clock, and the place to put
 * side effects that must only happen after the transaction commits.
 */
import type { Db, Tx, Backend } from "./store/db.js";
import type { Clock } from "./clock.js";
import type { RealtimeEvent } from "./realtime/events.js";
import type { ConfigCache } from "./store/config-cache.js";
import type { IngestBatcher } from "./usecases/ingest-batch.js";

export interface Publisher {
  publish(events: RealtimeEvent[]): void;
}

export interface AppContext {
  db: Db;
  backend: Backend;
  clock: Clock;
  publisher: Publisher;
  /** Channels and keyword rules as the inbound path reads them, cached per process (store/config-cache.ts). */
  configCache: ConfigCache;
  /** Group commit of customer messages (usecases/ingest-batch.ts); absent = one transaction per webhook. */
  ingest?: IngestBatcher;
  /** Wakes the job worker after a commit that enqueued work. */
  wakeJobs?: () => void;
  /** Where this server is reached from outside (config.publicUrl): links to stored media. */
  publicUrl?: string;
}

/** Side effects collected during a transaction, released after commit. */
export class Effects {
  readonly events: RealtimeEvent[] = [];
  jobsEnqueued = false;
  emit(e: RealtimeEvent): void {
    // counts.changed carries nothing but "refetch the counts": once per workspace per transaction (a
    // batch of new customers would otherwise send every console of the workspace one per customer).
    if (e.name === "counts.changed" && this.events.some((x) => x.name === e.name && x.workspaceId === e.workspaceId)) return;
    this.events.push(e);
  }
}

/**
 * Runs `fn` in one transaction; realtime events are published only after it
 * commits (principle 4: state, log and outbox in one transaction, then
 * listeners). `committed` runs first, before the events go out.
 */
export async function inTransaction<T>(ctx: AppContext, fn: (tx: Tx, fx: Effects) => Promise<T>, committed?: () => void): Promise<T> {
  const fx = new Effects();
  const result = await ctx.db.transaction().execute((tx) => fn(tx, fx));
  committed?.();
  if (fx.events.length) ctx.publisher.publish(fx.events);
  if (fx.jobsEnqueued) ctx.wakeJobs?.();
  return result;
}
