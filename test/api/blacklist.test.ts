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

describe("blacklist page", () => {
  it("VIEW-54: blacklisted customers are listed for 管理員 and 主管, who can remove them; the next message starts a new conversation", async () => {
    const first = await w.customer("bl-1", "hi");
    const contactId = (await w.get(w.tokens.admin, `/api/conversations/${first.conversationId}`)).contact.id;
    expect((await t.req("POST", `/api/conversations/${first.conversationId}/blacklist`, { token: w.tokens.supervisor })).status).toBe(200);
    expect((await w.customer("bl-1", "still there?")).status).toBe("dropped");

    for (const role of ["cs_manager", "agent", "sales"] as const) expect((await t.req("GET", "/api/blacklist", { token: w.tokens[role] })).status).toBe(403);
    const list = await w.get(w.tokens.supervisor, "/api/blacklist");
    expect(list.items.map((c: any) => c.id)).toEqual([contactId]);
    expect((await t.req("DELETE", `/api/blacklist/${contactId}`, { token: w.tokens.agent })).status).toBe(403);
    expect((await t.req("DELETE", `/api/blacklist/${contactId}`, { token: w.tokens.admin })).status).toBe(200);
    expect((await w.get(w.tokens.admin, "/api/blacklist")).items).toEqual([]);

    const again = await w.customer("bl-1", "back again");
    expect(again.status).toBe("stored");
    expect(again.conversationId).not.toBe(first.conversationId);
    const msgs = (await w.get(w.tokens.admin, `/api/conversations/${again.conversationId}/messages`)).items;
    expect(msgs.map((m: any) => m.text)).toEqual(["back again"]); // the old history stayed deleted
  });
});
