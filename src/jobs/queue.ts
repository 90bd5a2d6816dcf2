/**
 * Durable work in the database (a transactional outbox). A job is written in
 * the same transaction as the change that causes it, so a crash can never
 * keep the change and lose the job; a worker claims due jobs with
 * FOR UPDATE SKIP LOCKED, and a job whose worker died is claimed again when
 * its lock expires.
 */
import { sql } from "kysely";
import type { Db, Tx } from "../store/db.js";
import type { Effects } from "../context.js";

export const QUEUES = ["deliver", "auto_close", "auto_close_reminder", "export_email", "fetch_media"] as const;
export type QueueName = (typeof QUEUES)[number];

export async function enqueue(
  tx: Tx | Db,
  fx: Effects | null,
  queue: QueueName,
  payload: Record<string, unknown>,
  runAt: Date,
  opts: { dedupeKey?: string; maxAttempts?: number; createdAt?: Date } = {},
): Promise<void> {
  await tx
    .insertInto("jobs")
    .values({
      queue,
      payload: JSON.stringify(payload),
      dedupe_key: opts.dedupeKey ?? null,
      run_at: runAt,
      max_attempts: opts.maxAttempts ?? 8,
      locked_until: null,
      last_error: null,
      created_at: opts.createdAt ?? runAt,
      finished_at: null,
    })
    .onConflict((oc) => oc.column("dedupe_key").doNothing())
    .execute();
  if (fx) fx.jobsEnqueued = true;
}

export interface ClaimedJob {
  id: string;
  queue: QueueName;
  payload: Record<string, unknown>;
  attempts: number;
  max_attempts: number;
}

export async function claimJob(db: Db, now: Date, lockMs: number): Promise<ClaimedJob | null> {
  const res = await sql<ClaimedJob>`
    update jobs set status = 'running', attempts = attempts + 1, locked_until = ${new Date(now.getTime() + lockMs)}
    where id = (
      select id from jobs
      where (status = 'queued' and run_at <= ${now})
         or (status = 'running' and locked_until < ${now})
      order by run_at, id
      for update skip locked
      limit 1
    )
    returning id, queue, payload, attempts, max_attempts`.execute(db);
  const row = res.rows[0];
  if (!row) return null;
  return { ...row, id: String(row.id), payload: typeof row.payload === "string" ? JSON.parse(row.payload) : row.payload };
}

export async function completeJob(db: Db, id: string, now: Date): Promise<void> {
  await db.updateTable("jobs").set({ status: "done", finished_at: now, locked_until: null }).where("id", "=", id).execute();
}

export async function failJob(db: Db, job: ClaimedJob, now: Date, error: string, retryAt: Date | null): Promise<void> {
  const final = retryAt === null || job.attempts >= job.max_attempts;
  await db
    .updateTable("jobs")
    .set(final
      ? { status: "failed", finished_at: now, last_error: error, locked_until: null }
      : { status: "queued", run_at: retryAt!, last_error: error, locked_until: null })
    .where("id", "=", job.id)
    .execute();
}

/** Exponential backoff with a cap: 2 s, 4 s, 8 s … 5 min. */
export function backoffMs(attempt: number): number {
  return Math.min(300_000, 1000 * 2 ** attempt);
}
