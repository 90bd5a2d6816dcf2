/**
 * A workspace with one member of every role, an API channel and helpers to
 * make customers write and members act, all through the public HTTP API.
 */
import type { TestApp } from "./app.js";
import { ROLES, type Role } from "../../src/domain/roles.js";
import { expect } from "vitest";

let seq = 0;

export interface World {
  t: TestApp;
  workspaceId: string;
  channelId: string;
  integration: string; // workspace API token
  tokens: Record<Role, string>;
  ids: Record<Role, string>;
  names: Record<Role, string>;
  /** A second member for roles that need two (agent2). */
  agent2: { id: string; token: string };
  customer(userId: string, text?: string, extra?: Record<string, unknown>): Promise<{ conversationId: string; messageId: string; status: string }>;
  act(role: Role | string, conversationId: string, action: string, body?: unknown): Promise<{ status: number; body: any }>;
  get(token: string, url: string): Promise<any>;
}

const NAMES: Record<Role, string> = {
  admin: "Amy",
  supervisor: "Sam",
  cs_manager: "Carl",
  agent: "Jess",
  sales_manager: "Sara",
  sales: "Sean",
  marketing_agent: "Mia",
};

export async function makeWorld(t: TestApp, label = "ws"): Promise<World> {
  const n = ++seq;
  const pw = "password-123";
  const ws = await t.req("POST", "/api/workspaces", { body: { name: `${label} ${n}`, admin: { email: `admin${n}@${label}.test`, password: pw, name: NAMES.admin } } });
  expect(ws.status).toBe(201);
  const login = async (email: string) => {
    const r = await t.req("POST", "/api/auth/login", { body: { email, password: pw, workspaceId: ws.body.id } });
    expect(r.status).toBe(200);
    return r.body.token as string;
  };
  const tokens = { admin: await login(`admin${n}@${label}.test`) } as Record<Role, string>;
  const ids = { admin: ws.body.adminId } as Record<Role, string>;
  for (const role of ROLES.filter((r) => r !== "admin")) {
    const email = `${role}${n}@${label}.test`;
    const r = await t.req("POST", "/api/members", { token: tokens.admin, body: { email, name: NAMES[role], role, password: pw } });
    expect(r.status).toBe(201);
    ids[role] = r.body.id;
    tokens[role] = await login(email);
  }
  const a2 = await t.req("POST", "/api/members", { token: tokens.admin, body: { email: `agent2-${n}@${label}.test`, name: "Jess A", role: "agent", password: pw } });
  const agent2 = { id: a2.body.id as string, token: await login(`agent2-${n}@${label}.test`) };
  const tok = await t.req("POST", "/api/tokens", { token: tokens.admin, body: { name: "integration" } });
  const ch = await t.req("POST", "/api/channels", { token: tokens.admin, body: { platform: "api", name: "API" } });
  expect(ch.status).toBe(201);
  const world: World = {
    t,
    workspaceId: ws.body.id,
    channelId: ch.body.id,
    integration: tok.body.token,
    tokens,
    ids,
    names: NAMES,
    agent2,
    async customer(userId, text = "你好", extra = {}) {
      const r = await t.req("POST", `/api/channels/${ch.body.id}/inbound`, {
        token: tok.body.token,
        body: { userId, displayName: `客人${userId}`, messageId: `m-${userId}-${++seq}`, text, ...extra },
      });
      expect([200, 201]).toContain(r.status);
      return r.body;
    },
    async act(role, conversationId, action, body) {
      const token = role === "agent2" ? agent2.token : tokens[role as Role];
      return t.req("POST", `/api/conversations/${conversationId}/${action}`, { token, body: body ?? {} });
    },
    async get(token, url) {
      const r = await t.req("GET", url, { token });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body;
    },
  };
  return world;
}
