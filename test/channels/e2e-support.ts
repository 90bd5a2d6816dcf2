/**
 * End-to-end harness for the platform simulators: a listening test app (the
 * simulator must reach the webhook URL over loopback), a workspace, a channel
 * created through the API with credentials pointing at the simulator, and
 * small readers for what the inbox stored.
 */
import type { AddressInfo } from "node:net";
import { expect } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";
import { makeWorld, type World } from "../support/world.js";

export interface E2E {
  t: TestApp;
  w: World;
  /** http://127.0.0.1:<port> of the listening app. */
  origin: string;
  close(): Promise<void>;
  createChannel(platform: string, credentials: Record<string, string>): Promise<string>;
  /** The individual conversation of a platform user on a channel, from the database. */
  conversationOf(channelId: string, platformUserId: string): Promise<{ id: string; state: string; queue: string | null } | undefined>;
  /** All messages of a conversation through the API (oldest first). */
  messages(conversationId: string): Promise<any[]>;
  message(conversationId: string, messageId: string): Promise<any>;
  /** Follows the conversation as the agent (if not yet) and posts a text reply; returns the message DTO. */
  reply(conversationId: string, text: string): Promise<any>;
  count(table: "messages" | "webhook_events" | "conversations" | "contact_identities", channelId: string): Promise<number>;
}

export async function startE2E(): Promise<E2E> {
  const t = await startTestApp({}, { listen: true });
  const addr = t.app.server.server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${addr.port}`;
  const w = await makeWorld(t, "e2e");
  const followed = new Set<string>();

  const e2e: E2E = {
    t,
    w,
    origin,
    close: () => t.close(),
    async createChannel(platform, credentials) {
      const r = await t.req("POST", "/api/channels", { token: w.tokens.admin, body: { platform, name: `${platform} sim`, credentials } });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.id as string;
    },
    async conversationOf(channelId, platformUserId) {
      return t.app.ctx.db
        .selectFrom("conversations as c")
        .innerJoin("contact_identities as i", "i.id", "c.identity_id")
        .select(["c.id", "c.state", "c.queue"])
        .where("i.channel_id", "=", channelId)
        .where("i.platform_user_id", "=", platformUserId)
        .executeTakeFirst();
    },
    async messages(conversationId) {
      const r = await w.get(w.tokens.admin, `/api/conversations/${conversationId}/messages?limit=200`);
      return [...r.items].sort((a: any, b: any) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    },
    async message(conversationId, messageId) {
      const m = (await e2e.messages(conversationId)).find((x) => x.id === messageId);
      expect(m, `message ${messageId}`).toBeDefined();
      return m;
    },
    async reply(conversationId, text) {
      if (!followed.has(conversationId)) {
        const f = await w.act("agent", conversationId, "follow");
        expect(f.status, JSON.stringify(f.body)).toBe(200);
        followed.add(conversationId);
      }
      const r = await t.req("POST", `/api/conversations/${conversationId}/messages`, { token: w.tokens.agent, body: { text } });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body.status).toBe("sending");
      return r.body;
    },
    async count(table, channelId) {
      const row = await t.app.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as("n")).where("channel_id", "=", channelId).executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
  return e2e;
}

/** Posts bytes to a webhook URL without any signature header. */
export async function postUnsigned(url: string, raw: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: raw });
  return { status: res.status, body: await res.json().catch(() => null) };
}
