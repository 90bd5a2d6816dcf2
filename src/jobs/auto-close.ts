import type { JobHandler } from "./worker.js";
import { runAutoClose } from "../usecases/auto-close.js";

export const autoCloseJob: JobHandler = async (ctx, job) => {
  await runAutoClose(ctx, job.payload as { conversationId: string; workspaceId: string; replyAt: string });
};
