/**
 * Bad input through the HTTP API: always a 4xx with the one error shape
 * {error:{code,message}}, never a 5xx, never a crash. The property test
 * throws random JSON at the routes that take the most structured bodies.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import fc from "fast-check";
import { startTestApp, type TestApp } from "../support/app.js";
import { makeWorld, type World } from "../support/world.js";

let t: TestApp;
let w: World;
let conversationId: string;

beforeAll(async () => {
  t = await startTestApp();
  w = await makeWorld(t, "valid");
  conversationId = (await w.customer("v-1", "hello")).conversationId;
  expect((await w.act("agent", conversationId, "follow")).status).toBe(200);
});
afterAll(() => t.close());

const NIL = "00000000-0000-4000-8000-000000000000";
const cursorOf = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");

/** Sends a raw string as a JSON request body. */
const raw = (method: string, url: string, payload: string, token?: string) =>
  t.req(method, url, { token, body: payload, headers: { "content-type": "application/json" } });

function expectError(r: { status: number; body: any }, status: number, code: string, label = "") {
  expect(r.status, `${label} ${JSON.stringify(r.body)}`).toBe(status);
  expect(r.body, label).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
  expect(r.body.error.message.length, label).toBeGreaterThan(0);
}

describe("bad input is a 400 validation error", () => {
  it("a malformed or empty JSON body", async () => {
    for (const payload of ['{"email":', "{email: 'a'}", "[1,2", "", '{"__proto__":{"admin":true}}']) {
      expectError(await raw("POST", "/api/auth/login", payload), 400, "validation", `login ${JSON.stringify(payload)}`);
      expectError(await raw("POST", `/api/conversations/${conversationId}/messages`, payload, w.tokens.agent), 400, "validation", `messages ${JSON.stringify(payload)}`);
    }
    // Valid JSON of the wrong shape.
    for (const payload of ["null", "42", '"text"', "[]"]) expectError(await raw("POST", "/api/conversations/batch", payload, w.tokens.admin), 400, "validation", payload);
    // Nothing was sent.
    const msgs = await w.get(w.tokens.agent, `/api/conversations/${conversationId}/messages`);
    expect(msgs.items.filter((m: { senderKind: string }) => m.senderKind === "agent")).toEqual([]);
  });

  it("wrong types", async () => {
    const cases: [string, string, unknown, string?][] = [
      ["POST", "/api/auth/login", { email: 123, password: "x" }],
      ["POST", "/api/auth/login", { email: "a@b.test", password: ["x"] }],
      ["POST", `/api/conversations/${conversationId}/messages`, { text: 42 }, w.tokens.agent],
      ["POST", `/api/conversations/${conversationId}/messages`, { text: { zh: "hi" } }, w.tokens.agent],
      ["POST", `/api/conversations/${conversationId}/follow`, { version: "3" }, w.agent2.token],
      ["POST", "/api/conversations/batch", { action: "close", ids: conversationId }, w.tokens.admin],
      ["POST", "/api/conversations/batch", { action: "close", ids: [] }, w.tokens.admin],
      ["POST", "/api/conversations/batch", { action: "close", ids: ["not-a-uuid"] }, w.tokens.admin],
      ["POST", "/api/channels", { platform: "api", name: "x", credentials: { secret: { nested: true } } }, w.tokens.admin],
      ["POST", "/api/members", { email: "not-an-email", name: "x", role: "agent" }, w.tokens.admin],
      ["PATCH", "/api/workspace", { settings: { autoCloseMinutes: "soon" } }, w.tokens.admin],
      ["PATCH", "/api/workspace", { settings: { notASetting: true } }, w.tokens.admin],
      ["POST", `/api/channels/${w.channelId}/inbound`, { userId: 7, messageId: "m", text: "hi" }, w.integration],
      ["POST", `/api/channels/${w.channelId}/inbound`, { userId: "u", messageId: "m", mediaUrl: "not a url", kind: "image" }, w.integration],
      ["GET", "/api/conversations?view=pending_human&limit=abc", undefined, w.tokens.admin],
      ["GET", "/api/conversations?view=pending_human&limit=0", undefined, w.tokens.admin],
      ["GET", "/api/conversations?view=pending_human&unread=maybe", undefined, w.tokens.admin],
    ];
    for (const [method, url, body, token] of cases) expectError(await t.req(method, url, { token, body }), 400, "validation", `${method} ${url} ${JSON.stringify(body)}`);
    expect(await w.get(w.tokens.admin, "/api/workspace")).toMatchObject({ settings: { autoCloseMinutes: null } });
  });

  it("unknown enum values", async () => {
    const cases: [string, string, unknown][] = [
      ["POST", "/api/channels", { platform: "fax", name: "Fax" }],
      ["POST", "/api/members", { email: "e@valid.test", name: "E", role: "overlord", password: "password-123" }],
      ["POST", "/api/conversations/batch", { action: "explode", ids: [conversationId] }],
      ["POST", "/api/keyword-rules", { kind: "auto_reply", keywords: ["k"], replies: [{ text: "r" }], matchMode: "fuzzy" }],
      ["POST", "/api/keyword-rules", { kind: "auto_reply", keywords: ["k"], replies: [{ text: "r" }], states: ["limbo"] }],
      ["POST", `/api/channels/${w.channelId}/statuses`, { messageId: "m", status: "teleported" }],
      ["POST", `/api/channels/${w.channelId}/inbound`, { userId: "u", messageId: "m", kind: "hologram", text: "x" }],
      ["GET", "/api/conversations?view=everything", undefined],
      ["GET", "/api/conversations?view=pending_human&sort=random", undefined],
      ["GET", "/api/conversations?view=pending_human&order=sideways", undefined],
      ["GET", "/api/members?role=overlord", undefined],
    ];
    for (const [method, url, body] of cases) expectError(await t.req(method, url, { token: w.tokens.admin, body }), 400, "validation", `${method} ${url}`);
    expect((await w.get(w.tokens.admin, "/api/members")).items.map((m: { email: string }) => m.email)).not.toContain("e@valid.test");
    expect((await w.get(w.tokens.admin, "/api/channels")).items).toHaveLength(1);
  });

  it("a bad uuid in the path, on every route that takes one", async () => {
    const doc = await t.req("GET", "/api/openapi.json");
    const routes = Object.entries<Record<string, unknown>>(doc.body.paths).flatMap(([path, item]) =>
      Object.keys(item).filter((m) => ["get", "post", "put", "patch", "delete"].includes(m)).map((m) => ({ method: m.toUpperCase(), path })),
    );
    // Test-mode tooling (/api/simulator, /api/test) drives simulators, not tenant data; it is checked by its own suite.
    const withId = routes.filter((r) => r.path.includes("{") && !r.path.startsWith("/api/simulator/"));
    expect(withId.length).toBeGreaterThanOrEqual(20);
    for (const bad of ["not-a-uuid", "123", "00000000-0000-0000-0000-00000000000g", "'; drop table conversations; --"]) {
      for (const r of withId) {
        const url = r.path.replace(/\{[^}]+\}/g, encodeURIComponent(bad));
        const res = await t.req(r.method, url, { token: w.tokens.admin, body: r.method === "GET" || r.method === "DELETE" ? undefined : {} });
        expectError(res, 400, "validation", `${r.method} ${url}`);
      }
    }
    expect((await w.get(w.tokens.admin, `/api/conversations/${conversationId}`)).id).toBe(conversationId);
  });

  it("oversized text", async () => {
    const big = "字".repeat(5001);
    expectError(await t.req("POST", `/api/conversations/${conversationId}/messages`, { token: w.tokens.agent, body: { text: big } }), 400, "validation", "reply");
    expectError(await t.req("POST", `/api/channels/${w.channelId}/inbound`, { token: w.integration, body: { userId: "big", messageId: "big-1", text: big } }), 400, "validation", "inbound");
    expectError(await t.req("POST", "/api/channels", { token: w.tokens.admin, body: { platform: "api", name: "n".repeat(101) } }), 400, "validation", "channel name");
    expectError(await t.req("POST", "/api/auth/login", { body: { email: `${"e".repeat(320)}@x.test`, password: "x" } }), 400, "validation", "email");
    expectError(await t.req("GET", `/api/members?q=${"q".repeat(101)}`, { token: w.tokens.admin }), 400, "validation", "search");
    // Exactly at the limit is fine, so the limit is where the schema says.
    const ok = await t.req("POST", `/api/conversations/${conversationId}/messages`, { token: w.tokens.agent, body: { text: "字".repeat(5000) } });
    expect(ok.status).toBe(201);
    // Beyond the server's body limit: 413 with the same error shape.
    const huge = await t.req("POST", `/api/conversations/${conversationId}/messages`, { token: w.tokens.agent, body: { text: "x".repeat(6 * 1024 * 1024) } });
    expectError(huge, 413, "payload_too_large", "body limit");
  });

  it("text the database cannot store (NUL, unpaired surrogates) and absurdly deep nesting", async () => {
    const surrogate = '{"text":"a\\ud800b"}';
    expectError(await raw("POST", `/api/conversations/${conversationId}/messages`, surrogate, w.tokens.agent), 400, "validation", "lone surrogate");
    expectError(await raw("POST", "/api/channels", '{"platform":"api","name":"s","settings":{"\\udc00":1}}', w.tokens.admin), 400, "validation", "lone surrogate key");
    const deep = JSON.parse(`${"[".repeat(3000)}${"]".repeat(3000)}`);
    expectError(await t.req("POST", "/api/channels", { token: w.tokens.admin, body: { platform: "api", name: "deep", settings: { deep } } }), 400, "validation", "deep");
    // A proper pair (an emoji) is fine.
    expect((await t.req("POST", `/api/conversations/${conversationId}/messages`, { token: w.tokens.agent, body: { text: "👍" } })).status).toBe(201);
    expect((await w.get(w.tokens.admin, "/api/channels")).items).toHaveLength(1);

    expectError(await t.req("POST", `/api/conversations/${conversationId}/messages`, { token: w.tokens.agent, body: { text: "a\u0000b" } }), 400, "validation", "reply");
    expectError(await t.req("POST", `/api/channels/${w.channelId}/inbound`, { token: w.integration, body: { userId: "nul\u0000", messageId: "nul-1", text: "x" } }), 400, "validation", "inbound");
    expectError(await t.req("POST", "/api/auth/login", { body: { email: "a\u0000@b.test", password: "x" } }), 400, "validation", "login");
    expectError(await t.req("GET", "/api/members?q=%00", { token: w.tokens.admin }), 400, "validation", "query");
    expectError(await t.req("POST", "/api/channels", { token: w.tokens.admin, body: { platform: "api", name: "n", settings: { "k\u0000": 1 } } }), 400, "validation", "key");
  });

  it("an invalid cursor string", async () => {
    const cursors = [
      "garbage",
      "!!!",
      cursorOf({ k: "2026-01-01T00:00:00Z" }),
      cursorOf({ k: "yesterday", id: NIL }),
      cursorOf({ k: "2026-01-01T00:00:00Z", id: "not-a-uuid" }),
      cursorOf({ t: "2026-01-01T00:00:00Z", id: "not-a-uuid" }),
      cursorOf({ t: "+275760-09-13T00:00:00.000Z", id: NIL }),
      cursorOf({ k: "+275760-09-13T00:00:00.000Z", id: NIL }),
      cursorOf([1, 2]),
      cursorOf(null),
      "c".repeat(501),
    ];
    for (const c of cursors) {
      const q = encodeURIComponent(c);
      expectError(await t.req("GET", `/api/conversations?view=pending_human&cursor=${q}`, { token: w.tokens.admin }), 400, "validation", `list ${c}`);
      expectError(await t.req("GET", `/api/conversations/${conversationId}/messages?cursor=${q}`, { token: w.tokens.admin }), 400, "validation", `messages ${c}`);
    }
    // A cursor the server handed out works.
    const page = await w.get(w.tokens.admin, `/api/conversations/${conversationId}/messages?limit=1`);
    expect(page.nextCursor).toEqual(expect.any(String));
    expect((await t.req("GET", `/api/conversations/${conversationId}/messages?limit=1&cursor=${page.nextCursor}`, { token: w.tokens.admin })).status).toBe(200);
  });
});

