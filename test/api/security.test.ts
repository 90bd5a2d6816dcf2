import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";
import { makeWorld, type World } from "../support/world.js";

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp();
  w = await makeWorld(t);
});
afterAll(() => t.close());

const loginWith = (email: string, password: string, ip = "10.9.8.7") =>
  t.app.server.inject({ method: "POST", url: "/api/auth/login", payload: { email, password }, remoteAddress: ip });

describe("login rate limit", () => {
  it("after 10 failed logins for one email in 15 minutes the next answers 429 with Retry-After, even with the right password", async () => {
    await t.req("POST", "/api/members", { token: w.tokens.admin, body: { email: "rl@x.test", name: "RL", role: "agent", password: "password-123" } });
    for (let i = 0; i < 10; i++) expect((await loginWith("rl@x.test", "wrong")).statusCode).toBe(401);
    const blocked = await loginWith("rl@x.test", "password-123");
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers["retry-after"]).toBe("900");
    expect(blocked.json().error.code).toBe("rate_limited");
    // Another member is not affected; after the window the member can log in again.
    expect((await loginWith(`agent2-1@ws.test`, "nope", "10.1.1.1")).statusCode).toBe(401);
    t.clock.advance(15 * 60_000 + 1000);
    expect((await loginWith("rl@x.test", "password-123")).statusCode).toBe(200);
  });

  it("one address guessing many emails is limited too", { timeout: 90_000 }, async () => {
    for (let i = 0; i < 50; i += 10) await Promise.all(Array.from({ length: 10 }, (_, k) => loginWith(`nobody${i + k}@x.test`, "x", "10.2.2.2")));
    expect((await loginWith("someone-else@x.test", "x", "10.2.2.2")).statusCode).toBe(429);
    expect((await loginWith("someone-else@x.test", "x", "10.3.3.3")).statusCode).toBe(401);
  });
});

describe("CSRF", () => {
  it("a cookie-authenticated write from another origin is refused; the same origin and bearer tokens pass", async () => {
    const { conversationId } = await w.customer("csrf-1", "hi");
    const login = await t.app.server.inject({ method: "POST", url: "/api/auth/login", payload: { email: "rl@x.test", password: "password-123" }, remoteAddress: "10.4.4.4" });
    const cookie = String(login.headers["set-cookie"]).split(";")[0];
    const follow = (headers: Record<string, string>) => t.app.server.inject({ method: "POST", url: `/api/conversations/${conversationId}/follow`, payload: {}, headers: { cookie, host: "parley.test", ...headers } });
    const evil = await follow({ origin: "https://evil.example" });
    expect(evil.statusCode).toBe(403);
    expect((await follow({ "sec-fetch-site": "cross-site" })).statusCode).toBe(403);
    expect((await t.req("GET", `/api/conversations/${conversationId}`, { token: w.tokens.admin })).body.state).toBe("pending");
    // Reads are fine cross-origin (no state changes); the console's own origin may write.
    expect((await t.app.server.inject({ method: "GET", url: "/api/me", headers: { cookie, origin: "https://evil.example" } })).statusCode).toBe(200);
    expect((await follow({ origin: "http://parley.test", "sec-fetch-site": "same-origin" })).statusCode).toBe(200);
  });
});
