import { z } from "zod";
import { sql } from "kysely";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { AppContext } from "../../context.js";

export const healthRoutes = (ctx: AppContext): FastifyPluginAsyncZod => async (app) => {
  app.get(
    "/api/health",
    { schema: { tags: ["system"], security: [], response: { 200: z.object({ ok: z.boolean(), backend: z.string(), time: z.string() }) } } },
    async () => {
      await sql`select 1`.execute(ctx.db);
      return { ok: true, backend: ctx.backend, time: ctx.clock.now().toISOString() };
    },
  );
};
