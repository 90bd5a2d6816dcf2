/**
 * The HTTP server: Fastify with zod schemas on every route, OpenAPI built
 * from them at /api/openapi.json, one error shape for every failure.
 */
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyRequest } from "fastify";
import cookie from "@fastify/cookie";
import swagger from "@fastify/swagger";
import { serializerCompiler, validatorCompiler, jsonSchemaTransform, hasZodFastifySchemaValidationErrors, type ZodTypeProvider } from "fastify-type-provider-zod";
import type { AppContext } from "../context.js";
import { AppError } from "../usecases/errors.js";
import { authenticate } from "../usecases/auth.js";
import { tokenOf, sendError, isPublicRoute, unauthenticated } from "./http.js";
import { healthRoutes } from "./routes/health.js";
import { authRoutes } from "./routes/auth.js";
import { workspaceRoutes } from "./routes/workspaces.js";
import { memberRoutes } from "./routes/members.js";
import { channelRoutes } from "./routes/channels.js";
import { conversationRoutes } from "./routes/conversations.js";
import { messageRoutes } from "./routes/messages.js";
import { ruleRoutes } from "./routes/rules.js";
import { webhookRoutes } from "./routes/webhooks.js";
import { contactRoutes } from "./routes/contacts.js";
import { mediaRoutes } from "./routes/media.js";
import { tagRoutes } from "./routes/tags.js";
import { commerceRoutes } from "./routes/commerce.js";
import { omoRoutes } from "./routes/omo.js";
import { savedReplyRoutes } from "./routes/saved-replies.js";
import { conversationToolRoutes } from "./routes/conversation-tools.js";

export type Api = FastifyInstance;

const CLIENT_ERROR_CODES: Record<number, string> = { 404: "not_found", 405: "method_not_allowed", 413: "payload_too_large", 415: "unsupported_media_type" };

const MAX_DEPTH = 32;
/** Text PostgreSQL cannot store: U+0000, or half of a surrogate pair. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const unstorable = (s: string) => s.includes("\u0000") || LONE_SURROGATE.test(s);

/**
 * What (if anything) is wrong with a parsed request value that no route schema
 * checks: text the database cannot store, or nesting deeper than any route needs.
 */
