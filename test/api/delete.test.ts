import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";
import { makeWorld, type World } from "../support/world.js";
import { ROLES } from "../../src/domain/roles.js";

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp();
  w = await makeWorld(t);
});
afterAll(() => t.close());

describe("delete a conversation", () => {
  it("PROF-42, PROF-43: only 管理員 and 主管 may delete; every other role is refused", async () => {
    const { conversationId } = await w.customer("del-1", "hi");
    for (const role of ROLES.filter((r) => r !== "admin" && r !== "supervisor"))
      expect((await t.req("DELETE", `/api/conversations/${conversationId}`, { token: w.tokens[role] })).status, role).toBe(403);
    expect((await t.req("DELETE", `/api/conversations/${conversationId}`, { token: w.tokens.supervisor })).status).toBe(200);
  });

  it("PROF-41: deletion is permanent: the history is gone from every view and from search", async () => {
    const { conversationId } = await w.customer("del-2", "訂單查詢");
    await t.req("DELETE", `/api/conversations/${conversationId}`, { token: w.tokens.admin });
    expect((await t.req("GET", `/api/conversations/${conversationId}`, { token: w.tokens.admin })).status).toBe(404);
    expect((await t.req("GET", `/api/conversations/${conversationId}/messages`, { token: w.tokens.admin })).status).toBe(404);
    const pending = (await w.get(w.tokens.admin, "/api/conversations?view=pending_human")).items.map((c: any) => c.id);
    expect(pending).not.toContain(conversationId);
    expect((await w.get(w.tokens.admin, "/api/conversations/search?message=訂單")).items).toEqual([]);
  });

  it("PROF-43: the customer's profile and tags are kept; their next message starts a new conversation", async () => {
    const first = await w.customer("del-3", "hi");
    const contactId = (await w.get(w.tokens.admin, `/api/conversations/${first.conversationId}`)).contact.id;
    await t.req("POST", `/api/contacts/${contactId}/tags`, { token: w.tokens.admin, body: { name: "老客人" } });
    await t.req("DELETE", `/api/conversations/${first.conversationId}`, { token: w.tokens.admin });
    const contact = await w.get(w.tokens.admin, `/api/contacts/${contactId}`);
    expect(contact.tags.map((x: any) => x.name)).toEqual(["老客人"]);
    const again = await w.customer("del-3", "I'm back");
    expect(again.conversationId).not.toBe(first.conversationId);
    expect((await w.get(w.tokens.admin, `/api/conversations/${again.conversationId}`)).contact.id).toBe(contactId);
  });

  it("PROF-1, PROF-9: a conversation carries its customer's profile, and the panel's state log lists events with time and member", async () => {
    const { conversationId } = await w.customer("del-4", "hi");
    await w.act("agent", conversationId, "follow");
    const c = await w.get(w.tokens.agent, `/api/conversations/${conversationId}`);
    const profile = await w.get(w.tokens.agent, `/api/contacts/${c.contact.id}`);
    expect(profile).toMatchObject({ id: c.contact.id, name: "客人del-4" });
    const log = (await w.get(w.tokens.agent, `/api/conversations/${conversationId}/status-log`)).items;
    expect(log.at(-1)).toMatchObject({ kind: "followed", actor: { name: "Jess" } });
    expect(Date.parse(log.at(-1).at)).toBe(t.clock.now().getTime());
  });
});
