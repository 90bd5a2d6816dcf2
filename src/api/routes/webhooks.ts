/**
 * Platform webhooks: POST /webhooks/line/:channelId, GET+POST
 * /webhooks/meta/:channelId (Messenger and Instagram), GET+POST
 * /webhooks/whatsapp/:channelId, GET+POST /webhooks/wechat/:channelId (XML,
 * signed in the query, answered "success"). Thin on purpose: find the channel (cached per
 * process, checked in the transaction: store/config-cache.ts), check the
 * signature on the exact bytes received, let the adapter normalize, let the
 * use case store. 200 only once every event is stored; any failure is a 5xx
 * (the server's error handler) so the platform redelivers, and the
 * webhook_events keys make the redelivery a no-op for what was done.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../../context.js";
import { adapterFor } from "../../channels/registry.js";
import type { ChannelCredentials, WebhookRequest } from "../../channels/types.js";
import { processWebhookEvents } from "../../usecases/process-webhook-events.js";
import { UUID_RE } from "../../ids.js";
import { sendError } from "../http.js";
import { StaleConfig } from "../../store/config-cache.js";

/** Which channel platforms each webhook path serves (Meta's one app serves Messenger and Instagram). */
const PATHS: Record<string, string[]> = { line: ["line"], meta: ["messenger", "instagram"], whatsapp: ["whatsapp"], wechat: ["wechat"] };

type Params = { channelId: string };

export const webhookRoutes = (ctx: AppContext, _o: unknown = {}): FastifyPluginAsync => async (app) => {
  // Signatures are HMACs of the raw bytes: re-serialised JSON never matches (Meta
  // signs \u-escaped text). Scoped to this plugin; the JSON API keeps its parser.
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (_req, body, done) => done(null, body));
  // WeChat pushes XML (text/xml): kept raw too. Fastify's own text/plain parser would turn the
  // body into a string (and lose it for the adapter), so it is replaced in this plugin only.
  app.removeContentTypeParser("text/plain");
  app.addContentTypeParser(["text/xml", "application/xml", "text/plain"], { parseAs: "buffer" }, (_req, body, done) => done(null, body));
  // Anything else a platform might label its body with is kept raw too (and then fails or passes the signature).
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));

  /** The channel a platform posts to (from the per-process cache: store/config-cache.ts), or null. */
  const cachedChannelFor = async (path: string, id: string) => {
    if (!UUID_RE.test(id)) return null; // never reaches the uuid column with junk
    const config = await ctx.configCache.get(ctx.db, id);
    if (!config || !PATHS[path].includes(config.platform)) return null;
    const adapter = adapterFor(config.platform);
    return adapter ? { config, adapter, credentials: config.credentials as ChannelCredentials } : null;
  };

  /** The channel read from the database (handshakes are rare; no cached secret answers them). */
  const channelFor = async (path: string, id: string) => {
    if (!UUID_RE.test(id)) return null;
    const ch = await ctx.db.selectFrom("channels").select(["id", "workspace_id", "platform", "active", "credentials"]).where("id", "=", id).executeTakeFirst();
    if (!ch || !ch.active || !PATHS[path].includes(ch.platform)) return null;
    const adapter = adapterFor(ch.platform);
    if (!adapter) return null;
    const credentials = (typeof ch.credentials === "string" ? JSON.parse(ch.credentials) : (ch.credentials ?? {})) as ChannelCredentials;
    return { ch, adapter, credentials };
  };

  const notFound = (reply: FastifyReply) => sendError(reply, 404, "not_found", "找不到渠道");

  /** The 2xx a platform expects once everything is stored (JSON by default). */
  type Ack = (reply: FastifyReply, events: number) => FastifyReply;
  const jsonAck: Ack = (reply, events) => reply.status(200).send({ ok: true, events });
  // WeChat: "success" (or an empty body) acknowledges without a passive reply; anything else is shown to the customer as an error.
  const weChatAck: Ack = (reply) => reply.status(200).type("text/plain; charset=utf-8").send("success");

  const receive = (path: string, ack: Ack = jsonAck) => async (req: FastifyRequest<{ Params: Params; Querystring: Record<string, unknown> }>, reply: FastifyReply) => {
    for (let attempt = 1; ; attempt++) {
      const found = await cachedChannelFor(path, req.params.channelId);
      if (!found) return notFound(reply);
      const wreq: WebhookRequest = { rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), headers: req.headers, query: req.query ?? {} };
      if (!found.adapter.verify(wreq, found.credentials)) {
        // Checked against the secret as the database has it now before refusing: a secret changed
        // since it was cached is not noticed by any transaction when no request passes the old one.
        if (attempt === 1) {
          ctx.configCache.invalidate(found.config.id);
          continue;
        }
        return sendError(reply, 401, "invalid_signature", "簽章驗證失敗");
      }
      const events = found.adapter.parse(wreq, found.credentials);
      const { config } = found;
      try {
        const { outcomes } = await processWebhookEvents(ctx, { id: config.id, workspace_id: config.workspace_id, platform: config.platform, config }, events);
        return ack(reply, outcomes.length);
      } catch (e) {
        // The channel or its rules changed since they were cached (the transaction stored nothing):
        // again on fresh rows — found, active, signature — the events already stored are no-ops.
        if (e instanceof StaleConfig && attempt < 3) continue;
        throw e;
      }
    }
  };

  /** Subscription handshake (Meta's hub.challenge, WeChat's signed echostr): echo it as plain text, or 403. */
  const handshake = (path: string) => async (req: FastifyRequest<{ Params: Params; Querystring: Record<string, unknown> }>, reply: FastifyReply) => {
    const found = await channelFor(path, req.params.channelId);
    if (!found) return notFound(reply);
    const challenge = found.adapter.challenge?.(req.query ?? {}, found.credentials) ?? null;
    if (challenge === null) return sendError(reply, 403, "forbidden", "驗證權杖不符");
    return reply.status(200).type("text/plain; charset=utf-8").send(challenge);
  };

  const hide = { schema: { hide: true } };
  app.post<{ Params: Params; Querystring: Record<string, unknown> }>("/webhooks/line/:channelId", hide, receive("line"));
  app.get<{ Params: Params; Querystring: Record<string, unknown> }>("/webhooks/meta/:channelId", hide, handshake("meta"));
  app.post<{ Params: Params; Querystring: Record<string, unknown> }>("/webhooks/meta/:channelId", hide, receive("meta"));
  // WhatsApp callback URLs are verified with the same GET handshake as Messenger's.
  app.get<{ Params: Params; Querystring: Record<string, unknown> }>("/webhooks/whatsapp/:channelId", hide, handshake("whatsapp"));
  app.post<{ Params: Params; Querystring: Record<string, unknown> }>("/webhooks/whatsapp/:channelId", hide, receive("whatsapp"));
  // WeChat server URL: GET echostr check, POST XML pushes signed in the query (signature, timestamp, nonce).
  app.get<{ Params: Params; Querystring: Record<string, unknown> }>("/webhooks/wechat/:channelId", hide, handshake("wechat"));
  app.post<{ Params: Params; Querystring: Record<string, unknown> }>("/webhooks/wechat/:channelId", hide, receive("wechat", weChatAck));
};
