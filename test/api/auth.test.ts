/**
 * Authentication and authorization through the HTTP API: login, the session
 * cookie, logout, every protected route refusing anonymous callers (read
 * from the OpenAPI document), deactivation (LIFE-46), API tokens, the admin
 * capability, and channel secrets never leaving the server.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";
import { makeWorld, type World } from "../support/world.js";
import { ROLES } from "../../src/domain/roles.js";

let t: TestApp;
let w: World;
const PW = "password-123";
let seq = 0;

beforeAll(async () => {
  t = await startTestApp();
  w = await makeWorld(t, "auth");
});
afterAll(() => t.close());

const errorShape = (code: string) => ({ error: expect.objectContaining({ code, message: expect.stringMatching(/.+/) }) });

/** Creates an active member with a password and returns id, email and a session token. */
async function newMember(role: (typeof ROLES)[number] = "agent") {
  const email = `m${++seq}-${role}@auth.test`;
  const r = await t.req("POST", "/api/members", { token: w.tokens.admin, body: { email, name: `Member ${seq}`, role, password: PW } });
  expect(r.status).toBe(201);
  const l = await t.req("POST", "/api/auth/login", { body: { email, password: PW, workspaceId: w.workspaceId } });
  expect(l.status).toBe(200);
  return { id: r.body.id as string, email, token: l.body.token as string };
}

function setCookies(headers: Record<string, unknown>): string[] {
  const h = headers["set-cookie"];
  return h === undefined ? [] : Array.isArray(h) ? h.map(String) : [String(h)];
}

describe("login, session cookie and logout", () => {
  it("a wrong password is 401 unauthorized, and so is an unknown email", async () => {
    const wrong = await t.req("POST", "/api/auth/login", { body: { email: "nobody@auth.test", password: "nope-nope" } });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual(errorShape("unauthorized"));
    const me = await t.req("GET", "/api/me", { token: w.tokens.admin });
    const email = me.body.member.email as string;
    const r = await t.req("POST", "/api/auth/login", { body: { email, password: "wrong-password" } });
    expect(r.status).toBe(401);
    expect(r.body).toEqual(errorShape("unauthorized"));
    expect(setCookies(r.headers)).toEqual([]);
    expect(JSON.stringify(r.body)).not.toMatch(/ps_/);
    // The right password works (the 401 above is about the password).
    const ok = await t.req("POST", "/api/auth/login", { body: { email, password: PW } });
    expect(ok.status).toBe(200);
  });

  it("the session cookie is HttpOnly and SameSite, carries the token and authenticates", async () => {
    const me = await t.req("GET", "/api/me", { token: w.tokens.admin });
    const r = await t.req("POST", "/api/auth/login", { body: { email: me.body.member.email, password: PW } });
    expect(r.status).toBe(200);
    const cookies = setCookies(r.headers);
    const session = cookies.find((c) => c.startsWith("parley_session="));
    expect(session, cookies.join(" | ")).toBeDefined();
    const attrs = session!.split(";").map((p) => p.trim().toLowerCase());
    expect(attrs).toContain("httponly");
    expect(attrs.some((a) => /^samesite=(lax|strict)$/.test(a))).toBe(true);
    expect(attrs).toContain("path=/");
    const value = session!.split(";")[0].slice("parley_session=".length);
    expect(decodeURIComponent(value)).toBe(r.body.token);
    const viaCookie = await t.req("GET", "/api/me", { headers: { cookie: `parley_session=${value}` } });
    expect(viaCookie.status).toBe(200);
    expect(viaCookie.body.member.id).toBe(w.ids.admin);
  });

  it("with secure cookies configured the session cookie is also Secure", async () => {
    const s = await startTestApp({ secureCookies: true });
    try {
      const ws = await s.req("POST", "/api/workspaces", { body: { name: "Secure", admin: { email: "sec@auth.test", password: PW, name: "Sec" } } });
      expect(ws.status).toBe(201);
      const r = await s.req("POST", "/api/auth/login", { body: { email: "sec@auth.test", password: PW } });
      expect(r.status).toBe(200);
      const session = setCookies(r.headers).find((c) => c.startsWith("parley_session="))!;
      const attrs = session.split(";").map((p) => p.trim().toLowerCase());
      expect(attrs).toEqual(expect.arrayContaining(["httponly", "secure"]));
    } finally {
      await s.close();
    }
  });

  it("logout invalidates the bearer token and the cookie session", async () => {
    const m = await newMember();
    expect((await t.req("GET", "/api/me", { token: m.token })).status).toBe(200);
    const out = await t.req("POST", "/api/auth/logout", { token: m.token });
    expect(out.status).toBe(200);
    const after = await t.req("GET", "/api/me", { token: m.token });
    expect(after.status).toBe(401);
    expect(after.body).toEqual(errorShape("unauthorized"));

    const l = await t.req("POST", "/api/auth/login", { body: { email: m.email, password: PW } });
    const cookie = `parley_session=${l.body.token}`;
    expect((await t.req("GET", "/api/me", { headers: { cookie } })).status).toBe(200);
    const out2 = await t.req("POST", "/api/auth/logout", { headers: { cookie } });
    expect(out2.status).toBe(200);
    // The cookie is cleared in the browser and dead on the server.
    expect(setCookies(out2.headers).some((c) => /^parley_session=;/.test(c) || /expires=thu, 01 jan 1970/i.test(c))).toBe(true);
    expect((await t.req("GET", "/api/me", { headers: { cookie } })).status).toBe(401);
    // Other sessions of the same member live on.
    const l2 = await t.req("POST", "/api/auth/login", { body: { email: m.email, password: PW } });
    const l3 = await t.req("POST", "/api/auth/login", { body: { email: m.email, password: PW } });
    await t.req("POST", "/api/auth/logout", { token: l2.body.token });
    expect((await t.req("GET", "/api/me", { token: l3.body.token })).status).toBe(200);
  });

  it("made-up, malformed and other-kind tokens are 401", async () => {
    for (const token of ["ps_forged", "pt_forged", "nonsense", "ps_", `${w.tokens.admin}x`]) {
      const r = await t.req("GET", "/api/me", { token });
      expect(r.status, token).toBe(401);
      expect(r.body, token).toEqual(errorShape("unauthorized"));
    }
    const r = await t.req("GET", "/api/me", { headers: { cookie: "parley_session=ps_forged" } });
    expect(r.status).toBe(401);
  });
});

