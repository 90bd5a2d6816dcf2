/** The customer panel's conversation tools: the block toggle and the CSV export. */
import { z } from "zod";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { AppContext } from "../../context.js";
import { memberActorOf, IdParams } from "../http.js";
import { setConversationActive } from "../../usecases/set-conversation-active.js";
import { exportConversationCsv, checkExportAllowed } from "../../usecases/export-conversation.js";
import { enqueue } from "../../jobs/queue.js";
import { AppError } from "../../usecases/errors.js";
import { loadVisibleConversation } from "../../usecases/get-conversation.js";
import { setPinned } from "../../usecases/pin-conversation.js";

export const conversationToolRoutes = (ctx: AppContext, o: { mailConfigured?: boolean } = {}): FastifyPluginAsyncZod => async (app) => {
  app.post(
    "/api/conversations/:id/active",
    { schema: { tags: ["conversations"], description: "「狀態功能:有效」: off blocks the customer's messages on this conversation (PROF-31..PROF-33).", params: IdParams, body: z.object({ active: z.boolean() }) } },
    async (req) => setConversationActive(ctx, memberActorOf(req), req.params.id, req.body.active),
  );

  app.post("/api/conversations/:id/pin", { schema: { tags: ["conversations"], description: "Pin to the top of 我的處理中 (ADV-11).", params: IdParams } }, async (req) => setPinned(ctx, memberActorOf(req), req.params.id, true));
  app.delete("/api/conversations/:id/pin", { schema: { tags: ["conversations"], description: "Unpin (ADV-11).", params: IdParams } }, async (req) => setPinned(ctx, memberActorOf(req), req.params.id, false));

  app.post(
    "/api/conversations/:id/export-email",
    { schema: { tags: ["conversations"], description: "Email the conversation's CSV to the requesting administrator (PROF-35, PROF-40); sent by a durable job.", params: IdParams } },
    async (req, reply) => {
      const a = memberActorOf(req);
      // Another workspace's conversation is 404 for every role, before the role rule (PROF-38).
      await loadVisibleConversation(ctx.db, a, req.params.id);
      await checkExportAllowed(ctx, a);
      if (!o.mailConfigured) throw new AppError("unavailable", "此伺服器尚未設定寄信 (SMTP_URL)", { messageEn: "Email is not configured on this server (SMTP_URL)" });
      await enqueue(ctx.db, null, "export_email", { workspaceId: a.workspaceId, conversationId: req.params.id, memberId: a.memberId }, ctx.clock.now());
      ctx.wakeJobs?.();
      return reply.status(202).send({ queued: true });
    },
  );

  app.get(
    "/api/conversations/:id/export.csv",
    { schema: { tags: ["conversations"], description: "Export the conversation as CSV (administrators, when the workspace has the feature; PROF-35..PROF-40).", params: IdParams } },
    async (req, reply) => {
      const a = memberActorOf(req);
      // Another workspace's conversation is 404 for every role, before the role rule (PROF-38).
      await loadVisibleConversation(ctx.db, a, req.params.id);
      const { fileName, csv } = await exportConversationCsv(ctx, a, req.params.id);
      return reply.header("content-type", "text/csv; charset=utf-8").header("content-disposition", `attachment; filename="${fileName}"`).send(csv);
    },
  );
};
