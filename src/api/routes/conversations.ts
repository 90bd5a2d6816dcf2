import { z } from "zod";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { AppContext } from "../../context.js";
import { VIEWS } from "../../domain/conversation.js";
import { BATCH_ACTIONS } from "../../domain/batch.js";
import { listConversations } from "../../usecases/list-conversations.js";
import { searchConversations } from "../../usecases/search-conversations.js";
import { ROLES } from "../../domain/roles.js";
import { countViews } from "../../usecases/count-views.js";
import { getConversation } from "../../usecases/get-conversation.js";
import { viewConversation } from "../../usecases/view-conversation.js";
import { getStatusLog } from "../../usecases/get-status-log.js";
import { performAction, type ActionRequest } from "../../usecases/perform-action.js";
import { batchConversations } from "../../usecases/batch-conversations.js";
import { deleteConversationInTx } from "../../usecases/delete-conversation.js";
import { inTransaction } from "../../context.js";
import { memberActorOf, IdParams } from "../http.js";

const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
const ListQuery = z.object({
  view: z.enum(VIEWS),
  channelId: z.uuid().optional(),
  sort: z.enum(["last_message", "follow_time", "waiting"]).optional(),
  order: z.enum(["desc", "asc"]).optional(),
  type: z.enum(["all", "individual", "group"]).optional(),
  followType: z.enum(["all", "follower_only", "collaborative"]).optional(),
  overdue: bool.optional(),
  unread: bool.optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});
const Version = z.object({ version: z.number().int().min(0).optional(), survey: z.boolean().optional().describe("close only: send the satisfaction survey (LIFE-39)") }).nullish();

export const conversationRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  app.get("/api/conversations", { schema: { tags: ["conversations"], querystring: ListQuery } }, async (req) => listConversations(ctx, memberActorOf(req), req.query));

  app.get(
    "/api/conversations/search",
    {
      schema: {
        tags: ["conversations"],
        description: "Search by customer data (name, phone, email, note, message content, tag) and member data (role, region, branch, member), AND-combined (VIEW-29..VIEW-37).",
        querystring: z.object({
          name: z.string().max(100).optional(),
          phone: z.string().max(40).optional(),
          email: z.string().max(320).optional(),
          note: z.string().max(200).optional(),
          message: z.string().min(1).max(200).optional(),
          tagId: z.uuid().optional(),
          role: z.enum(ROLES).optional(),
          regionId: z.uuid().optional(),
          branchId: z.uuid().optional(),
          memberId: z.uuid().optional(),
          channelId: z.uuid().optional(),
          cursor: z.string().max(500).optional(),
          limit: z.coerce.number().int().min(1).max(100).optional(),
        }),
      },
    },
    async (req) => searchConversations(ctx, memberActorOf(req), req.query),
  );

  app.get(
    "/api/conversations/counts",
    { schema: { tags: ["conversations"], querystring: z.object({ channelId: z.uuid().optional() }) } },
    async (req) => countViews(ctx, memberActorOf(req), req.query.channelId),
  );

  app.get("/api/conversations/:id", { schema: { tags: ["conversations"], params: IdParams } }, async (req) => getConversation(ctx, memberActorOf(req), req.params.id));

  app.post("/api/conversations/:id/view", { schema: { tags: ["conversations"], params: IdParams, description: "The member opened the conversation (clears their unread count in 我的處理中)." } }, async (req) =>
    viewConversation(ctx, memberActorOf(req), req.params.id),
  );

  app.get("/api/conversations/:id/status-log", { schema: { tags: ["conversations"], params: IdParams } }, async (req) => ({ items: await getStatusLog(ctx, memberActorOf(req), req.params.id) }));

  const act = (path: string, type: Exclude<ActionRequest["type"], "transfer">) =>
    app.post(`/api/conversations/:id/${path}`, { schema: { tags: ["conversations"], params: IdParams, body: Version } }, async (req) => {
      const a = memberActorOf(req);
      await performAction(ctx, a, req.params.id, { type }, { expectedVersion: req.body?.version, survey: type === "close" && req.body?.survey === true });
      return getConversation(ctx, a, req.params.id).catch(() => ({ id: req.params.id }));
    });
  act("follow", "follow");
  act("take-over", "take_over");
  act("close", "close");
  act("reopen", "reopen");

  app.post(
    "/api/conversations/:id/transfer",
    { schema: { tags: ["conversations"], params: IdParams, body: z.object({ toMemberId: z.uuid(), version: z.number().int().min(0).optional() }) } },
    async (req) => {
      const a = memberActorOf(req);
      await performAction(ctx, a, req.params.id, { type: "transfer", toMemberId: req.body.toMemberId }, { expectedVersion: req.body.version });
      return getConversation(ctx, a, req.params.id).catch(() => ({ id: req.params.id }));
    },
  );

  app.delete("/api/conversations/:id", { schema: { tags: ["conversations"], params: IdParams } }, async (req) => {
    const a = memberActorOf(req);
    await inTransaction(ctx, (tx, fx) => deleteConversationInTx(tx, fx, ctx.clock.now(), a, req.params.id, "delete"));
    return { ok: true };
  });

  app.post("/api/conversations/:id/blacklist", { schema: { tags: ["conversations"], params: IdParams } }, async (req) => {
    const a = memberActorOf(req);
    await inTransaction(ctx, (tx, fx) => deleteConversationInTx(tx, fx, ctx.clock.now(), a, req.params.id, "blacklist"));
    return { ok: true };
  });

  app.post(
    "/api/conversations/batch",
    {
      schema: {
        tags: ["conversations"],
        description: "Batch follow/transfer/close/delete/blacklist/reopen (VIEW-38..VIEW-57); per conversation success or the reason of failure.",
        body: z.object({ action: z.enum(BATCH_ACTIONS), ids: z.array(z.uuid()).min(1).max(500), toMemberId: z.uuid().optional() }),
      },
    },
    async (req) => batchConversations(ctx, memberActorOf(req), req.body.action, req.body.ids, req.body.toMemberId),
  );

  app.get("/api/notifications", { schema: { tags: ["conversations"] } }, async (req) => {
    const a = memberActorOf(req);
    const rows = await ctx.db.selectFrom("notifications").selectAll().where("member_id", "=", a.memberId).orderBy("created_at", "desc").orderBy("id", "desc").limit(50).execute();
    return { items: rows.map((n) => ({ id: n.id, kind: n.kind, text: n.text, data: n.data, createdAt: new Date(n.created_at).toISOString(), read: n.read_at !== null })) };
  });
};
