/**
 * Channel setup, and the integrator API channel's inbound and status
 * endpoints (authenticated by API token). Secrets are stored, never returned.
 */
import { z } from "zod";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { AppContext } from "../../context.js";
import { actorOf, IdParams, Uuid } from "../http.js";
import { can } from "../../domain/roles.js";
import { refuse, TEXT } from "../../domain/errors.js";
import { AppError } from "../../usecases/errors.js";
import { newId } from "../../ids.js";
import { capabilitiesOf } from "../../domain/channel-capabilities.js";
import { receiveCustomerEvent } from "../../usecases/receive-inbound.js";
import { setMessageStatus } from "../../usecases/update-message-status.js";
import type { Actor } from "../../usecases/actor.js";

/** Credentials that redirect a platform's API (to the simulators): test and demo mode only. */
const PLATFORM_URL_KEYS = ["apiBaseUrl", "graphBaseUrl", "dataApiBaseUrl"] as const;
const PLATFORMS = ["line", "messenger", "instagram", "whatsapp", "wechat", "webchat", "api"] as const;
const WEBHOOK_PATH: Record<string, string> = { line: "line", messenger: "meta", instagram: "meta", whatsapp: "whatsapp", wechat: "wechat" };

function channelDto(c: { id: string; platform: string; name: string; external_id: string | null; active: boolean; settings: unknown; credentials: unknown }, publicUrl: string) {
  const creds = (c.credentials ?? {}) as Record<string, unknown>;
  return {
    id: c.id,
    platform: c.platform,
    name: c.name,
    externalId: c.external_id,
    active: c.active,
    settings: c.settings,
    // Which secrets are set, never their values.
    credentialsSet: Object.keys(creds).filter((k) => creds[k] !== undefined && creds[k] !== ""),
    // What the channel can carry (MEDIA-3): the console offers only these.
    capabilities: capabilitiesOf(c.platform),
    webhookUrl: WEBHOOK_PATH[c.platform] ? `${publicUrl}/webhooks/${WEBHOOK_PATH[c.platform]}/${c.id}` : c.platform === "api" ? `${publicUrl}/api/channels/${c.id}/inbound` : null,
  };
}

/**
 * Called once a channel row exists (test and demo mode: the simulator hub starts a
 * simulator for it); credentials it returns are added to the stored ones.
 */
export type ChannelCreatedHook = (row: { id: string; workspace_id: string; platform: string; name: string; credentials: unknown }) => Promise<Record<string, unknown> | void>;
/** The hook per app, for when the server builds these routes with fixed options. */
export const channelCreatedHooks = new WeakMap<AppContext, ChannelCreatedHook>();

/**
 * The integrator's endpoints (a customer's message, delivery receipts): the workspace's
 * integration token or an administrator, never any member (who could forge a customer).
 * Checked after the channel is found, so another workspace's channel is 404 for every role.
 */
function integrator(a: Actor) {
  if (!can(a.role, "manage_workspace")) throw AppError.fromDomain(refuse("forbidden", TEXT.forbiddenAction));
}

