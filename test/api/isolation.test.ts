/**
 * Tenant isolation through the HTTP API: a member (or the integration) of
 * workspace B can neither read nor change anything of workspace A. The
 * routes with an `{id}` path parameter are taken from the OpenAPI document,
 * so a route added later is covered without touching this file (and fails
 * loudly here if its id kind is unknown).
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";
import { makeWorld, type World } from "../support/world.js";
import { VIEWS } from "../../src/domain/conversation.js";
import { BATCH_ACTIONS } from "../../src/domain/batch.js";

let t: TestApp;
let A: World;
let B: World;
/** A's objects that B must never reach. */
let a: { conversationId: string; messageId: string; ruleId: string; memberId: string; channelId: string; contactId: string; tagId: string; blacklistedContactId: string; identityId: string; savedReplyId: string };
let bConversationId: string;
let bTagId: string;

interface Operation {
  method: string;
  path: string;
  public: boolean;
  parameters: { name: string; in: string; required?: boolean; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}
interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  minLength?: number;
  minimum?: number;
  minItems?: number;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  pattern?: string;
}

async function operations(): Promise<Operation[]> {
  const doc = await t.req("GET", "/api/openapi.json");
  expect(doc.status).toBe(200);
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries<Record<string, any>>(doc.body.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      if (!["get", "post", "put", "patch", "delete"].includes(method)) continue;
      const isPublic = Array.isArray(op.security) && op.security.length === 0;
      ops.push({ method: method.toUpperCase(), path, public: isPublic, parameters: op.parameters ?? [], requestBody: op.requestBody });
    }
  }
  return ops;
}

/** A minimal valid instance of a JSON schema: required properties only. */
function sample(s: JsonSchema | undefined, uuid: string): unknown {
  if (!s) return {};
  if (s.const !== undefined) return s.const;
  if (s.enum?.length) return s.enum[0];
  const alt = s.anyOf ?? s.oneOf;
  if (alt?.length) return sample(alt.find((x) => x.type !== "null") ?? alt[0], uuid);
  if (s.allOf?.length) return Object.assign({}, ...s.allOf.map((x) => sample(x, uuid) as object));
  const type = Array.isArray(s.type) ? s.type.find((x) => x !== "null") : s.type;
  switch (type) {
    case "object": {
      const o: Record<string, unknown> = {};
      for (const k of s.required ?? []) o[k] = sample(s.properties?.[k], uuid);
      return o;
    }
    case "array":
      return Array.from({ length: Math.max(s.minItems ?? 0, 0) }, () => sample(s.items, uuid));
    case "string":
      if (s.format === "uuid") return uuid;
      if (s.format === "email") return "isolation@example.test";
      if (s.format === "uri" || s.format === "url") return "https://example.test/x";
      if (s.format === "date-time") return "2026-03-02T02:00:00Z";
      return "x".repeat(Math.max(s.minLength ?? 1, 1));
    case "integer":
    case "number":
      return s.minimum ?? 0;
    case "boolean":
      return true;
    default:
      return {};
  }
}

/** A's snapshot as A's administrator sees it: every route of B must leave it as it is. */
async function snapshotOfA() {
  const tok = A.tokens.admin;
  return {
    conversation: await A.get(tok, `/api/conversations/${a.conversationId}`),
    statusLog: await A.get(tok, `/api/conversations/${a.conversationId}/status-log`),
    messages: await A.get(tok, `/api/conversations/${a.conversationId}/messages`),
    members: await A.get(tok, "/api/members"),
    member: await A.get(tok, `/api/members/${a.memberId}`),
    channels: await A.get(tok, "/api/channels"),
    rules: await A.get(tok, "/api/keyword-rules"),
    counts: await A.get(tok, "/api/conversations/counts"),
    contact: await A.get(tok, `/api/contacts/${a.contactId}`),
    tags: await A.get(tok, "/api/tags"),
    blacklist: await A.get(tok, "/api/blacklist"),
  };
}