describe("bodies that may be left out", () => {
  it("LIFE-33: follow, close and reopen need no body at all, nor more than JSON null", async () => {
    const id = (await w.customer("v-nobody", "hi")).conversationId;
    expect((await t.req("POST", `/api/conversations/${id}/follow`, { token: w.tokens.agent })).status).toBe(200);
    const closed = await raw("POST", `/api/conversations/${id}/close`, "null", w.tokens.agent);
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect(closed.body).toMatchObject({ state: "closed" });
    const reopened = await t.req("POST", `/api/conversations/${id}/reopen`, { token: w.tokens.agent });
    expect(reopened.status, JSON.stringify(reopened.body)).toBe(200);
    expect(reopened.body).toMatchObject({ state: "processing" });
  });
});

describe("not found", () => {
  it("an unknown route is 404 with the error shape, with or without credentials", async () => {
    for (const [method, url] of [["GET", "/api/nope"], ["POST", "/api/conversations/nope/nope"], ["DELETE", "/api/channels"], ["GET", "/nothing-here"]]) {
      expectError(await t.req(method, url, { token: w.tokens.admin }), 404, "not_found", `${method} ${url}`);
      expectError(await t.req(method, url), 404, "not_found", `${method} ${url} anonymous`);
    }
  });

  it("an unknown conversation id (a valid uuid) is 404", async () => {
    const id = "0190a3f0-0000-7000-8000-000000000000";
    for (const [method, url, body] of [
      ["GET", `/api/conversations/${id}`, undefined],
      ["GET", `/api/conversations/${id}/messages`, undefined],
      ["GET", `/api/conversations/${id}/status-log`, undefined],
      ["POST", `/api/conversations/${id}/follow`, {}],
      ["POST", `/api/conversations/${id}/messages`, { text: "hi" }],
      ["DELETE", `/api/conversations/${id}`, undefined],
    ] as const) {
      expectError(await t.req(method, url, { token: w.tokens.admin, body }), 404, "not_found", `${method} ${url}`);
    }
  });
});

