import { z } from "zod";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { AppContext } from "../../context.js";
import { listMessages } from "../../usecases/list-messages.js";
import { sendReply } from "../../usecases/send-message.js";
import { sendSticker } from "../../usecases/send-sticker.js";
import { listStickerPacks } from "../../usecases/list-sticker-packs.js";
import { messageDto } from "../../store/messages.js";
import { memberActorOf, IdParams } from "../http.js";

export const messageRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  app.get(
    "/api/conversations/:id/messages",
    { schema: { tags: ["messages"], params: IdParams, querystring: z.object({ cursor: z.string().max(500).optional(), limit: z.coerce.number().int().min(1).max(200).optional() }) } },
    async (req) => listMessages(ctx, memberActorOf(req), req.params.id, req.query),
  );

  app.post(
    "/api/conversations/:id/messages",
    {
      schema: {
        tags: ["messages"],
        description: "An agent's text reply: stored as sending (發送中) and handed to the durable delivery queue. `{{system:customer_name}}` is replaced by the customer's name.",
        params: IdParams,
        body: z.object({ text: z.string().trim().min(1).max(5000), clientMessageId: z.string().min(1).max(100).optional(), quotedMessageId: z.uuid().optional().describe("WhatsApp only: reply to this message (ADV-7)") }),
      },
    },
    async (req, reply) => reply.status(201).send(messageDto(await sendReply(ctx, memberActorOf(req), req.params.id, req.body))),
  );

  app.post(
    "/api/conversations/:id/stickers",
    {
      schema: {
        tags: ["messages"],
        description: "Send a sticker: on LINE one of LINE's official stickers (MEDIA-17, MEDIA-18). Stored as sending (發送中) and handed to the delivery queue.",
        params: IdParams,
        body: z.object({ packageId: z.string().regex(/^\d{1,12}$/), stickerId: z.string().regex(/^\d{1,12}$/), clientMessageId: z.string().min(1).max(100).optional() }),
      },
    },
    async (req, reply) => reply.status(201).send(messageDto(await sendSticker(ctx, memberActorOf(req), req.params.id, req.body))),
  );

  app.get(
    "/api/conversations/:id/sticker-packs",
    { schema: { tags: ["messages"], description: "The sticker packs an agent may pick from in this conversation; empty where its channel sends no stickers (MEDIA-17, MEDIA-23).", params: IdParams } },
    async (req) => listStickerPacks(ctx, memberActorOf(req), req.params.id),
  );
};
