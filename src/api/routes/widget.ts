/**
 * The website chat widget's public endpoints (issue "Channels" item 8,
 * guides/architecture.md principle 11). Everything under /widget/api/ is
 * called by the widget's frame, which is served from this origin
 * (/widget/frame.html), so no CORS headers are sent: other sites' scripts
 * cannot read these answers, and no cookie is ever used — the frame holds a
 * visitor token (24 h, one channel + one anonymous visitor) in memory and
 * sends it as a bearer header. That token opens nothing under /api/ (401).
 *
 *   POST /widget/api/sessions       {channelId, visitorId?, origin?} → visitor token
 *   GET  /widget/api/messages       the visitor's own conversation (customer-visible messages only)
 *   POST /widget/api/messages       {text, clientMessageId, pageUrl?, pageTitle?} → the inbound pipeline
 *   POST /widget/api/uploads        raw image bytes (?name=&clientMessageId=&pageUrl=&pageTitle=) → image message
 *   GET  /widget/api/uploads/:id    the stored image
 *   POST /widget/api/read           {upToMessageId} → 已讀 (STAT-7, STAT-12)
 *   GET  /widget/loader.js, /widget/frame.html, /widget/assets/*  the built widget (widget/dist)
 */
import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { z } from "zod";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { AppContext } from "../../context.js";
import { sendError } from "../http.js";
import { AppError } from "../../usecases/errors.js";
import { receiveCustomerEvent, type CustomerEvent } from "../../usecases/receive-inbound.js";
import type { NormalizedMessage } from "../../channels/types.js";
import { bearerOf, signVisitorToken, verifyVisitorToken, widgetSecret, type VisitorClaims } from "../../channels/webchat/token.js";
import {
  CLIENT_MESSAGE_ID_RE,
  VISITOR_ID_RE,
  WIDGET_ERRORS,
  WIDGET_EVENTS,
  WIDGET_IMAGE_LIMIT_BYTES,
  type SessionResponse,
  type VisitorMessage,
} from "../../channels/webchat/contract.js";
import { allowedOrigins, loadWidgetChannel, markReadUpTo, toVisitorMessage, uploadPath, visitorHistory, visitorPlatformId, type WidgetChannel } from "../../channels/webchat/visitor.js";
import { markOnline } from "../../channels/webchat/presence.js";
import { EXTENSION, UploadStore, safeFileName, sniffImage } from "../../channels/webchat/uploads.js";
import { webchatEmitter } from "../../channels/webchat/adapter.js";
import { projectPath } from "../../paths.js";

/** The built widget: `vite build --config widget/vite.config.ts`. */
export const WIDGET_DIST = projectPath("widget/dist/");

export interface WidgetRouteOptions {
  /** DATA_DIR: images go to DATA_DIR/uploads (a temporary folder when it is ":memory:"). */
  dataDir?: string;
  /** Overrides the uploads folder (tests). */
  uploadsDir?: string;
  /** Visitor-token HMAC secret; default PARLEY_WIDGET_SECRET or a per-process random one. */
  secret?: string;
  /** PUBLIC_URL: stored image URLs are absolute with it (the console and integrators read them). */
  publicUrl?: string;
  /** The built widget folder; default PARLEY_WIDGET_DIST, else widget/dist. */
  distDir?: string;
}

/** DATA_DIR/uploads; with an in-memory database, a temporary folder of this process. */
export function widgetUploadsDir(dataDir: string | undefined): string {
  if (dataDir && dataDir !== ":memory:") return join(dataDir, "uploads");
  return join(tmpdir(), `parley-uploads-${process.pid}`);
}

// PostgreSQL text cannot hold U+0000 or unpaired surrogates (the /api/ routes refuse them globally).
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const storable = (max: number) => z.string().max(max).refine((s) => !UNSTORABLE.test(s), { message: "含有不允許的字元" });
const isWebUrl = (s: string) => {
  try {
    const u = new URL(s);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
};
const PageUrl = storable(2000).refine(isWebUrl, { message: "須為 http(s) 網址" });
const PageTitle = storable(300);
const ClientMessageId = z.string().regex(CLIENT_MESSAGE_ID_RE);
const Id = z.uuid();

const INVALID_TOKEN = () => new AppError("unauthorized", "訪客憑證無效或已過期,請重新開啟對話", { messageEn: "Invalid or expired visitor token" });
const noCache = (reply: FastifyReply) => reply.header("cache-control", "no-store");

const newVisitorId = () => randomBytes(18).toString("base64url");

/** Absolute http(s) origin ("https://shop.example"), or null. */
function originOf(s: string | undefined): string | null {
  if (!s) return null;
  try {
    const u = new URL(s);
    return (u.protocol === "http:" || u.protocol === "https:") && u.origin === s ? u.origin : null;
  } catch {
    return null;
  }
}

const STATIC_TYPES: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  html: "text/html; charset=utf-8",
  map: "application/json; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  woff2: "font/woff2",
};