describe("random bodies never break the server", () => {
  /** Any JSON value, raw JSON text, or not JSON at all, plus near-miss objects that pass more of the schema. */
  const bodies = (nearMiss: fc.Arbitrary<Record<string, unknown>>) =>
    fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.json(),
      fc.string(),
      fc.anything({ withNullPrototype: false }).map((v) => JSON.stringify(v) ?? "null"),
      nearMiss.map((v) => JSON.stringify(v)),
    );
  const str = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: "binary", maxLength: 30 }), fc.constant(""), fc.string({ minLength: 5001, maxLength: 5002 }));
  const anyVal = fc.oneof(str, fc.integer(), fc.boolean(), fc.constant(null), fc.uuid(), fc.jsonValue());

  async function check(label: string, send: (payload: string) => Promise<{ status: number; body: any }>, nearMiss: fc.Arbitrary<Record<string, unknown>>) {
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(bodies(nearMiss), async (payload) => {
        const r = await send(payload);
        seen.add(r.status);
        expect(r.status, `${label} ${payload.slice(0, 200)} → ${JSON.stringify(r.body).slice(0, 300)}`).toBeLessThan(500);
        if (r.status >= 400) {
          expect(r.body, `${label} ${payload.slice(0, 200)}`).toEqual({ error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }) });
          expect(r.body.error.code.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 60 },
    );
    // The run did reach the 400 path (and the generators are not all rejected the same trivial way).
    expect(seen.has(400), `${label}: ${[...seen]}`).toBe(true);
  }

  it("POST /api/channels/:id/inbound", async () => {
    const nearMiss = fc.record(
      { userId: anyVal, displayName: anyVal, messageId: anyVal, kind: fc.oneof(fc.constantFrom("text", "image", "video", "audio", "file", "sticker", "location"), anyVal), text: anyVal, mediaUrl: fc.oneof(fc.webUrl(), anyVal), fileName: anyVal, quotedMessageId: anyVal },
      { requiredKeys: [] },
    );
    await check("inbound", (p) => raw("POST", `/api/channels/${w.channelId}/inbound`, p, w.integration), nearMiss);
  });

  it("POST /api/conversations/batch", async () => {
    const nearMiss = fc.record(
      { action: fc.oneof(fc.constantFrom("follow", "transfer", "close", "delete", "blacklist", "reopen"), anyVal), ids: fc.oneof(fc.array(fc.oneof(fc.uuid(), fc.constant(conversationId)), { maxLength: 25 }), anyVal), toMemberId: fc.oneof(fc.constantFrom(w.ids.agent, w.agent2.id), fc.uuid(), anyVal) },
      { requiredKeys: [] },
    );
    const tokens = fc.constantFrom(w.tokens.admin, w.tokens.agent, w.tokens.sales);
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(bodies(nearMiss), tokens, async (payload, token) => {
        const r = await raw("POST", "/api/conversations/batch", payload, token);
        seen.add(r.status);
        expect(r.status, `batch ${payload.slice(0, 200)} → ${JSON.stringify(r.body).slice(0, 300)}`).toBeLessThan(500);
        if (r.status >= 400) expect(r.body).toEqual({ error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }) });
      }),
      { numRuns: 60 },
    );
    expect(seen.has(400)).toBe(true);
  });

  it("POST /api/conversations/:id/messages", async () => {
    const nearMiss = fc.record({ text: anyVal, clientMessageId: anyVal }, { requiredKeys: [] });
    await check("messages", (p) => raw("POST", `/api/conversations/${conversationId}/messages`, p, w.tokens.agent), nearMiss);
  });

  it("POST /api/auth/login", async () => {
    const nearMiss = fc.record({ email: fc.oneof(fc.emailAddress(), anyVal), password: anyVal, workspaceId: fc.oneof(fc.constant(w.workspaceId), fc.uuid(), anyVal) }, { requiredKeys: [] });
    await check("login", (p) => raw("POST", "/api/auth/login", p), nearMiss);
  });
});

