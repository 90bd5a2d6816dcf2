import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";
import { makeWorld, type World } from "../support/world.js";
import { receiveCustomerEvent } from "../../src/usecases/receive-inbound.js";

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp();
  w = await makeWorld(t);
});
afterAll(() => t.close());

const contactOf = async (conversationId: string) => (await w.get(w.tokens.admin, `/api/conversations/${conversationId}`)).contact.id as string;

describe("customer profile", () => {
  it("PROF-2: name, email, phone and note can be edited; PROF-8: every member sees the edit", async () => {
    const { conversationId } = await w.customer("pf-1", "hi");
    const id = await contactOf(conversationId);
    const r = await t.req("PATCH", `/api/contacts/${id}`, { token: w.tokens.agent, body: { name: "王小明", email: "ming@example.com", phone: "+886 912-000-111", note: "喜歡藍色" } });
    expect(r.status).toBe(200);
    expect(await w.get(w.agent2.token, `/api/contacts/${id}`)).toMatchObject({ name: "王小明", email: "ming@example.com", phone: "+886 912-000-111", note: "喜歡藍色" });
    expect((await w.get(w.agent2.token, `/api/conversations/${conversationId}`)).contact.name).toBe("王小明");
  });

  it("PROF-6: an invalid email or phone, a name over 100 or a note over 1,000 characters is refused", async () => {
    const { conversationId } = await w.customer("pf-2", "hi");
    const id = await contactOf(conversationId);
    for (const body of [{ email: "not-an-email" }, { phone: "0912-abc" }, { name: "x".repeat(101) }, { note: "x".repeat(1001) }]) {
      const r = await t.req("PATCH", `/api/contacts/${id}`, { token: w.tokens.agent, body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toBe("validation");
    }
  });

  it("PROF-3: a WhatsApp customer's phone is filled from the platform and cannot be edited", async () => {
    const wa = await t.req("POST", "/api/channels", { token: w.tokens.admin, body: { platform: "whatsapp", name: "WA", credentials: { appSecret: "s" } } });
    const r = await receiveCustomerEvent(t.app.ctx, { id: wa.body.id, workspace_id: w.workspaceId, platform: "whatsapp" }, { type: "message", eventKey: "wa-1", at: t.clock.now(), sender: { userId: "886912345678", phone: "886912345678", displayName: "陳" }, platformMessageId: "wa-1", message: { kind: "text", text: "hi" } });
    if (r.status !== "stored") throw new Error("not stored");
    const id = await contactOf(r.conversationId);
    expect((await w.get(w.tokens.agent, `/api/contacts/${id}`)).phone).toBe("886912345678");
    const edit = await t.req("PATCH", `/api/contacts/${id}`, { token: w.tokens.agent, body: { phone: "0900" } });
    expect(edit.status).toBe(400);
    expect((await t.req("PATCH", `/api/contacts/${id}`, { token: w.tokens.agent, body: { note: "ok" } })).status).toBe(200);
  });
});

describe("bound channels, cart and orders", () => {
  it("PROF-25: binding two identities to one store member makes one customer with both conversations", async () => {
    const a = await w.customer("bind-a", "from channel A");
    const ch2 = await t.req("POST", "/api/channels", { token: w.tokens.admin, body: { platform: "api", name: "second" } });
    const b = await t.req("POST", `/api/channels/${ch2.body.id}/inbound`, { token: w.integration, body: { userId: "bind-b", messageId: "bind-b-1", text: "from channel B" } });
    expect((await t.req("POST", "/api/integrations/bindings", { token: w.integration, body: { storeMemberId: "M-1", channelId: w.channelId, platformUserId: "bind-a" } })).status).toBe(200);
    const merged = await t.req("POST", "/api/integrations/bindings", { token: w.integration, body: { storeMemberId: "M-1", channelId: ch2.body.id, platformUserId: "bind-b" } });
    expect(merged.body.merged).toBe(true);
    const contact = await w.get(w.tokens.admin, `/api/contacts/${merged.body.contactId}`);
    expect(contact.identities.map((i: any) => i.conversationId).sort()).toEqual([a.conversationId, b.body.conversationId].sort());
    expect((await t.req("POST", "/api/integrations/bindings", { token: w.tokens.agent, body: { storeMemberId: "M-1", channelId: w.channelId, platformUserId: "bind-a" } })).status).toBe(403);
  });

  it("PROF-26: going to a bound conversation the member may not view answers the permission message", async () => {
    const other = await w.customer("bind-c", "hi");
    await w.act("agent2", other.conversationId, "follow");
    const r = await t.req("GET", `/api/conversations/${other.conversationId}`, { token: w.tokens.agent });
    expect(r.status).toBe(403);
    expect(r.body.error.message).toBe("沒有權限查看此顧客對話");
  });

  it("PROF-27, PROF-28, PROF-29: cart and orders appear only with the Pixel plan and a member-bound (identity-bound) customer", async () => {
    const { conversationId } = await w.customer("shop-1", "hi");
    const id = await contactOf(conversationId);
    expect((await w.get(w.tokens.agent, `/api/contacts/${id}/commerce`)).available).toBe(false);
    await t.req("PATCH", "/api/workspace", { token: w.tokens.admin, body: { settings: { pixel: true } } });
    expect((await w.get(w.tokens.agent, `/api/contacts/${id}/commerce`))).toMatchObject({ available: false, reason: "not_bound" });
    await t.req("POST", "/api/integrations/bindings", { token: w.integration, body: { storeMemberId: "M-shop-1", channelId: w.channelId, platformUserId: "shop-1" } });
    expect((await w.get(w.tokens.agent, `/api/contacts/${id}/commerce`)).available).toBe(true);
  });

  it("PROF-30: the panel shows the cart and the orders of the last 90 days, newest first", async () => {
    const { conversationId } = await w.customer("shop-2", "hi");
    const id = await contactOf(conversationId);
    await t.req("PATCH", "/api/workspace", { token: w.tokens.admin, body: { settings: { pixel: true } } });
    await t.req("POST", "/api/integrations/bindings", { token: w.integration, body: { storeMemberId: "M-shop-2", channelId: w.channelId, platformUserId: "shop-2" } });
    await t.req("PUT", `/api/integrations/carts/${id}`, { token: w.integration, body: { items: [{ name: "馬克杯", quantity: 2, price: 350 }] } });
    const day = 86_400_000;
    const now = t.clock.now().getTime();
    for (const [n, ago] of [["A-1", 10], ["A-2", 89], ["A-3", 91]] as const)
      await t.req("POST", "/api/integrations/orders", { token: w.integration, body: { externalId: n, storeMemberId: "M-shop-2", status: "paid", total: 700, currency: "twd", placedAt: new Date(now - ago * day).toISOString() } });
    // Idempotent on the external id: an update, not a second order.
    await t.req("POST", "/api/integrations/orders", { token: w.integration, body: { externalId: "A-1", storeMemberId: "M-shop-2", status: "shipped", total: 700, currency: "TWD", placedAt: new Date(now - 10 * day).toISOString() } });
    const c = await w.get(w.tokens.agent, `/api/contacts/${id}/commerce`);
    expect(c.cart.items).toEqual([{ name: "馬克杯", quantity: 2, price: 350 }]);
    expect(c.orders.map((o: any) => [o.number, o.status, o.currency])).toEqual([["A-1", "shipped", "TWD"], ["A-2", "paid", "TWD"]]);
  });
});
