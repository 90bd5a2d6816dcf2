/**
 * Runs due jobs. Handlers are registered per queue. `drain()` runs every job
 * due now before returning (the test clock uses it so that whatever falls
 * due after a jump has run when the call returns).
 */
import type { AppContext } from "../context.js";
import { claimJob, completeJob, failJob, backoffMs, type ClaimedJob, type QueueName } from "./queue.js";

export type JobHandler = (ctx: AppContext, job: ClaimedJob) => Promise<void>;

/** A handler throws this to say: do not retry. */
export class PermanentJobError extends Error {}
/** A handler throws this to ask for a retry at a given time. */
export class RetryJobError extends Error {
  constructor(message: string, readonly retryInMs?: number) {
    super(message);
  }
}

export class JobWorker {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private stopped = true;
  private again = false;
  constructor(
    private readonly ctx: AppContext,
    private readonly handlers: Partial<Record<QueueName, JobHandler>>,
    private readonly pollMs = 1000,
    private readonly lockMs = 60_000,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    while (this.running) await new Promise((r) => setTimeout(r, 10));
  }

  /** Called after a commit that enqueued work. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    if (this.running || this.stopped) return;
    try {
      await this.drain();
    } catch {
      // The database may be briefly unavailable; poll again later.
    } finally {
      if (!this.stopped) this.schedule(this.again ? 0 : this.pollMs);
      this.again = false;
    }
  }

  /** Runs jobs until none is due at the clock's current time. */
  async drain(limit = 10_000): Promise<number> {
    while (this.running) await new Promise((r) => setTimeout(r, 5));
    this.running = true;
    let n = 0;
    try {
      while (n < limit) {
        const job = await claimJob(this.ctx.db, this.ctx.clock.now(), this.lockMs);
        if (!job) break;
        n++;
        await this.run(job);
      }
    } finally {
      this.running = false;
    }
    return n;
  }

  private async run(job: ClaimedJob): Promise<void> {
    const handler = this.handlers[job.queue];
    const now = () => this.ctx.clock.now();
    if (!handler) return failJob(this.ctx.db, job, now(), `no handler for queue ${job.queue}`, null);
    try {
      await handler(this.ctx, job);
      await completeJob(this.ctx.db, job.id, now());
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (e instanceof PermanentJobError) return failJob(this.ctx.db, job, now(), msg, null);
      const wait = e instanceof RetryJobError && e.retryInMs !== undefined ? e.retryInMs : backoffMs(job.attempts);
      await failJob(this.ctx.db, job, now(), msg, new Date(now().getTime() + wait));
    }
  }
}