export const channelRoutes = (ctx: AppContext, o: { publicUrl?: string; allowPlatformUrls?: boolean; onChannelCreated?: ChannelCreatedHook } = {}): FastifyPluginAsyncZod => async (app) => {
  const publicUrl = o.publicUrl ?? "";
  const onChannelCreated = o.onChannelCreated ?? channelCreatedHooks.get(ctx);
  const load = async (workspaceId: string, id: string) => {
    const c = await ctx.db.selectFrom("channels").selectAll().where("id", "=", id).where("workspace_id", "=", workspaceId).executeTakeFirst();
    if (!c) throw AppError.notFound("渠道");
    return c;
  };

  app.get("/api/channels", { schema: { tags: ["channels"] } }, async (req) => {
    const a = actorOf(req);
    const rows = await ctx.db.selectFrom("channels").selectAll().where("workspace_id", "=", a.workspaceId).orderBy("created_at").execute();
    return { items: rows.map((c) => channelDto(c, publicUrl)) };
  });

  app.get("/api/channels/:id", { schema: { tags: ["channels"], params: IdParams } }, async (req) => channelDto(await load(actorOf(req).workspaceId, req.params.id), publicUrl));

  app.post(
    "/api/channels",
    {
      schema: {
        tags: ["channels"],
        body: z.object({
          platform: z.enum(PLATFORMS),
          name: z.string().min(1).max(100),
          externalId: z.string().min(1).max(200).optional(),
          credentials: z.record(z.string(), z.union([z.string().max(4000), z.number(), z.boolean()])).default({}),
          settings: z.record(z.string(), z.unknown()).default({}),
        }),
      },
    },
    async (req, reply) => {
      const a = actorOf(req);
      if (!can(a.role, "manage_workspace")) throw AppError.fromDomain(refuse("forbidden", TEXT.forbiddenAction));
      const overrides = PLATFORM_URL_KEYS.filter((k) => req.body.credentials[k] !== undefined);
      if (overrides.length && !o.allowPlatformUrls)
        throw new AppError("validation", `此伺服器不允許自訂平台網址 (${overrides.join(", ")})`, { messageEn: "Platform API base URLs can only be overridden in test or demo mode" });
      if (req.body.externalId) {
        const dup = await ctx.db.selectFrom("channels").select("id").where("platform", "=", req.body.platform).where("external_id", "=", req.body.externalId).executeTakeFirst();
        if (dup) throw new AppError("conflict", "此帳號已連接", { messageEn: "This platform account is already connected" });
      }
      const id = newId();
      const row = await ctx.db
        .insertInto("channels")
        .values({ id, workspace_id: a.workspaceId, platform: req.body.platform, name: req.body.name, external_id: req.body.externalId ?? null, credentials: JSON.stringify(req.body.credentials), settings: JSON.stringify(req.body.settings), created_at: ctx.clock.now() })
        .returningAll()
        .executeTakeFirstOrThrow();
      const added = await onChannelCreated?.(row);
      if (added && Object.keys(added).length)
        await ctx.db.updateTable("channels").set({ credentials: JSON.stringify({ ...req.body.credentials, ...added }) }).where("id", "=", id).execute();
      return reply.status(201).send(channelDto(row, publicUrl));
    },
  );

  const Inbound = z.object({
    userId: z.string().min(1).max(200),
    displayName: z.string().max(200).optional(),
    messageId: z.string().min(1).max(200).describe("The integrator's message id: the idempotency key"),
    kind: z.enum(["text", "image", "video", "audio", "file", "sticker", "location"]).default("text"),
    text: z.string().max(5000).optional(),
    mediaUrl: z.url().optional(),
    fileName: z.string().max(255).optional(),
    quotedMessageId: z.string().max(200).optional(),
  });

  app.post(
    "/api/channels/:id/inbound",
    {
      schema: {
        tags: ["channels"],
        description: "An integrator posts a customer's message into an API channel; it runs the same pipeline as a platform webhook. The workspace's integration token or an administrator.",
        params: IdParams,
        body: Inbound,
      },
    },
    async (req, reply) => {
      const a = actorOf(req);
      const ch = await load(a.workspaceId, req.params.id);
      integrator(a);
      if (ch.platform !== "api") throw new AppError("validation", "只有 API 渠道可用此端點", { messageEn: "Only API channels accept this endpoint" });
      const b = req.body;
      if (b.kind === "text" && !b.text?.trim()) throw new AppError("validation", "文字訊息不可為空", { messageEn: "text is required for text messages" });
      const res = await receiveCustomerEvent(ctx, ch, {
        type: "message",
        eventKey: `msg:${b.messageId}`,
        at: ctx.clock.now(),
        sender: { userId: b.userId, displayName: b.displayName },
        platformMessageId: b.messageId,
        message: { kind: b.kind, text: b.text, media: b.mediaUrl ? { url: b.mediaUrl, fileName: b.fileName } : undefined },
        quotedPlatformMessageId: b.quotedMessageId,
      }, b);
      return reply.status(res.status === "stored" ? 201 : 200).send(res);
    },
  );

  app.post(
    "/api/channels/:id/statuses",
    {
      schema: {
        tags: ["channels"],
        description: "An integrator reports delivery/read of a message the inbox sent through an API channel. The workspace's integration token or an administrator.",
        params: IdParams,
        body: z.object({ messageId: z.string().min(1), status: z.enum(["sent", "received", "read", "failed"]), reason: z.string().max(1000).optional() }),
      },
    },
    async (req) => {
      const a = actorOf(req);
      await load(a.workspaceId, req.params.id);
      integrator(a);
      const m = await ctx.db
        .selectFrom("messages")
        .select("id")
        .where("channel_id", "=", req.params.id)
        .where((eb) => eb.or([eb("platform_message_id", "=", req.body.messageId), ...(Uuid.safeParse(req.body.messageId).success ? [eb("id", "=", req.body.messageId)] : [])]))
        .executeTakeFirst();
      if (!m) throw AppError.notFound("訊息");
      const moved = await setMessageStatus(ctx, m.id, { status: req.body.status, reason: req.body.reason });
      return { ok: true, moved };
    },
  );
};
