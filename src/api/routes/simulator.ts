/**
 * The simulator control API (test mode and `npm run demo` only, OpenAPI tag
 * "simulator"): drive the platform simulators of LINE, Messenger, Instagram,
 * WhatsApp and WeChat channels from outside — customers writing in, LINE
 * group events, receipts, failures and holds — and read what the inbox sent.
 * Every inbound request becomes the platform's real signed webhook, posted
 * over HTTP to this server. Documented in docs/testing.md.
 */
import { z } from "zod";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { AppContext } from "../../context.js";
import { AppError } from "../../usecases/errors.js";
import { UUID_RE } from "../../ids.js";
import { isSimulatedPlatform, type HubEntry, type SimPlatform, type SimulatorHub } from "../../simulators/hub.js";
import {
  FAILURE_KINDS,
  FAILURES_BY_PLATFORM,
  GROUP_EVENT_TYPES,
  INBOUND_KINDS,
  KINDS_BY_PLATFORM,
  SimRefusal,
  failNext,
  sendGroupEvent,
  sendInbound,
  sendReceipts,
  sentRequests,
} from "../../simulators/drive.js";
import { widgetInbound } from "../../simulators/widget.js";

const tags = ["simulator"];
const ChannelParams = z.object({ channelId: z.string().max(100).describe("The channel's id (a LINE, Messenger, Instagram, WhatsApp or WeChat channel)") });
const Customer = z.object({
  id: z.string().min(1).max(200).describe("Your name for the customer; mapped to a stable platform user id (LINE U…, PSID, wa_id, OpenID), or used as is when it already has that shape"),
  name: z.string().min(1).max(200).optional().describe("Display name (WhatsApp sends it in the webhook; on other platforms it stands in for the profile lookup)"),
});

const InboundBody = z.object({
  customer: Customer,
  kind: z.enum(INBOUND_KINDS).default("text").describe("LIFE-14 row: text, media, LINE rich menu (bot card / text button configured here / text button configured in LINE's console), LINE community code, Facebook Get Started / persistent menu, follow / unfollow. The website widget (webchat) takes text and image"),
  text: z.string().max(5000).optional().describe("text; the six-digit code (community_code); the button's text (rich_menu_text_line_console); a caption (WhatsApp media)"),
  quotedPlatformMessageId: z.string().max(300).optional().describe("A quoted reply: the platform id of the quoted message"),
  payload: z.string().max(1000).optional().describe("Postback data (rich_menu_bot_card, rich_menu_text_inbox, fb_get_started, fb_persistent_menu); Parley's prefix is added when missing"),
  title: z.string().max(200).optional().describe("Facebook button title, location title or file name"),
  mediaUrl: z.url().max(2000).optional(),
  fileName: z.string().max(255).optional(),
  sticker: z.object({ packageId: z.string().max(50).optional(), stickerId: z.string().max(50).optional() }).optional(),
  location: z.object({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180), title: z.string().max(200).optional(), address: z.string().max(500).optional() }).optional(),
  redeliver: z.boolean().optional().describe("The platform posts the same event again afterwards"),
});

const GroupEventBody = z.object({
  type: z.enum(GROUP_EVENT_TYPES),
  customer: Customer.optional().describe("The member who writes, mentions or unsends"),
  anonymous: z.boolean().optional().describe("The member has not consented to share their profile: no userId in the event"),
  members: z.array(Customer).min(1).max(50).optional().describe("Who joined or left (member_joined, member_left)"),
  text: z.string().max(5000).optional(),
  mention: z.object({ bot: z.boolean().optional(), all: z.boolean().optional(), customers: z.array(Customer).max(20).optional() }).optional().describe("mention: who is mentioned; default the official account"),
  platformMessageId: z.string().max(300).optional().describe("unsend: the message to take back"),
  quotedPlatformMessageId: z.string().max(300).optional(),
  redeliver: z.boolean().optional(),
});

function refusal(e: unknown): never {
  if (e instanceof SimRefusal) throw new AppError("validation", e.messageZh, { messageEn: e.message });
  throw e;
}

