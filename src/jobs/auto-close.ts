import type { JobHandler } from "./worker.js";
import { runAutoClose, runAutoCloseReminder, type AutoCloseJob } from "../usecases/auto-close.js";

export const autoCloseJob: JobHandler = async (ctx, job) => {
  await runAutoClose(ctx, job.payload as unknown as AutoCloseJob);
};

export const autoCloseReminderJob: JobHandler = async (ctx, job) => {
  await runAutoCloseReminder(ctx, job.payload as unknown as AutoCloseJob);
};