describe("every protected route refuses anonymous callers", () => {
  it("every route of the OpenAPI document except the public ones answers 401 without credentials", async () => {
    const doc = await t.req("GET", "/api/openapi.json");
    expect(doc.status).toBe(200);
    const PUBLIC = ["GET /api/health", "POST /api/auth/login", "POST /api/workspaces"];
    const ops: { key: string; method: string; path: string; op: any }[] = [];
    for (const [path, item] of Object.entries<Record<string, any>>(doc.body.paths)) {
      for (const [method, op] of Object.entries<any>(item)) {
        if (["get", "post", "put", "patch", "delete"].includes(method)) ops.push({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, op });
      }
    }
    // Test-mode tooling (tags "test" and "simulator", only with PARLEY_TEST_MODE or the demo) is public by design; one route empties the database.
    const tooling = (o: { op: any }) => o.op.tags?.includes("test") || o.op.tags?.includes("simulator");
    const testMode = ops.filter(tooling);
    expect(testMode.every((o) => o.path.startsWith("/api/test/") || o.path.startsWith("/api/simulator/"))).toBe(true);
    // The member API lives under /api/; outside it are routes with their own guard (webhook signatures, secret media links).
    const routes = ops.filter((o) => !tooling(o) && o.path.startsWith("/api/"));
    // Whatever is documented outside /api/ says so (the server's anonymous check covers /api/ only).
    expect(ops.filter((o) => !o.path.startsWith("/api/") && !(Array.isArray(o.op.security) && o.op.security.length === 0)).map((o) => o.key)).toEqual([]);
    // The document agrees with the list of public routes.
    expect(routes.filter((o) => Array.isArray(o.op.security) && o.op.security.length === 0).map((o) => o.key).sort()).toEqual([...PUBLIC].sort());
    const protectedOps = routes.filter((o) => !PUBLIC.includes(o.key));
    expect(protectedOps.length).toBeGreaterThanOrEqual(40);

    const realConversation = (await w.customer("anon-1")).conversationId;
    const before = await w.get(w.tokens.admin, `/api/conversations/${realConversation}/status-log`);
    const failures: string[] = [];
    for (const o of protectedOps) {
      const id = o.path.startsWith("/api/conversations") ? realConversation : o.path.startsWith("/api/channels") ? w.channelId : w.ids.agent;
      const url = o.path.replace("{id}", id).replace(/\{[^}]+\}/g, "0190a3f0-0000-7000-8000-000000000000");
      const withQuery = o.method === "GET" && o.path === "/api/conversations" ? `${url}?view=pending_human` : url;
      // Without a body, with a plausible body, and with a forged token: always 401, never validation first.
      const attempts: { body?: unknown; token?: string }[] = [{}, { body: { text: "x", name: "x", action: "close", ids: [realConversation] } }, { token: "ps_forged" }];
      for (const at of attempts) {
        const r = await t.req(o.method, withQuery, { body: o.method === "GET" || o.method === "DELETE" ? undefined : (at.body ?? undefined), token: at.token });
        const shapeOk = r.body?.error?.code === "unauthorized" && typeof r.body.error.message === "string" && r.body.error.message.length > 0;
        if (r.status !== 401 || !shapeOk) failures.push(`${o.key} ${JSON.stringify(at)} → ${r.status} ${JSON.stringify(r.body)}`);
      }
    }
    expect(failures).toEqual([]);
    // Nothing happened to the conversation anonymous callers poked at.
    expect(await w.get(w.tokens.admin, `/api/conversations/${realConversation}/status-log`)).toEqual(before);
    // And the public routes really are reachable without credentials.
    expect((await t.req("GET", "/api/health")).status).toBe(200);
  });
});