export const widgetRoutes = (ctx: AppContext, o: WidgetRouteOptions = {}): FastifyPluginAsyncZod => async (app) => {
  const secret = o.secret ?? widgetSecret();
  const uploads = new UploadStore(o.uploadsDir ?? widgetUploadsDir(o.dataDir));
  const dist = resolve(o.distDir ?? (process.env.PARLEY_WIDGET_DIST || WIDGET_DIST));
  const publicUrl = (o.publicUrl ?? "").replace(/\/+$/, "");

  // Image uploads are the request body itself (this plugin's routes only).
  app.addContentTypeParser(["application/octet-stream", "image/png", "image/jpeg", "image/jpg", "image/gif", "image/webp"], { parseAs: "buffer", bodyLimit: WIDGET_IMAGE_LIMIT_BYTES }, (_req, body, done) => done(null, body));

  // MEDIA-7's texts for the refusals Fastify makes before a route runs; the rest goes to the server's handler.
  app.setErrorHandler((err: { code?: string }, req, reply) => {
    if (req.url.startsWith("/widget/api/uploads")) {
      if (err.code === "FST_ERR_CTP_BODY_TOO_LARGE") return sendError(reply, 413, WIDGET_ERRORS.tooLarge.code, WIDGET_ERRORS.tooLarge.zh, { messageEn: WIDGET_ERRORS.tooLarge.en });
      if (err.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") return sendError(reply, 415, WIDGET_ERRORS.badType.code, WIDGET_ERRORS.badType.zh, { messageEn: WIDGET_ERRORS.badType.en });
    }
    throw err;
  });

  /** The visitor behind the bearer token, with their (still active) channel. */
  async function visitorOf(req: FastifyRequest): Promise<{ v: VisitorClaims; channel: WidgetChannel }> {
    const v = verifyVisitorToken(secret, bearerOf(req.headers.authorization), ctx.clock.now());
    if (!v) throw INVALID_TOKEN();
    const channel = await loadWidgetChannel(ctx.db, v.channelId);
    if (!channel || channel.workspace_id !== v.workspaceId) throw INVALID_TOKEN();
    return { v, channel };
  }

  const push = (v: VisitorClaims, event: string, data: unknown) => webchatEmitter()?.toVisitor(v.channelId, v.visitorId, event, data);

  /** The visitor's message stored under this client id (a retry's answer), or null. */
  async function ownMessage(v: VisitorClaims, clientMessageId: string): Promise<VisitorMessage | null> {
    const row = await ctx.db
      .selectFrom("messages")
      .selectAll()
      .where("channel_id", "=", v.channelId)
      .where("platform_message_id", "=", visitorPlatformId(v.visitorId, clientMessageId))
      .executeTakeFirst();
    return row ? toVisitorMessage(row, v.visitorId) : null;
  }

  /** Runs the inbound pipeline for one visitor message, then records where they wrote from (PROF-34). */
  async function receive(reply: FastifyReply, v: VisitorClaims, channel: WidgetChannel, clientMessageId: string, message: NormalizedMessage, page: { pageUrl?: string; pageTitle?: string }, raw: unknown) {
    const platformMessageId = visitorPlatformId(v.visitorId, clientMessageId);
    const event: CustomerEvent = {
      type: "message",
      // The frame's id for the message is the event key: a retried request is a no-op.
      eventKey: `widget:${platformMessageId}`,
      at: ctx.clock.now(),
      sender: { userId: v.visitorId },
      platformMessageId,
      message,
    };
    const res = await receiveCustomerEvent(ctx, channel, event, raw);
    if (res.status === "dropped") return reply.status(202).send({ message: null }); // PROF-32: blocked; the visitor is not told
    await markOnline(ctx, v, { url: page.pageUrl || null, title: page.pageTitle?.trim() || null });
    const stored = await ownMessage(v, clientMessageId);
    if (res.status === "stored" && stored) push(v, WIDGET_EVENTS.message, stored); // the visitor's other tabs
    return reply.status(res.status === "stored" ? 201 : 200).send({ message: stored });
  }

  app.post(
    "/widget/api/sessions",
    {
      schema: {
        tags: ["widget"],
        security: [],
        description: "The widget frame opens a session for an anonymous visitor (new, or the one it kept in localStorage) and gets a 24-hour visitor token scoped to this channel and visitor.",
        body: z.object({ channelId: Id, visitorId: z.string().max(100).optional(), origin: z.string().max(300).optional() }),
      },
    },
    async (req, reply) => {
      const channel = await loadWidgetChannel(ctx.db, req.body.channelId);
      if (!channel) throw AppError.notFound("渠道");
      const allowed = allowedOrigins(channel);
      const origin = originOf(req.body.origin);
      if (allowed.length && (!origin || !allowed.includes(origin)))
        throw new AppError("forbidden", "此網站未被允許使用對話插件", { messageEn: "This site may not embed the chat widget" });
      const visitorId = req.body.visitorId && VISITOR_ID_RE.test(req.body.visitorId) ? req.body.visitorId : newVisitorId();
      const { token, expiresAt } = signVisitorToken(secret, { workspaceId: channel.workspace_id, channelId: channel.id, visitorId }, ctx.clock.now());
      const body: SessionResponse = { token, visitorId, expiresAt: expiresAt.toISOString(), channel: { id: channel.id, name: channel.name } };
      return noCache(reply).status(201).send(body);
    },
  );

  app.get("/widget/api/messages", { schema: { tags: ["widget"], security: [], description: "The visitor's conversation, oldest first: their messages and the replies sent to them." } }, async (req, reply) => {
    const { v } = await visitorOf(req);
    return noCache(reply).send({ items: await visitorHistory(ctx.db, v) });
  });

  app.post(
    "/widget/api/messages",
    {
      schema: {
        tags: ["widget"],
        security: [],
        description: "A visitor's text message: runs the inbound pipeline (clientMessageId is the idempotency key) and records the page it was sent from (PROF-34).",
        body: z.object({ text: storable(5000).transform((s) => s.trim()).pipe(z.string().min(1)), clientMessageId: ClientMessageId, pageUrl: PageUrl.optional(), pageTitle: PageTitle.optional() }),
      },
    },
    async (req, reply) => {
      const { v, channel } = await visitorOf(req);
      const b = req.body;
      return receive(reply, v, channel, b.clientMessageId, { kind: "text", text: b.text }, b, { clientMessageId: b.clientMessageId, pageUrl: b.pageUrl, pageTitle: b.pageTitle });
    },
  );

  app.post(
    "/widget/api/uploads",
    {
      bodyLimit: WIDGET_IMAGE_LIMIT_BYTES,
      schema: {
        tags: ["widget"],
        security: [],
        description: "A visitor's image (JPG/JPEG/PNG, at most 10 MB, MEDIA-3/MEDIA-7): the body is the file's bytes; the type is read from the bytes, not from the name.",
        querystring: z.object({ name: z.string().max(300).optional(), clientMessageId: ClientMessageId, pageUrl: PageUrl.optional(), pageTitle: PageTitle.optional() }),
      },
    },
    async (req, reply) => {
      const { v, channel } = await visitorOf(req);
      const q = req.query;
      const name = q.name === undefined ? null : safeFileName(q.name);
      if (q.name !== undefined && !name) return sendError(reply, 400, WIDGET_ERRORS.badName.code, WIDGET_ERRORS.badName.zh, { messageEn: WIDGET_ERRORS.badName.en });
      const already = await ownMessage(v, q.clientMessageId);
      if (already) return reply.status(200).send({ message: already });
      const bytes = Buffer.isBuffer(req.body) ? req.body : null;
      const type = bytes ? sniffImage(bytes) : null;
      if (!bytes || !type) return sendError(reply, 400, WIDGET_ERRORS.badType.code, WIDGET_ERRORS.badType.zh, { messageEn: WIDGET_ERRORS.badType.en });
      const meta = await uploads.save(bytes, {
        mimeType: type,
        fileName: name ?? `image.${EXTENSION[type]}`,
        workspaceId: v.workspaceId,
        channelId: v.channelId,
        visitorId: v.visitorId,
        createdAt: ctx.clock.now().toISOString(),
      });
      const message: NormalizedMessage = {
        kind: "image",
        media: { platformMediaId: meta.id, url: `${publicUrl}${uploadPath(meta.id)}`, mimeType: meta.mimeType, fileName: meta.fileName, size: meta.size },
      };
      return receive(reply, v, channel, q.clientMessageId, message, q, { clientMessageId: q.clientMessageId, upload: meta.id, pageUrl: q.pageUrl, pageTitle: q.pageTitle });
    },
  );

  app.get(
    "/widget/api/uploads/:id",
    { schema: { tags: ["widget"], security: [], description: "A visitor's image, by its unguessable (random) id.", params: z.object({ id: Id }) } },
    async (req, reply) => {
      const f = await uploads.open(req.params.id);
      if (!f) return sendError(reply, 404, "not_found", "找不到此檔案");
      return reply
        .header("content-type", f.meta.mimeType)
        .header("content-length", String(f.meta.size))
        .header("x-content-type-options", "nosniff")
        .header("content-security-policy", "default-src 'none'; sandbox")
        .header("content-disposition", `inline; filename*=UTF-8''${encodeURIComponent(f.meta.fileName)}`)
        .header("cache-control", "private, max-age=31536000, immutable")
        .send(createReadStream(f.path));
    },
  );

  app.post(
    "/widget/api/read",
    {
      schema: {
        tags: ["widget"],
        security: [],
        description: "STAT-7, STAT-12: the frame is open, showing the conversation, in a focused window: the agent's messages up to this one become 已讀.",
        body: z.object({ upToMessageId: Id }),
      },
    },
    async (req, reply) => {
      const { v } = await visitorOf(req);
      const moved = await markReadUpTo(ctx, v, req.body.upToMessageId);
      if (moved === null) return sendError(reply, 404, "not_found", "找不到此訊息");
      for (const s of moved) push(v, WIDGET_EVENTS.status, s);
      return { ok: true, read: moved.length };
    },
  );

  // ── The built widget ────────────────────────────────────────────────────
  async function sendBuilt(reply: FastifyReply, rel: string, headers: Record<string, string>) {
    const full = join(dist, rel);
    const st = await stat(full).catch(() => null);
    if (!st?.isFile()) return sendError(reply, 404, "widget_not_built", "網站對話插件尚未建置,請執行 npm run build:widget", { messageEn: "Widget not built: run npm run build:widget" });
    const ext = rel.slice(rel.lastIndexOf(".") + 1);
    reply.header("content-type", STATIC_TYPES[ext] ?? "application/octet-stream").header("x-content-type-options", "nosniff").header("content-length", String(st.size));
    for (const [k, val] of Object.entries(headers)) reply.header(k, val);
    return reply.send(createReadStream(full));
  }

  // The one script a site embeds: a classic script from another origin, re-checked every few minutes.
  app.get("/widget/loader.js", { schema: { hide: true } }, (_req, reply) =>
    sendBuilt(reply, "loader.js", { "cache-control": "public, max-age=300", "cross-origin-resource-policy": "cross-origin" }),
  );

  app.get("/widget/frame.html", { schema: { hide: true, querystring: z.object({ channel: z.string().max(100).optional(), origin: z.string().max(300).optional() }) } }, async (req, reply) => {
    // Only the sites a channel allows may frame it (when it names any).
    const channel = Id.safeParse(req.query.channel).success ? await loadWidgetChannel(ctx.db, req.query.channel!) : null;
    const ancestors = channel ? allowedOrigins(channel) : [];
    const csp = [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data: blob:",
      "connect-src 'self'",
      "base-uri 'none'",
      "form-action 'none'",
      "object-src 'none'",
      ...(ancestors.length ? [`frame-ancestors ${ancestors.join(" ")}`] : []),
    ].join("; ");
    return sendBuilt(reply, "frame.html", { "cache-control": "no-cache", "content-security-policy": csp, "referrer-policy": "no-referrer" });
  });

  app.get("/widget/assets/:file", { schema: { hide: true, params: z.object({ file: z.string().max(200) }) } }, async (req, reply) => {
    // Vite's content-hashed names only: no separators, no dotfiles, nothing to traverse.
    if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*\.(js|css|map|svg|png|woff2)$/.test(req.params.file) || req.params.file.includes("..")) return reply.callNotFound();
    return sendBuilt(reply, join("assets", req.params.file), { "cache-control": "public, max-age=31536000, immutable" });
  });
};
