/**
 * Test mode (PARLEY_TEST_MODE=1, never in production): move the server's
 * clock and run whatever falls due before answering; empty the database so
 * each scenario starts clean. Documented in docs/testing.md.
 */
import { z } from "zod";
import { sql } from "kysely";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { AppContext } from "../../context.js";
import type { TestClock } from "../../clock.js";
import { AppError } from "../../usecases/errors.js";

/** `onReset` runs after the tables are emptied (the simulator hub forgets its simulators). */
export const testModeRoutes = (ctx: AppContext, clock: TestClock, drain: () => Promise<number>, onReset?: () => Promise<void>): FastifyPluginAsyncZod => async (app) => {
  const Clock = z.object({ now: z.string(), ranJobs: z.number().int().optional() });

  app.get("/api/test/clock", { schema: { tags: ["test"], security: [], response: { 200: Clock } } }, async () => ({ now: clock.now().toISOString() }));

  app.post(
    "/api/test/clock",
    {
      schema: {
        tags: ["test"],
        security: [],
        description: "Move the server's time forward (advanceMinutes) or to a time (set); jobs that fall due run before the answer.",
        body: z.union([z.object({ advanceMinutes: z.number().min(0).max(60 * 24 * 366) }), z.object({ set: z.iso.datetime({ offset: true }) })]),
        response: { 200: Clock },
      },
    },
    async (req) => {
      const b = req.body;
      if ("set" in b) {
        const to = new Date(b.set);
        if (to < clock.now()) throw new AppError("validation", "測試時鐘不能倒退", { messageEn: "The test clock cannot move backwards" });
        clock.set(to);
      } else clock.advance(b.advanceMinutes * 60_000);
      const ranJobs = await drain();
      return { now: clock.now().toISOString(), ranJobs };
    },
  );

  app.post("/api/test/reset", { schema: { tags: ["test"], security: [], description: "Empty every table and close every platform simulator; nothing is re-seeded." } }, async () => {
    const tables = await sql<{ tablename: string }>`select tablename from pg_tables where schemaname = 'public' and tablename not like 'kysely_%'`.execute(ctx.db);
    const list = tables.rows.map((t) => `"${t.tablename}"`).join(", ");
    if (list) await sql.raw(`truncate ${list} restart identity cascade`).execute(ctx.db);
    await onReset?.();
    return { ok: true };
  });
};