describe("every route with a body, from the OpenAPI document", () => {
  const anyVal = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean(), fc.constant(null), fc.uuid(), fc.jsonValue(), fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }));

  it("random and near-miss bodies on every POST, PUT and PATCH route: never a 5xx, every 4xx in the error shape", async () => {
    const doc = await t.req("GET", "/api/openapi.json");
    // A conversation of its own: the batch fuzz above may have deleted the shared one.
    const fresh = (await w.customer("v-every-route", "hello")).conversationId;
    const contactId = (await w.get(w.tokens.admin, `/api/conversations/${fresh}`)).contact.id as string;
    const idFor = (path: string) => (path.startsWith("/api/conversations/") ? fresh : path.startsWith("/api/contacts/") ? contactId : path.startsWith("/api/channels/") ? w.channelId : NIL);
    const routes: { method: string; path: string; props: string[] }[] = [];
    for (const [path, item] of Object.entries<Record<string, any>>(doc.body.paths)) {
      for (const method of ["post", "put", "patch"]) {
        const op = item[method];
        if (!op || path === "/api/auth/logout") continue; // logging out would end the session the other cases use
        const schema = op.requestBody?.content?.["application/json"]?.schema ?? {};
        routes.push({ method: method.toUpperCase(), path: path.replace(/\{[^}]+\}/g, () => idFor(path)), props: Object.keys(schema.properties ?? {}) });
      }
    }
    expect(routes.length).toBeGreaterThan(40);
    const statuses: Record<number, number> = {};
    for (const r of routes) {
      const nearMiss = r.props.length ? fc.dictionary(fc.constantFrom(...r.props), anyVal, { maxKeys: r.props.length }) : fc.object();
      const payloads = fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), fc.string({ maxLength: 40 }), nearMiss.map((v) => JSON.stringify(v)));
      await fc.assert(
        fc.asyncProperty(payloads, fc.constantFrom(w.tokens.admin, w.tokens.agent), async (payload, token) => {
          const res = await raw(r.method, r.path, payload, token);
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          const label = `${r.method} ${r.path} ${payload.slice(0, 120)} → ${JSON.stringify(res.body).slice(0, 200)}`;
          expect(res.status, label).toBeLessThan(500);
          if (res.status >= 400) expect(res.body, label).toEqual({ error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }) });
        }),
        { numRuns: 12 },
      );
    }
    // The bodies reached past validation too: handlers answered with successes and business refusals, not only 400s.
    expect(Object.keys(statuses).some((s) => Number(s) < 300)).toBe(true);
  }, 240_000);
});
