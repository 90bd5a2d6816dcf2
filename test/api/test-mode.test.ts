import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createApp, type App } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { createTestDatabase } from "../support/backend.js";

let app: App;
let drop: (() => Promise<void>) | undefined;
const req = async (method: string, url: string, body?: unknown, token?: string) => {
  const r = await app.server.inject({ method: method as "GET", url, payload: body as object, headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: r.statusCode, body: r.json() };
};

beforeAll(async () => {
  const db = await createTestDatabase();
  drop = db?.drop;
  app = await createApp({ ...loadConfig({ PARLEY_TEST_MODE: "1" }), dataDir: ":memory:", databaseUrl: db?.url, seedDemo: false });
  await app.server.ready();
});
afterAll(async () => {
  await app.close();
  await drop?.();
});

describe("test mode", () => {
  it("is refused in production", () => {
    expect(() => loadConfig({ PARLEY_TEST_MODE: "1", NODE_ENV: "production" })).toThrow(/refused/);
  });

  it("VIEW-19: moving the test clock 31 minutes shows the 30-minute waiting badge", async () => {
    expect((await req("POST", "/api/test/reset")).status).toBe(200);
    const ws = await req("POST", "/api/workspaces", { name: "T", admin: { email: "a@t.test", password: "password-1", name: "A" } });
    const login = await req("POST", "/api/auth/login", { email: "a@t.test", password: "password-1" });
    const token = login.body.token;
    const ch = await req("POST", "/api/channels", { platform: "api", name: "api" }, token);
    const t0 = (await req("GET", "/api/test/clock")).body.now;
    const inbound = await req("POST", `/api/channels/${ch.body.id}/inbound`, { userId: "u", messageId: "m1", text: "hi" }, token);
    expect(ws.status).toBe(201);
    const before = await req("GET", `/api/conversations/${inbound.body.conversationId}`, undefined, token);
    expect(before.body.waitingLevel).toBe(0);
    const moved = await req("POST", "/api/test/clock", { advanceMinutes: 31 });
    expect(Date.parse(moved.body.now) - Date.parse(t0)).toBe(31 * 60_000);
    const after = await req("GET", `/api/conversations/${inbound.body.conversationId}`, undefined, token);
    expect(after.body.waitingLevel).toBe(30);
    expect((await req("POST", "/api/test/clock", { set: "2000-01-01T00:00:00Z" })).status).toBe(400);
  });

  it("reset empties the database", async () => {
    await req("POST", "/api/test/reset");
    const login = await req("POST", "/api/auth/login", { email: "a@t.test", password: "password-1" });
    expect(login.status).toBe(401);
  });
});

describe("platform URL overrides", () => {
  it("are refused outside test and demo mode, so an admin cannot send access tokens to another host", async () => {
    const prod = await createApp({ ...loadConfig({}), dataDir: ":memory:", seedDemo: false });
    await prod.server.ready();
    try {
      const r = async (method: string, url: string, body?: unknown, token?: string) => {
        const res = await prod.server.inject({ method: method as "GET", url, payload: body as object, headers: token ? { authorization: `Bearer ${token}` } : {} });
        return { status: res.statusCode, body: res.json() };
      };
      await r("POST", "/api/workspaces", { name: "P", admin: { email: "p@p.test", password: "password-1", name: "P" } });
      const token = (await r("POST", "/api/auth/login", { email: "p@p.test", password: "password-1" })).body.token;
      const bad = await r("POST", "/api/channels", { platform: "line", name: "L", credentials: { channelSecret: "s", apiBaseUrl: "http://evil.example" } }, token);
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe("validation");
      const good = await r("POST", "/api/channels", { platform: "line", name: "L", credentials: { channelSecret: "s" } }, token);
      expect(good.status).toBe(201);
    } finally {
      await prod.close();
    }
  });
});
