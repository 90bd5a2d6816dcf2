/**
 * The HTTP server: Fastify with zod schemas on every route, OpenAPI built
 * from them at /api/openapi.json, one error shape for every failure.
 */
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from "fastify";
import cookie from "@fastify/cookie";
import swagger from "@fastify/swagger";
import { serializerCompiler, validatorCompiler, jsonSchemaTransform, hasZodFastifySchemaValidationErrors, type ZodTypeProvider } from "fastify-type-provider-zod";
import type { AppContext } from "../context.js";
import { AppError } from "../usecases/errors.js";
import { authenticate } from "../usecases/auth.js";
import { tokenOf, sendError } from "./http.js";
import { healthRoutes } from "./routes/health.js";
import { authRoutes } from "./routes/auth.js";
import { workspaceRoutes } from "./routes/workspaces.js";
import { memberRoutes } from "./routes/members.js";
import { channelRoutes } from "./routes/channels.js";
import { conversationRoutes } from "./routes/conversations.js";
import { messageRoutes } from "./routes/messages.js";
import { ruleRoutes } from "./routes/rules.js";
import { contactRoutes } from "./routes/contacts.js";

export type Api = FastifyInstance;

export interface ServerOptions {
  ctx: AppContext;
  secureCookies: boolean;
  publicUrl: string;
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
    if (err instanceof AppError) return sendError(reply, err.status, err.code, err.message, err.details);
    if (hasZodFastifySchemaValidationErrors(err)) {
      const first = err.validation[0];
      const path = first?.instancePath || first?.params?.issue?.path?.join(".") || "";
      return sendError(reply, 400, "validation", `輸入資料有誤${path ? `: ${path}` : ""} ${first?.message ?? ""}`.trim(), { issues: err.validation.map((v) => ({ path: v.instancePath, message: v.message })) });
    }
    const e = err as { statusCode?: number; code?: string; message?: string };
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return sendError(reply, e.statusCode, String(e.code ?? "bad_request").toLowerCase(), e.message ?? "Bad request");
    // Database down or similar: 503 so platforms and clients retry; never a crash.
    req.log.error(err);
    return sendError(reply, 503, "unavailable", "服務暫時無法使用,請稍後再試");
  });
  app.setNotFoundHandler((req, reply) => sendError(reply, 404, "not_found", `找不到 ${req.method} ${req.url.split("?")[0]}`));

  app.addHook("onRequest", async (req) => {
    const token = tokenOf(req);
    if (!token) return;
    const actor = await authenticate(opts.ctx, token);
    if (actor) req.actor = actor;
  });

  app.get("/api/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  for (const routes of [healthRoutes, authRoutes, workspaceRoutes, memberRoutes, channelRoutes, conversationRoutes, messageRoutes, ruleRoutes, contactRoutes]) {
    await app.register(routes(opts.ctx, { secureCookies: opts.secureCookies, publicUrl: opts.publicUrl }));
  }
  for (const p of opts.plugins ?? []) await app.register(p);
  return app;
}