describe("deactivation and reactivation", () => {
  it("LIFE-46: a deactivated member loses access at once and their processing conversations return to the human queue with a status-log entry", async () => {
    const m = await newMember("agent");
    const apiToken = await t.req("POST", "/api/tokens", { token: m.token, body: { name: "mine", member: true } });
    expect(apiToken.status).toBe(200);
    const c1 = (await w.customer("life46-1")).conversationId;
    const c2 = (await w.customer("life46-2")).conversationId;
    const other = (await w.customer("life46-3")).conversationId;
    for (const id of [c1, c2]) expect((await t.req("POST", `/api/conversations/${id}/follow`, { token: m.token, body: {} })).status).toBe(200);
    expect((await w.act("agent", other, "follow")).status).toBe(200);
    expect((await t.req("GET", "/api/me", { token: apiToken.body.token })).status).toBe(200);

    const d = await t.req("POST", `/api/members/${m.id}/deactivate`, { token: w.tokens.admin });
    expect(d.status).toBe(200);
    expect(d.body).toEqual({ ok: true, returnedToQueue: 2 });

    // At once: the very next request with the existing session or API token is refused.
    for (const token of [m.token, apiToken.body.token]) {
      const r = await t.req("GET", "/api/conversations?view=my_processing", { token });
      expect(r.status).toBe(401);
      expect(r.body).toEqual(errorShape("unauthorized"));
    }
    const login = await t.req("POST", "/api/auth/login", { body: { email: m.email, password: PW } });
    expect(login.status).toBe(401);
    expect(login.body).toEqual(errorShape("unauthorized"));

    for (const id of [c1, c2]) {
      const c = await w.get(w.tokens.admin, `/api/conversations/${id}`);
      expect(c).toMatchObject({ state: "pending", queue: "human", follower: null });
      const log = (await w.get(w.tokens.admin, `/api/conversations/${id}/status-log`)).items;
      expect(log.at(-1)).toMatchObject({ text: `Member ${seq} 已停用,對話回到待處理-真人客服。`, state: "pending", queue: "human", followerId: null, actor: null });
    }
    const pending = (await w.get(w.tokens.admin, "/api/conversations?view=pending_human&limit=100")).items.map((c: { id: string }) => c.id);
    expect(pending).toEqual(expect.arrayContaining([c1, c2]));
    // Someone else's conversation is untouched.
    expect(await w.get(w.tokens.admin, `/api/conversations/${other}`)).toMatchObject({ state: "processing", follower: { id: w.ids.agent } });
    // The member list shows them inactive.
    expect(await w.get(w.tokens.admin, `/api/members/${m.id}`)).toMatchObject({ active: false });

    // Reactivation restores login, not the old sessions nor the conversations.
    const act = await t.req("POST", `/api/members/${m.id}/activate`, { token: w.tokens.admin });
    expect(act.status).toBe(200);
    const again = await t.req("POST", "/api/auth/login", { body: { email: m.email, password: PW } });
    expect(again.status).toBe(200);
    expect((await t.req("GET", "/api/me", { token: again.body.token })).body.member).toMatchObject({ id: m.id, role: "agent" });
    expect((await t.req("GET", "/api/me", { token: m.token })).status).toBe(401);
    expect(await w.get(w.tokens.admin, `/api/conversations/${c1}`)).toMatchObject({ state: "pending", follower: null });
    expect(await w.get(w.tokens.admin, `/api/members/${m.id}`)).toMatchObject({ active: true });
  });

  it("only an administrator may deactivate, and not themselves", async () => {
    const m = await newMember("agent");
    for (const role of ROLES.filter((r) => r !== "admin")) {
      const r = await t.req("POST", `/api/members/${m.id}/deactivate`, { token: w.tokens[role] });
      expect(r.status, role).toBe(403);
      expect(r.body, role).toEqual(errorShape("forbidden"));
    }
    expect((await t.req("GET", "/api/me", { token: m.token })).status).toBe(200);
    const self = await t.req("POST", `/api/members/${w.ids.admin}/deactivate`, { token: w.tokens.admin });
    expect(self.status).toBe(400);
    expect((await t.req("GET", "/api/me", { token: w.tokens.admin })).status).toBe(200);
  });
});

