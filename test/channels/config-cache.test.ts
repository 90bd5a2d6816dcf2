/**
 * Webhooks read their channel (secrets, active) and the keyword rules from a
 * per-process cache (src/store/config-cache.ts). A change must apply to the
 * very next message all the same: through the API, by hand in the database,
 * or in another server process sharing the database (PostgreSQL).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { LineSimulator } from "../../src/channels/line/simulator.js";
import { createApp, type App } from "../../src/app.js";
import { backend } from "../support/backend.js";
import { startE2E, type E2E } from "./e2e-support.js";

let e: E2E;
let sim: LineSimulator;
let channelId: string;

beforeAll(async () => {
  e = await startE2E();
  sim = await LineSimulator.start({ channelSecret: "cache-secret", channelAccessToken: "cache-token", now: () => e.t.clock.now() });
  channelId = await e.createChannel("line", { channelSecret: "cache-secret", channelAccessToken: "cache-token", apiBaseUrl: sim.baseUrl });
  sim.webhookUrl = `${e.origin}/webhooks/line/${channelId}`;
});
afterAll(async () => {
  await sim?.close();
  await e?.close();
});

/** A new customer writes `text`; the queue their conversation landed in. */
async function queueOf(text: string, o: { secret?: string } = {}): Promise<{ status: number; queue?: string | null }> {
  const u = sim.newUserId();
  const r = await sim.text(u, text, o);
  return { status: r.status, queue: (await e.conversationOf(channelId, u))?.queue };
}

const rule = (body: unknown) => e.t.req("POST", "/api/keyword-rules", { token: e.w.tokens.admin, body });

describe("cached channel configuration", () => {
  it("LIFE-8: a keyword rule added, changed, switched off or deleted applies to the very next message", async () => {
    expect(await queueOf("運費多少")).toEqual({ status: 200, queue: "human" }); // the cache now holds the channel and no rule
    const added = await rule({ kind: "auto_reply", keywords: ["運費"], matchMode: "contains", replies: [{ text: "滿千免運" }] });
    expect(added.status).toBe(201);
    expect((await queueOf("運費多少")).queue).toBe("bot");

    const patch = (body: unknown) => e.t.req("PATCH", `/api/keyword-rules/${added.body.id}`, { token: e.w.tokens.admin, body });
    expect((await patch({ keywords: ["包裝"] })).status).toBe(200);
    expect((await queueOf("運費多少")).queue).toBe("human");
    expect((await queueOf("包裝方式")).queue).toBe("bot");

    expect((await patch({ active: false })).status).toBe(200);
    expect((await queueOf("包裝方式")).queue).toBe("human");
    expect((await patch({ active: true })).status).toBe(200);
    expect((await queueOf("包裝方式")).queue).toBe("bot");

    expect((await e.t.req("DELETE", `/api/keyword-rules/${added.body.id}`, { token: e.w.tokens.admin })).status).toBe(200);
    expect((await queueOf("包裝方式")).queue).toBe("human");
  });

  it("a channel deactivated in the database refuses the next webhook and stores nothing; reactivated, it accepts again", async () => {
    expect((await queueOf("在嗎")).status).toBe(200);
    const before = await e.count("messages", channelId);
    await e.t.app.ctx.db.updateTable("channels").set({ active: false }).where("id", "=", channelId).execute();
    expect((await queueOf("在嗎")).status).toBe(404);
    expect(await e.count("messages", channelId)).toBe(before);
    await e.t.app.ctx.db.updateTable("channels").set({ active: true }).where("id", "=", channelId).execute();
    expect((await queueOf("在嗎")).status).toBe(200);
    expect(await e.count("messages", channelId)).toBe(before + 1);
  });

  it("a rotated channel secret applies at once: the old one is refused, the new one accepted", async () => {
    expect((await queueOf("你好")).status).toBe(200);
    const row = await e.t.app.ctx.db.selectFrom("channels").select("credentials").where("id", "=", channelId).executeTakeFirstOrThrow();
    const rotated = { ...(row.credentials as Record<string, unknown>), channelSecret: "rotated-secret" };
    await e.t.app.ctx.db.updateTable("channels").set({ credentials: JSON.stringify(rotated) }).where("id", "=", channelId).execute();
    expect((await queueOf("你好")).status).toBe(401);
    expect((await queueOf("你好", { secret: "rotated-secret" })).status).toBe(200);
    await e.t.app.ctx.db.updateTable("channels").set({ credentials: JSON.stringify({ ...rotated, channelSecret: "cache-secret" }) }).where("id", "=", channelId).execute();
    expect((await queueOf("你好")).status).toBe(200);
  });

  it.skipIf(backend !== "postgres")("a rule changed through another server process applies to this one's next message", async () => {
    let other: App | null = null;
    try {
      other = await createApp(e.t.app.config, { clock: e.t.clock, runJobs: false });
      await other.server.ready();
      expect((await queueOf("保固多久")).queue).toBe("human"); // this process has the channel cached, without the rule
      const r = await other.server.inject({ method: "POST", url: "/api/keyword-rules", headers: { authorization: `Bearer ${e.w.tokens.admin}` }, payload: { kind: "auto_reply", keywords: ["保固"], matchMode: "contains", replies: [{ text: "一年保固" }] } });
      expect(r.statusCode).toBe(201);
      expect((await queueOf("保固多久")).queue).toBe("bot");
      await sql`delete from keyword_rules where id = ${r.json().id}`.execute(other.ctx.db);
      expect((await queueOf("保固多久")).queue).toBe("human");
    } finally {
      await other?.close();
    }
  });
});
