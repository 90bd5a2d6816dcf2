import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";
import { makeWorld, type World } from "../support/world.js";

let t: TestApp;
let w: World;
let origin = "";
beforeAll(async () => {
  t = await startTestApp({}, { listen: true });
  w = await makeWorld(t);
  origin = `http://127.0.0.1:${(t.app.server.server.address() as { port: number }).port}`;
});
afterAll(() => t.close());

const http = async (method: string, path: string, body?: unknown, token?: string) => {
  const r = await fetch(`${origin}${path}`, { method, headers: { ...(body ? { "content-type": "application/json" } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: body ? JSON.stringify(body) : undefined });
  return { status: r.status, body: await r.json() };
};

describe("simulator control API on the website widget", () => {
  it("a simulated visitor writes through the widget's own endpoints and the conversation appears in the inbox", async () => {
    const ch = await http("POST", "/api/channels", { platform: "webchat", name: "官網" }, w.tokens.admin);
    expect(ch.status).toBe(201);
    const r = await http("POST", `/api/simulator/channels/${ch.body.id}/inbound`, { customer: { id: "visitor-1", name: "訪客" }, kind: "text", text: "請問運費?" });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.conversationId).toBeTruthy();
    const c = await http("GET", `/api/conversations/${r.body.conversationId}`, undefined, w.tokens.agent);
    expect(c.body).toMatchObject({ state: "pending", queue: "human", channel: { platform: "webchat" } });
    const msgs = await http("GET", `/api/conversations/${r.body.conversationId}/messages`, undefined, w.tokens.agent);
    expect(msgs.body.items[0]).toMatchObject({ senderKind: "customer", text: "請問運費?" });
  });
});