describe("API tokens", () => {
  it("a member token acts as the member", async () => {
    const tok = await t.req("POST", "/api/tokens", { token: w.tokens.agent, body: { name: "agent script", member: true } });
    expect(tok.status).toBe(200);
    expect(tok.body.token).toMatch(/^pt_/);
    const me = await t.req("GET", "/api/me", { token: tok.body.token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ integration: false, member: { id: w.ids.agent, role: "agent" } });
    const { conversationId } = await w.customer("tok-1");
    const f = await t.req("POST", `/api/conversations/${conversationId}/follow`, { token: tok.body.token, body: {} });
    expect(f.status).toBe(200);
    expect(f.body).toMatchObject({ state: "processing", follower: { id: w.ids.agent } });
    // The member's own view lists it; it acts with the member's rights (an agent cannot take over).
    expect((await w.get(w.tokens.agent, "/api/conversations?view=my_processing&limit=100")).items.map((c: { id: string }) => c.id)).toContain(conversationId);
    const other = (await w.customer("tok-2")).conversationId;
    expect((await w.act("agent2", other, "follow")).status).toBe(200);
    const takeOver = await t.req("POST", `/api/conversations/${other}/take-over`, { token: tok.body.token, body: {} });
    expect(takeOver.status).toBe(403);
  });

  it("an integration token cannot follow a conversation (403) nor act as a member", async () => {
    const { conversationId } = await w.customer("tok-3");
    const f = await t.req("POST", `/api/conversations/${conversationId}/follow`, { token: w.integration, body: {} });
    expect(f.status).toBe(403);
    expect(f.body).toEqual(errorShape("forbidden"));
    expect(await w.get(w.tokens.admin, `/api/conversations/${conversationId}`)).toMatchObject({ state: "pending", follower: null });
    const send = await t.req("POST", `/api/conversations/${conversationId}/messages`, { token: w.integration, body: { text: "hi" } });
    expect(send.status).toBe(403);
    const tok = await t.req("POST", "/api/tokens", { token: w.integration, body: { name: "minted by integration" } });
    expect(tok.status).toBe(403);
    const me = await t.req("GET", "/api/me", { token: w.integration });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ integration: true, member: null });
  });

  it("only an administrator may mint a workspace integration token", async () => {
    for (const role of ROLES.filter((r) => r !== "admin")) {
      const r = await t.req("POST", "/api/tokens", { token: w.tokens[role], body: { name: "x" } });
      expect(r.status, role).toBe(403);
      expect(r.body, role).toEqual(errorShape("forbidden"));
    }
    const ok = await t.req("POST", "/api/tokens", { token: w.tokens.admin, body: { name: "x" } });
    expect(ok.status).toBe(200);
    expect((await t.req("GET", "/api/me", { token: ok.body.token })).body.integration).toBe(true);
  });
});

