/**
 * Attachments: an agent uploads the raw bytes of one file as the body
 * (`?fileName=…&kind=…`), and platforms fetch sent media by an unguessable
 * URL. Files are served as downloads with nosniff, so a stored file can
 * never run as a page of ours.
 */
import { z } from "zod";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { AppContext } from "../../context.js";
import { memberActorOf, IdParams, sendError } from "../http.js";
import { sendMedia } from "../../usecases/send-media.js";
import { messageDto } from "../../store/messages.js";

const MAX_UPLOAD = 100 * 1024 * 1024; // the largest limit of any channel (MEDIA-7)

export const mediaRoutes = (ctx: AppContext, o: { publicUrl?: string } = {}): FastifyPluginAsyncZod => async (app) => {
  // Raw bytes for any content type on this plugin's routes only.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: MAX_UPLOAD }, (_req, body, done) => done(null, body));

  app.post(
    "/api/conversations/:id/attachments",
    {
      bodyLimit: MAX_UPLOAD,
      schema: {
        tags: ["messages"],
        description: "Send an image, video, audio or file: the request body is the file's bytes. The type is read from the bytes and checked against the channel's limits (MEDIA-7, MEDIA-8).",
        params: IdParams,
        querystring: z.object({
          fileName: z.string().min(1).max(255),
          kind: z.enum(["image", "video", "audio", "file"]).optional(),
          clientMessageId: z.string().min(1).max(100).optional(),
        }),
      },
    },
    async (req, reply) => {
      const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const r = await sendMedia(ctx, memberActorOf(req), req.params.id, { bytes, ...req.query }, o.publicUrl ?? "");
      return reply.status(201).send({ message: messageDto(r.message), hint: r.hint });
    },
  );

  app.get(
    "/media/:id/:token",
    { schema: { tags: ["messages"], security: [], params: z.object({ id: z.uuid(), token: z.string().min(10).max(100) }) } },
    async (req, reply) => {
      const f = await ctx.db
        .selectFrom("media_files")
        .select(["bytes", "mime_type", "file_name", "expires_at", "kind"])
        .where("id", "=", req.params.id)
        .where("token", "=", req.params.token)
        .executeTakeFirst();
      if (!f) return sendError(reply, 404, "not_found", "找不到此檔案");
      // MEDIA-12: after the expiry the link answers "expired" to everyone.
      if (f.expires_at && new Date(f.expires_at) <= ctx.clock.now()) return sendError(reply, 410, "expired", "檔案下載期限已過");
      const inline = f.kind !== "file";
      return reply
        .header("content-type", f.mime_type)
        .header("x-content-type-options", "nosniff")
        .header("content-security-policy", "default-src 'none'; sandbox")
        .header("content-disposition", `${inline ? "inline" : "attachment"}; filename*=UTF-8''${encodeURIComponent(f.file_name)}`)
        .send(f.bytes);
    },
  );
};