function badInput(v: unknown, path: string, depth = 0): { path: string; zh: string; en: string } | null {
  if (typeof v === "string") return unstorable(v) ? { path, zh: "含有不允許的字元(NUL 或不成對的代理字元)", en: "contains a NUL character or an unpaired surrogate" } : null;
  if (v === null || typeof v !== "object" || ArrayBuffer.isView(v)) return null;
  if (depth >= MAX_DEPTH) return { path, zh: "層次過深", en: `is nested more than ${MAX_DEPTH} levels deep` };
  for (const [k, x] of Object.entries(v)) {
    if (unstorable(k)) return { path: `${path}.<key>`, zh: "含有不允許的字元(NUL 或不成對的代理字元)", en: "contains a NUL character or an unpaired surrogate" };
    const found = badInput(x, `${path}.${k}`, depth + 1);
    if (found) return found;
  }
  return null;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * CSRF: a state-changing request authenticated by the session cookie (not a
 * bearer token) must come from our own origin. Browsers send Origin on such
 * requests (and Sec-Fetch-Site); SameSite=Lax already keeps the cookie off
 * most cross-site requests, this closes the rest.
 */
function isCrossSiteCookieWrite(req: FastifyRequest): boolean {
  if (SAFE_METHODS.has(req.method) || req.headers.authorization) return false;
  const site = req.headers["sec-fetch-site"];
  if (site === "cross-site" || site === "same-site") return true;
  const origin = req.headers.origin;
  if (!origin) return false;
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}

export interface ServerOptions {
  ctx: AppContext;
  secureCookies: boolean;
  publicUrl: string;
  allowPlatformUrls?: boolean;
  mailConfigured?: boolean;
  logger?: boolean;
  /** Extra route plugins (test mode, webhooks, static console). */
  plugins?: FastifyPluginAsync<any>[];
}

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit: 5 * 1024 * 1024, trustProxy: true }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      info: { title: "Parley API", version: "0.1.0", description: "Omnichannel customer-conversation inbox" },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" }, cookie: { type: "apiKey", in: "cookie", name: "parley_session" } } },
      security: [{ bearer: [] }, { cookie: [] }],
    },
    transform: jsonSchemaTransform,
  });

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof AppError) {
      const retryAfter = err.details?.retryAfterSeconds;
      if (typeof retryAfter === "number") reply.header("retry-after", String(retryAfter));
      return sendError(reply, err.status, err.code, err.message, err.details);
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const first = err.validation[0];
      const path = first?.instancePath || first?.params?.issue?.path?.join(".") || "";
      return sendError(reply, 400, "validation", `輸入資料有誤${path ? `: ${path}` : ""} ${first?.message ?? ""}`.trim(), { issues: err.validation.map((v) => ({ path: v.instancePath, message: v.message })) });
    }
    const e = err as { statusCode?: number; code?: string; message?: string };
    // Fastify's own refusals (malformed or empty JSON, wrong content length, body too large…)
    // speak the same language as ours: a bad body is a validation error.
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      const code = e.statusCode === 400 ? "validation" : (CLIENT_ERROR_CODES[e.statusCode] ?? String(e.code ?? "bad_request").toLowerCase());
      return sendError(reply, e.statusCode, code, e.statusCode === 400 ? `輸入資料有誤: ${e.message ?? ""}`.trim() : (e.message ?? "Bad request"));
    }
    // SQLSTATE class 22 (data exception: a malformed uuid or timestamp, a NUL character…) is
    // input the routes let through to the database. It is the caller's mistake and retrying
    // cannot help, so 400 rather than 503; logged, since a route should have caught it first.
    if (typeof e.code === "string" && /^22[0-9A-Z]{3}$/.test(e.code)) {
      req.log.warn({ err }, "data exception reached the database");
      return sendError(reply, 400, "validation", "輸入資料有誤", { messageEn: "Invalid input" });
    }
    // Database down or similar: 503 so platforms and clients retry; never a crash.
    req.log.error(err);
    return sendError(reply, 503, "unavailable", "服務暫時無法使用,請稍後再試");
  });
  app.setNotFoundHandler((req, reply) => sendError(reply, 404, "not_found", `找不到 ${req.method} ${req.url.split("?")[0]}`));

  // PostgreSQL text and jsonb cannot hold U+0000 or unpaired surrogates: refuse them in any
  // string or key up front, with deeply nested bodies, before a route touches the database.
  app.addHook("preValidation", async (req) => {
    if (!req.routeOptions.url?.startsWith("/api/")) return;
    const bad = badInput(req.body, "body") ?? badInput(req.query, "query") ?? badInput(req.params, "params");
    if (bad) throw new AppError("validation", `輸入資料有誤: ${bad.path} ${bad.zh}`, { messageEn: `${bad.path} ${bad.en}`, issues: [{ path: bad.path, message: bad.en }] });
  });

  app.addHook("onRequest", async (req) => {
    const token = tokenOf(req);
    const actor = token ? await authenticate(opts.ctx, token) : null;
    if (actor && isCrossSiteCookieWrite(req)) throw new AppError("forbidden", "跨站請求已被拒絕", { messageEn: "Cross-site request refused (CSRF)" });
    if (actor) req.actor = actor;
    // Every API route but the public ones refuses anonymous callers before its body or
    // parameters are even looked at (no validation details to strangers). Unknown routes
    // still answer 404; webhooks and the console live outside /api/.
    else if (req.routeOptions.url?.startsWith("/api/") && !isPublicRoute(req)) throw unauthenticated();
  });

  app.get("/api/openapi.json", { schema: { hide: true, security: [] } }, async () => app.swagger());
  for (const routes of [healthRoutes, authRoutes, workspaceRoutes, memberRoutes, channelRoutes, conversationRoutes, messageRoutes, ruleRoutes, contactRoutes, webhookRoutes, mediaRoutes, conversationToolRoutes, tagRoutes, commerceRoutes, omoRoutes, savedReplyRoutes]) {
    await app.register(routes(opts.ctx, { secureCookies: opts.secureCookies, publicUrl: opts.publicUrl, allowPlatformUrls: opts.allowPlatformUrls ?? false, mailConfigured: opts.mailConfigured ?? false }));
  }
  for (const p of opts.plugins ?? []) await app.register(p);
  return app;
}