describe("administrator-only settings", () => {
  it("only an administrator may create members, create channels and change workspace settings", async () => {
    for (const role of ROLES) {
      const ws0 = await w.get(w.tokens.admin, "/api/workspace");
      const channels0 = (await w.get(w.tokens.admin, "/api/channels")).items.length;
      const email = `new-by-${role}@auth.test`;
      const mem = await t.req("POST", "/api/members", { token: w.tokens[role], body: { email, name: `by ${role}`, role: "agent", password: PW } });
      const ch = await t.req("POST", "/api/channels", { token: w.tokens[role], body: { platform: "api", name: `by ${role}` } });
      const set = await t.req("PATCH", "/api/workspace", { token: w.tokens[role], body: { name: `renamed by ${role}`, settings: { autoCloseMinutes: 60 } } });
      const members = (await w.get(w.tokens.admin, "/api/members")).items.map((m: { email: string }) => m.email);
      if (role === "admin") {
        expect(mem.status).toBe(201);
        expect(ch.status).toBe(201);
        expect(set.status).toBe(200);
        expect(members).toContain(email);
        expect((await w.get(w.tokens.admin, "/api/channels")).items.length).toBe(channels0 + 1);
        expect(await w.get(w.tokens.admin, "/api/workspace")).toMatchObject({ name: "renamed by admin", settings: { autoCloseMinutes: 60 } });
      } else {
        for (const [what, r] of [["member", mem], ["channel", ch], ["settings", set]] as const) {
          expect(r.status, `${role} ${what}`).toBe(403);
          expect(r.body, `${role} ${what}`).toEqual(errorShape("forbidden"));
        }
        expect(members).not.toContain(email);
        expect((await w.get(w.tokens.admin, "/api/channels")).items.length).toBe(channels0);
        expect(await w.get(w.tokens.admin, "/api/workspace")).toEqual(ws0);
      }
    }
  });

  it("a member may edit their own name but not their role", async () => {
    const m = await newMember("agent");
    expect((await t.req("PATCH", `/api/members/${m.id}`, { token: m.token, body: { name: "Renamed" } })).status).toBe(200);
    const up = await t.req("PATCH", `/api/members/${m.id}`, { token: m.token, body: { role: "admin" } });
    expect(up.status).toBe(403);
    expect((await t.req("GET", "/api/me", { token: m.token })).body.member).toMatchObject({ name: "Renamed", role: "agent" });
    const other = await t.req("PATCH", `/api/members/${w.ids.agent}`, { token: m.token, body: { name: "Not mine" } });
    expect(other.status).toBe(403);
  });
});

describe("channel credentials", () => {
  it("are stored but never returned by any response", async () => {
    const bodies: string[] = [];
    const call = async (method: string, url: string, token: string, body?: unknown) => {
      const r = await t.req(method, url, { token, body });
      bodies.push(typeof r.body === "string" ? r.body : JSON.stringify(r.body));
      return r;
    };
    const created = await call("POST", "/api/channels", w.tokens.admin, { platform: "line", name: "LINE secret", externalId: "line-secret-1", credentials: { secret: "s3cr3t", token: "s3cr3t-too" } });
    expect(created.status).toBe(201);
    expect(created.body.credentialsSet.sort()).toEqual(["secret", "token"]);
    for (const role of ROLES) {
      const list = await call("GET", "/api/channels", w.tokens[role]);
      expect(list.status).toBe(200);
      expect(list.body.items.map((c: { id: string }) => c.id)).toContain(created.body.id);
      const one = await call("GET", `/api/channels/${created.body.id}`, w.tokens[role]);
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({ id: created.body.id, name: "LINE secret", credentialsSet: expect.arrayContaining(["secret"]) });
    }
    await call("GET", `/api/channels/${created.body.id}`, w.integration);
    await call("GET", "/api/channels", w.integration);
    await call("GET", "/api/me", w.tokens.admin);
    await call("GET", "/api/workspace", w.tokens.admin);
    expect(bodies.length).toBeGreaterThan(10);
    for (const b of bodies) expect(b).not.toContain("s3cr3t");
  });
});
