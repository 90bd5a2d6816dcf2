/** Shared pieces of the routes: authentication, error shape, common schemas. */
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { AppError } from "../usecases/errors.js";
import type { Actor } from "../usecases/actor.js";

export const SESSION_COOKIE = "parley_session";

declare module "fastify" {
  interface FastifyRequest {
    actor?: Actor & { kind: "session" | "token"; integration: boolean };
  }
}

export const unauthenticated = () => new AppError("unauthorized", "請先登入", { messageEn: "Authentication required" });

export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw unauthenticated();
  return req.actor;
}

/** A route is public when its schema says `security: []` (as the OpenAPI document then shows). */
export function isPublicRoute(req: FastifyRequest): boolean {
  const security = (req.routeOptions.schema as { security?: unknown[] } | undefined)?.security;
  return Array.isArray(security) && security.length === 0;
}

/** Member-level actions need a member, not a workspace integration token. */
export function memberActorOf(req: FastifyRequest): Actor {
  const a = actorOf(req);
  if (req.actor?.integration) throw new AppError("forbidden", "此動作需要成員身分的權杖", { messageEn: "This action needs a member's session or token" });
  return a;
}

export function tokenOf(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (h?.startsWith("Bearer ")) return h.slice(7).trim();
  const c = req.cookies?.[SESSION_COOKIE];
  return c ?? null;
}

export const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }).passthrough() });
export const Uuid = z.uuid();
export const IdParams = z.object({ id: Uuid });
export const Ok = z.object({ ok: z.literal(true) });

export function sendError(reply: FastifyReply, status: number, code: string, message: string, extra?: Record<string, unknown>) {
  return reply.status(status).send({ error: { code, message, ...extra } });
}