beforeAll(async () => {
  t = await startTestApp();
  A = await makeWorld(t, "iso-a");
  B = await makeWorld(t, "iso-b");
  // A's conversation is being handled by A's agent, with a reply sent: every action has something to change.
  const c = await A.customer("iso-a-1", "我是 A 的客人");
  expect((await A.act("agent", c.conversationId, "follow")).status).toBe(200);
  const reply = await t.req("POST", `/api/conversations/${c.conversationId}/messages`, { token: A.tokens.agent, body: { text: "A 的回覆" } });
  expect(reply.status).toBe(201);
  const rule = await t.req("POST", "/api/keyword-rules", { token: A.tokens.admin, body: { kind: "auto_reply", keywords: ["A-only"], replies: [{ text: "A" }] } });
  expect(rule.status).toBe(201);
  const contactId = (await A.get(A.tokens.admin, `/api/conversations/${c.conversationId}`)).contact.id;
  const tag = await t.req("POST", "/api/tags", { token: A.tokens.admin, body: { name: "A-VIP" } });
  expect(tag.status).toBe(201);
  expect((await t.req("POST", `/api/contacts/${contactId}/tags`, { token: A.tokens.admin, body: { tagId: tag.body.id } })).status).toBe(200);
  // A customer A has blacklisted (the blacklist's ids are contact ids).
  const bl = await A.customer("iso-a-spam", "spam");
  const blacklistedContactId = (await A.get(A.tokens.admin, `/api/conversations/${bl.conversationId}`)).contact.id;
  expect((await t.req("POST", `/api/conversations/${bl.conversationId}/blacklist`, { token: A.tokens.admin })).status).toBe(200);
  const identityId = (await A.get(A.tokens.admin, `/api/contacts/${contactId}`)).identities[0].id;
  const saved = await t.req("POST", "/api/saved-replies", { token: A.tokens.admin, body: { title: "A only", items: [{ kind: "text", text: "a" }], audience: { kind: "roles", roles: ["admin", "agent"] } } });
  expect(saved.status).toBe(201);
  a = { conversationId: c.conversationId, messageId: reply.body.id, ruleId: rule.body.id, memberId: A.ids.agent, channelId: A.channelId, contactId, tagId: tag.body.id, blacklistedContactId, identityId, savedReplyId: saved.body.id };
  // B has every optional feature on, so no feature gate answers before the workspace check does.
  const bSettings = (await B.get(B.tokens.admin, "/api/workspace")).settings as Record<string, unknown>;
  const features = Object.fromEntries(Object.entries(bSettings).filter(([, v]) => typeof v === "boolean").map(([k]) => [k, true]));
  expect((await t.req("PATCH", "/api/workspace", { token: B.tokens.admin, body: { settings: features } })).status).toBe(200);
  bConversationId = (await B.customer("iso-b-1", "我是 B 的客人")).conversationId;
  const bTag = await t.req("POST", "/api/tags", { token: B.tokens.admin, body: { name: "B-VIP" } });
  expect(bTag.status).toBe(201);
  bTagId = bTag.body.id;
});
afterAll(() => t.close());

/** Which of A's ids a path parameter takes: `{id}` by the path's prefix, others by name. A new kind must be added here. */
const idFor = (path: string, param: string): string | undefined => {
  if (param === "id") {
    if (path.startsWith("/api/conversations/{id}")) return a.conversationId;
    if (path.startsWith("/api/members/{id}")) return a.memberId;
    if (path.startsWith("/api/channels/{id}")) return a.channelId;
    if (path.startsWith("/api/keyword-rules/{id}")) return a.ruleId;
    if (path.startsWith("/api/contacts/{id}")) return a.contactId;
    if (path.startsWith("/api/blacklist/{id}")) return a.blacklistedContactId;
    if (path.startsWith("/api/integrations/carts/{id}")) return a.contactId;
    if (path.startsWith("/api/saved-replies/{id}")) return a.savedReplyId;
    return undefined;
  }
  if (param === "tagId") return a.tagId;
  if (param === "identityId") return a.identityId;
  if (param === "savedReplyId") return a.savedReplyId;
  return undefined;
};
const paramsOf = (path: string) => [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
const urlFor = (path: string) => path.replace(/\{([^}]+)\}/g, (_, p: string) => idFor(path, p)!);