function info(hub: SimulatorHub, e: HubEntry) {
  const ids: Record<string, string> =
    e.platform === "line" ? { botUserId: e.sim.botUserId }
    : e.platform === "whatsapp" ? { phoneNumberId: e.sim.phoneNumberId, displayPhoneNumber: e.sim.displayPhoneNumber, wabaId: e.sim.wabaId }
    : e.platform === "wechat" ? { originalId: e.sim.originalId }
    : { pageId: e.sim.pageId };
  return {
    channelId: e.channelId,
    platform: e.platform,
    baseUrl: e.sim.baseUrl,
    webhookUrl: hub.webhookUrl(e),
    ...ids,
    inboundKinds: KINDS_BY_PLATFORM[e.platform],
    failureKinds: FAILURES_BY_PLATFORM[e.platform],
    customers: [...e.customers].map(([id, c]) => ({ id, ...c })),
    groups: [...e.groups].map(([id, platformGroupId]) => ({ id, platformGroupId })),
  };
}

export const simulatorRoutes = (ctx: AppContext, hub: SimulatorHub): FastifyPluginAsyncZod => async (app) => {
  /** The channel's simulator: 404 unknown channel, 400 a platform without one (or not the one required). */
  const entryOf = async (channelId: string, only?: SimPlatform[]): Promise<HubEntry> => {
    const row = UUID_RE.test(channelId) ? await ctx.db.selectFrom("channels").select(["id", "platform"]).where("id", "=", channelId).executeTakeFirst() : undefined;
    if (!row) throw AppError.notFound("渠道");
    if (only && !only.includes(row.platform as SimPlatform))
      throw new AppError("validation", `此功能只適用於 ${only.join("/")} 渠道,此渠道為 ${row.platform}`, { messageEn: `This applies to ${only.join("/")} channels only; this channel is ${row.platform}` });
    if (!isSimulatedPlatform(row.platform)) {
      const hint =
        row.platform === "api" ? "; customers write in through POST /api/channels/:id/inbound"
        : row.platform === "webchat" ? "; a simulated visitor writes through POST /api/simulator/channels/:channelId/inbound, and reads the replies at GET /widget/api/messages"
        : "";
      throw new AppError("validation", `${row.platform} 渠道沒有平台模擬器`, { messageEn: `A ${row.platform} channel has no platform simulator${hint}` });
    }
    const e = await hub.ensure(channelId);
    if (!e)
      throw new AppError("conflict", "此渠道由建立者指定了平台網址,不由內建模擬器服務", {
        messageEn: "This channel was created with its own apiBaseUrl/graphBaseUrl: it is served by the caller's simulator, not the built-in one",
      });
    try {
      hub.aim(e);
    } catch (err) {
      throw new AppError("unavailable", "伺服器尚未開始接受連線,模擬器無法送出 webhook", { messageEn: err instanceof Error ? err.message : String(err) });
    }
    return e;
  };

  app.get("/api/simulator/channels", { schema: { tags, security: [], description: "The running simulators: one per LINE, Messenger, Instagram, WhatsApp and WeChat channel." } }, async () => ({
    items: hub.list().map((e) => info(hub, e)),
  }));

  app.get(
    "/api/simulator/channels/:channelId",
    { schema: { tags, security: [], params: ChannelParams, description: "A channel's simulator: its base URL, the platform ids, the inbound and failure kinds it offers, the customers and groups used so far." } },
    async (req) => info(hub, await entryOf(req.params.channelId)),
  );

  app.post(
    "/api/simulator/channels/:channelId/inbound",
    {
      schema: {
        tags,
        security: [],
        params: ChannelParams,
        body: InboundBody,
        description:
          "A named customer sends an inbound message or event; the simulator posts the platform's signed webhook to this server. Answers with the platform message/event ids, the webhook's HTTP status and where the inbox filed it. A kind the platform does not have is 400.",
      },
    },
    async (req) => {
      const { channelId } = req.params;
      // The website widget: a simulated visitor goes through the widget's own endpoints.
      const row = UUID_RE.test(channelId) ? await ctx.db.selectFrom("channels").select("platform").where("id", "=", channelId).executeTakeFirst() : undefined;
      if (row?.platform === "webchat") {
        const origin = hub.origin();
        if (!app.hasRoute({ method: "POST", url: "/widget/api/sessions" }) || !origin)
          throw new AppError("validation", "此伺服器沒有提供網站對話插件的端點", { messageEn: "This server does not serve the website widget's endpoints (/widget/api/…)" });
        return widgetInbound(ctx, origin, channelId, req.body).catch(refusal);
      }
      return sendInbound(ctx, await entryOf(channelId), req.body).catch(refusal);
    },
  );

  app.post(
    "/api/simulator/channels/:channelId/groups/:groupId/events",
    {
      schema: {
        tags,
        security: [],
        params: ChannelParams.extend({ groupId: z.string().min(1).max(200).describe("Your name for the group; mapped to a stable LINE group id (C…)") }),
        body: GroupEventBody,
        description: "LINE groups: the official account joins or leaves, members join or leave, a member writes, mentions (the account, everyone or members) or unsends.",
      },
    },
    async (req) => sendGroupEvent(ctx, await entryOf(req.params.channelId, ["line"]), req.params.groupId, req.body).catch(refusal),
  );

  app.get(
    "/api/simulator/channels/:channelId/sent",
    {
      schema: {
        tags,
        security: [],
        params: ChannelParams,
        querystring: z.object({ accepted: z.enum(["true", "false"]).optional().describe("true: only the sends the platform accepted") }),
        description: "What the inbox sent to the platform, oldest first: the exact request bodies, the retry key, the platform's answer and the message ids it returned. `held` counts sends waiting for a release.",
      },
    },
    async (req) => {
      const r = sentRequests(await entryOf(req.params.channelId));
      const accepted = req.query.accepted;
      return { ...r, items: accepted === undefined ? r.items : r.items.filter((i) => i.accepted === (accepted === "true")) };
    },
  );

  app.post(
    "/api/simulator/channels/:channelId/failures",
    {
      schema: {
        tags,
        security: [],
        params: ChannelParams,
        body: z.object({
          kind: z.enum(FAILURE_KINDS).describe("lost_response: the platform accepts the send but the answer is lost (a 5xx)"),
          count: z.number().int().min(1).max(1000).default(1),
          retryAfterSeconds: z.number().int().min(0).max(86_400).optional().describe("rate_limited: the Retry-After the platform sends"),
        }),
        description: "The platform answers the next `count` sends with this error (LINE has no window_closed).",
      },
    },
    async (req) => {
      const e = await entryOf(req.params.channelId);
      try {
        failNext(e, req.body.kind, req.body.count, req.body.retryAfterSeconds);
      } catch (err) {
        refusal(err);
      }
      return { ok: true, kind: req.body.kind, count: req.body.count };
    },
  );

  app.post(
    "/api/simulator/channels/:channelId/hold",
    { schema: { tags, security: [], params: ChannelParams, description: "Sends wait unanswered until release: the messages stay 發送中." } },
    async (req) => {
      (await entryOf(req.params.channelId)).sim.hold();
      return { ok: true, holding: true };
    },
  );

  app.post(
    "/api/simulator/channels/:channelId/release",
    { schema: { tags, security: [], params: ChannelParams, description: "Answers the held sends and stops holding." } },
    async (req) => {
      const e = await entryOf(req.params.channelId);
      const released = e.sim.kit.heldCount;
      e.sim.release();
      return { ok: true, released };
    },
  );

  app.post(
    "/api/simulator/channels/:channelId/receipts",
    {
      schema: {
        tags,
        security: [],
        params: ChannelParams,
        body: z.object({
          platformMessageIds: z.array(z.string().min(1).max(300)).min(1).max(100),
          status: z.enum(["delivered", "read"]),
          order: z.enum(["in_order", "reversed"]).default("in_order"),
          redeliver: z.boolean().default(false).describe("Every receipt is posted a second time afterwards"),
        }),
        description:
          "Delivery or read receipts in the platform's own format (Messenger delivery/read watermarks, Instagram messaging_seen, WhatsApp statuses), one webhook per message, in order or reversed, once or redelivered. LINE and WeChat send no receipts (400).",
      },
    },
    async (req) => sendReceipts(await entryOf(req.params.channelId), req.body).catch(refusal),
  );
};