/** Bodies that would succeed against B's own object: only the id makes them fail. */
const bodyFor = (op: Operation): unknown => {
  const key = `${op.method} ${op.path}`;
  switch (key) {
    case "POST /api/conversations/{id}/messages":
      return { text: "B 想插話" };
    case "POST /api/conversations/{id}/stickers":
      return { packageId: "446", stickerId: "1988" };
    case "POST /api/conversations/{id}/transfer":
      return { toMemberId: B.agent2.id };
    case "POST /api/channels/{id}/inbound":
      return { userId: "b-intruder", messageId: "b-intruder-1", text: "來自 B" };
    case "POST /api/channels/{id}/statuses":
      return { messageId: a.messageId, status: "failed", reason: "B says so" };
    case "PATCH /api/members/{id}":
      return { name: "Hacked by B" };
    case "PATCH /api/keyword-rules/{id}":
      return { name: "hacked", active: false };
    case "PATCH /api/contacts/{id}":
      return { name: "Hacked", note: "B was here" };
    case "POST /api/contacts/{id}/tags":
      return { tagId: bTagId, confirmRepeat: true };
    case "POST /api/conversations/{id}/attachments": // the body is the file's bytes
      return PNG;
  }
  if (!op.requestBody) return undefined;
  const json = op.requestBody.content?.["application/json"];
  return json ? sample(json.schema, B.ids.agent) : undefined;
};
/** A 1×1 PNG. */
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");

/** The route's required query parameters, sampled from their schemas. */
const queryFor = (op: Operation): string => {
  const q = new URLSearchParams();
  for (const p of op.parameters) if (p.in === "query" && p.required) q.set(p.name, String(p.name === "fileName" ? "b.png" : sample(p.schema, B.ids.agent)));
  const s = q.toString();
  return s ? `?${s}` : "";
};

describe("tenant isolation", () => {
  it("Workspaces are isolated: every {id} route answers 404 to B for A's objects and changes nothing of A", async () => {
    // Public routes (e.g. a media link guarded by its own secret) are not scoped by a member's workspace.
    const ops = (await operations()).filter((o) => o.path.startsWith("/api/") && o.path.includes("{") && !o.public);
    // The document must list the routes this test is about; an empty or shrunken list would pass vacuously.
    expect(ops.length).toBeGreaterThanOrEqual(20);
    const unknown = ops.filter((o) => paramsOf(o.path).some((p) => !idFor(o.path, p))).map((o) => `${o.method} ${o.path}`);
    expect(unknown, "routes with a path parameter of a kind this test does not know: add it to idFor").toEqual([]);

    const before = await snapshotOfA();
    for (const op of ops) {
      const url = urlFor(op.path) + queryFor(op);
      const body = bodyFor(op);
      const headers: Record<string, string> = Buffer.isBuffer(body) ? { "content-type": "image/png" } : {};
      const r = await t.req(op.method, url, { token: B.tokens.admin, body, headers });
      const label = `${op.method} ${op.path} as B's admin`;
      expect(r.status, `${label}: ${JSON.stringify(r.body)}`).toBe(404);
      expect(r.body, label).toEqual({ error: expect.objectContaining({ code: "not_found", message: expect.any(String) }) });
      expect(r.body.error.message.length, label).toBeGreaterThan(0);
      expect(await snapshotOfA(), `${label} changed workspace A`).toEqual(before);
    }
    // Sanity: the same calls work for A (the ids are real), so the 404s above are about the workspace.
    expect((await t.req("GET", `/api/conversations/${a.conversationId}`, { token: A.tokens.admin })).status).toBe(200);
    expect(before.conversation).toMatchObject({ state: "processing", follower: { id: A.ids.agent } });
    expect(before.contact.tags.map((x: { id: string }) => x.id)).toEqual([a.tagId]);
    expect(before.blacklist.items.map((x: { id: string }) => x.id)).toEqual([a.blacklistedContactId]);
  });

  it("Workspaces are isolated: B's integration token cannot post inbound (or statuses) into A's channel", async () => {
    const before = await snapshotOfA();
    const r = await t.req("POST", `/api/channels/${a.channelId}/inbound`, {
      token: B.integration,
      body: { userId: "iso-a-1", displayName: "冒充", messageId: "b-spoof-1", text: "spoofed" },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(404);
    expect(r.body.error).toMatchObject({ code: "not_found", message: expect.any(String) });
    const s = await t.req("POST", `/api/channels/${a.channelId}/statuses`, { token: B.integration, body: { messageId: a.messageId, status: "read" } });
    expect(s.status).toBe(404);
    expect(s.body.error).toMatchObject({ code: "not_found" });
    expect(await snapshotOfA()).toEqual(before);
    // The same token works on B's own channel.
    const own = await t.req("POST", `/api/channels/${B.channelId}/inbound`, { token: B.integration, body: { userId: "iso-b-2", messageId: "b-own-1", text: "hi" } });
    expect(own.status).toBe(201);
  });

  it("Workspaces are isolated: B's conversation lists never include A's conversations", async () => {
    const aIds = new Set<string>([a.conversationId]);
    // A pending one too, so every view of A has something to leak.
    aIds.add((await A.customer("iso-a-2", "A pending")).conversationId);
    const bAll = new Set<string>();
    const aAll = new Set<string>();
    for (const view of VIEWS) {
      const r = await t.req("GET", `/api/conversations?view=${view}&limit=100`, { token: B.tokens.admin });
      expect(r.status, view).toBe(200);
      const ids: string[] = r.body.items.map((c: { id: string }) => c.id);
      for (const id of ids) bAll.add(id);
      expect(ids.filter((id) => aIds.has(id)), view).toEqual([]);
      for (const c of (await A.get(A.tokens.admin, `/api/conversations?view=${view}&limit=100`)).items) aAll.add(c.id);
    }
    // Both lists work: B sees its own, A's admin sees A's (so the filter above is not vacuous).
    expect(bAll.has(bConversationId)).toBe(true);
    for (const id of aIds) expect(aAll.has(id)).toBe(true);
    expect(aAll.has(bConversationId)).toBe(false);
    // Filtering B's list by A's channel yields nothing.
    const byChannel = await t.req("GET", `/api/conversations?view=pending_human&channelId=${a.channelId}`, { token: B.tokens.admin });
    expect(byChannel.status).toBe(200);
    expect(byChannel.body.items).toEqual([]);
  });

  it("Workspaces are isolated: B's counts do not move when A's customers write", async () => {
    const before = await B.get(B.tokens.admin, "/api/conversations/counts");
    const aBefore = await A.get(A.tokens.admin, "/api/conversations/counts");
    await A.customer("iso-a-3", "another A customer");
    expect(await B.get(B.tokens.admin, "/api/conversations/counts")).toEqual(before);
    expect(await A.get(A.tokens.admin, "/api/conversations/counts")).not.toEqual(aBefore);
    const byChannel = await t.req("GET", `/api/conversations/counts?channelId=${a.channelId}`, { token: B.tokens.admin });
    // Either refused or empty; never A's numbers.
    if (byChannel.status === 200) expect(JSON.stringify(byChannel.body)).not.toMatch(/[1-9]/);
    else expect(byChannel.status).toBe(404);
  });

  it("Workspaces are isolated: B's member, channel and rule lists never include A's", async () => {
    const aMembers = new Set<string>([...Object.values(A.ids), A.agent2.id]);
    const bMembers = new Set<string>([...Object.values(B.ids), B.agent2.id]);
    const members = await B.get(B.tokens.admin, "/api/members");
    const listed = members.items.map((m: { id: string }) => m.id);
    expect(new Set(listed)).toEqual(bMembers);
    expect(listed.filter((id: string) => aMembers.has(id))).toEqual([]);
    // Both workspaces have an "Amy": a name search still only finds B's.
    const amy = await B.get(B.tokens.agent, "/api/members?q=Amy");
    expect(amy.items.map((m: { id: string }) => m.id)).toEqual([B.ids.admin]);
    const admins = await B.get(B.tokens.admin, "/api/members?role=admin");
    expect(admins.items.map((m: { id: string }) => m.id)).toEqual([B.ids.admin]);

    const channels = await B.get(B.tokens.admin, "/api/channels");
    expect(channels.items.map((c: { id: string }) => c.id)).toEqual([B.channelId]);

    const rules = await B.get(B.tokens.admin, "/api/keyword-rules");
    expect(rules.items.map((r: { id: string }) => r.id)).not.toContain(a.ruleId);
    expect((await A.get(A.tokens.admin, "/api/keyword-rules")).items.map((r: { id: string }) => r.id)).toContain(a.ruleId);

    const tags = await B.get(B.tokens.admin, "/api/tags");
    expect(tags.items.map((x: { id: string }) => x.id)).toEqual([bTagId]);
    expect((await B.get(B.tokens.admin, "/api/tags?q=VIP")).items.map((x: { id: string }) => x.id)).toEqual([bTagId]);

    expect((await B.get(B.tokens.admin, "/api/blacklist")).items).toEqual([]);

    for (const list of ["/api/regions", "/api/branches", "/api/community-codes"]) {
      const name = `A-${list.split("/").pop()}`;
      const body = list === "/api/community-codes" ? { code: "424242" } : { name };
      expect((await t.req("POST", list, { token: A.tokens.admin, body })).status, list).toBe(201);
      const r = await B.get(B.tokens.admin, list);
      expect(r.items, list).toEqual([]);
      expect((await A.get(A.tokens.admin, list)).items.length, list).toBe(1);
    }
  });

  it("Workspaces are isolated: B cannot point its rules, members or batches at A's objects", async () => {
    // A rule of B that assigns to A's member or listens on A's channel.
    const r1 = await t.req("POST", "/api/keyword-rules", { token: B.tokens.admin, body: { kind: "auto_assign", keywords: ["x"], assignMemberId: a.memberId } });
    expect(r1.status).toBe(404);
    const r2 = await t.req("POST", "/api/keyword-rules", { token: B.tokens.admin, body: { kind: "auto_reply", keywords: ["x"], replies: [{ text: "y" }], channelIds: [a.channelId] } });
    expect(r2.status).toBe(404);
    const r3 = await t.req("POST", "/api/community-codes", { token: B.tokens.admin, body: { code: "111111", channelId: a.channelId } });
    expect(r3.status).toBe(404);
    expect((await B.get(B.tokens.admin, "/api/keyword-rules")).items).toEqual([]);
    // A's tag on B's own customer.
    const bContact = (await B.get(B.tokens.admin, `/api/conversations/${bConversationId}`)).contact.id;
    const tag = await t.req("POST", `/api/contacts/${bContact}/tags`, { token: B.tokens.admin, body: { tagId: a.tagId } });
    expect(tag.status).toBe(404);
    expect((await B.get(B.tokens.admin, `/api/contacts/${bContact}`)).tags).toEqual([]);

    // Transfer B's own conversation to A's member.
    expect((await B.act("agent", bConversationId, "follow")).status).toBe(200);
    const tr = await B.act("agent", bConversationId, "transfer", { toMemberId: a.memberId });
    expect(tr.status).toBeGreaterThanOrEqual(400);
    expect(tr.status).toBeLessThan(500);
    expect(await B.get(B.tokens.agent, `/api/conversations/${bConversationId}`)).toMatchObject({ follower: { id: B.ids.agent } });

    // A batch of B that names A's conversation: not found, and A's conversation is untouched.
    const before = await snapshotOfA();
    for (const action of BATCH_ACTIONS) {
      const body = { action, ids: [a.conversationId], ...(action === "transfer" ? { toMemberId: B.agent2.id } : {}) };
      const batch = await t.req("POST", "/api/conversations/batch", { token: B.tokens.admin, body });
      expect(batch.status, action).toBe(200);
      expect(batch.body, action).toMatchObject({ succeeded: 0, failed: 1, results: [{ id: a.conversationId, ok: false, error: { code: "not_found" } }] });
      expect(await snapshotOfA(), action).toEqual(before);
    }
  });
});
