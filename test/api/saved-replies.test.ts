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

const create = (token: string, body: Record<string, unknown>) => t.req("POST", "/api/saved-replies", { token, body });
const titles = async (token: string, q = "") => (await w.get(token, `/api/saved-replies${q}`)).items.map((r: any) => r.title).sort();

describe("saved replies", () => {
  it("SR-6: a saved reply for 「只有自己」 is seen by nobody but its creator", async () => {
    expect((await create(w.tokens.agent, { title: "我的私藏", items: [{ kind: "text", text: "hi" }] })).status).toBe(201);
    expect(await titles(w.tokens.agent)).toContain("我的私藏");
    expect(await titles(w.agent2.token)).not.toContain("我的私藏");
    expect(await titles(w.tokens.admin)).not.toContain("我的私藏");
  });

  it("SR-5, SR-7: a reply for roles or branches is listed only to members of those roles or branches", async () => {
    const branch = await t.req("POST", "/api/branches", { token: w.tokens.admin, body: { name: "高雄店" } });
    await t.req("PATCH", `/api/members/${w.ids.sales}`, { token: w.tokens.admin, body: { branchId: branch.body.id } });
    await create(w.tokens.admin, { title: "客服通用", items: [{ kind: "text", text: "您好" }], audience: { kind: "roles", roles: ["agent", "cs_manager"] } });
    await create(w.tokens.admin, { title: "高雄店公告", items: [{ kind: "text", text: "週末營業" }], audience: { kind: "branches", branchIds: [branch.body.id] } });
    expect(await titles(w.agent2.token)).toEqual(["客服通用"]);
    expect(await titles(w.tokens.sales)).toEqual(["高雄店公告"]);
    expect(await titles(w.tokens.supervisor)).toEqual([]);
  });

  it("SR-3: search matches title, keywords and text case-insensitively, combined with the category", async () => {
    await create(w.tokens.agent, { title: "Return policy", category: "售後", keywords: ["退貨"], items: [{ kind: "text", text: "七天鑑賞期" }] });
    expect(await titles(w.tokens.agent, "?q=RETURN")).toEqual(["Return policy"]);
    expect(await titles(w.tokens.agent, "?q=退貨")).toEqual(["Return policy"]);
    expect(await titles(w.tokens.agent, "?q=鑑賞")).toEqual(["Return policy"]);
    expect(await titles(w.tokens.agent, "?q=鑑賞&category=行銷")).toEqual([]);
  });

  it("SR-8: the creator edits or deletes their own; 管理員 and 主管 may change any; others may not", async () => {
    const r = await create(w.tokens.agent, { title: "可改", items: [{ kind: "text", text: "x" }], audience: { kind: "roles", roles: ["agent"] } });
    expect((await t.req("PATCH", `/api/saved-replies/${r.body.id}`, { token: w.agent2.token, body: { title: "偷改" } })).status).toBe(403);
    expect((await t.req("PATCH", `/api/saved-replies/${r.body.id}`, { token: w.tokens.agent, body: { title: "改好" } })).body.title).toBe("改好");
    expect((await t.req("DELETE", `/api/saved-replies/${r.body.id}`, { token: w.tokens.cs_manager })).status).toBe(403);
    expect((await t.req("DELETE", `/api/saved-replies/${r.body.id}`, { token: w.tokens.supervisor })).status).toBe(200);
  });

  it("SR-20, SR-21: sending is a human reply: items in order, the name variable substituted, the wait cleared", async () => {
    const r = await create(w.tokens.agent, { title: "問候", items: [{ kind: "text", text: "{{system:customer_name}} 您好" }, { kind: "text", text: "請問需要什麼協助?" }] });
    const { conversationId } = await w.customer("sr-1", "hi");
    t.clock.advance(31 * 60_000);
    expect((await w.get(w.tokens.agent, `/api/conversations/${conversationId}`)).waitingLevel).toBe(30);
    await w.act("agent", conversationId, "follow");
    const sent = await t.req("POST", `/api/conversations/${conversationId}/saved-replies/${r.body.id}`, { token: w.tokens.agent });
    expect(sent.status).toBe(201);
    expect(sent.body.items.map((m: any) => [m.senderKind, m.text, m.status])).toEqual([["agent", "客人sr-1 您好", "sending"], ["agent", "請問需要什麼協助?", "sending"]]);
    expect((await w.get(w.tokens.agent, `/api/conversations/${conversationId}`)).waitingLevel).toBe(0);
  });

  it("SR-10: a saved reply with a file cannot be sent on LINE, with the spec's message; SR-9: WhatsApp takes it", async () => {
    const r = await create(w.tokens.agent, { title: "型錄", items: [{ kind: "file", url: "https://cdn.example/catalog.pdf", fileName: "catalog.pdf" }] });
    const send = async (platform: string) => {
      const ch = await t.req("POST", "/api/channels", { token: w.tokens.admin, body: { platform, name: platform, credentials: { secret: "s" } } });
      const c = await receiveCustomerEvent(t.app.ctx, { id: ch.body.id, workspace_id: w.workspaceId, platform }, { type: "message", eventKey: `sr-${platform}`, at: t.clock.now(), sender: { userId: `sr-${platform}`, phone: "886900000000" }, platformMessageId: `sr-${platform}`, message: { kind: "text", text: "hi" } });
      if (c.status !== "stored") throw new Error("not stored");
      await w.act("agent", c.conversationId, "follow");
      const listed = (await w.get(w.tokens.agent, `/api/saved-replies?conversationId=${c.conversationId}`)).items.find((x: any) => x.id === r.body.id);
      return { listed, res: await t.req("POST", `/api/conversations/${c.conversationId}/saved-replies/${r.body.id}`, { token: w.tokens.agent }) };
    };
    const line = await send("line");
    expect(line.listed.selectable).toBe(false); // SR-11: listed, greyed out
    expect(line.res.status).toBe(400);
    expect(line.res.body.error.message).toBe("目標渠道不支援發送含有檔案類型的預存回覆");
    const wa = await send("whatsapp");
    expect(wa.listed.selectable).toBe(true);
    expect(wa.res.status).toBe(201);
    expect(wa.res.body.items[0]).toMatchObject({ kind: "file", content: { media: { url: "https://cdn.example/catalog.pdf" } } });
  });
});

describe("products", () => {
  it("the store keeps the catalogue in sync by external id", async () => {
    await t.req("PUT", "/api/products", { token: w.integration, body: { items: [{ externalId: "P1", name: "馬克杯", url: "https://shop.example/p1", price: 350, currency: "twd" }] } });
    await t.req("PUT", "/api/products", { token: w.integration, body: { items: [{ externalId: "P1", name: "馬克杯(新版)", url: "https://shop.example/p1", price: 390, currency: "TWD" }] } });
    const items = (await w.get(w.tokens.agent, "/api/products?q=馬克")).items;
    expect(items.map((p: any) => [p.externalId, p.name, p.price, p.currency])).toEqual([["P1", "馬克杯(新版)", 390, "TWD"]]);
    expect((await t.req("PUT", "/api/products", { token: w.tokens.agent, body: { items: [{ externalId: "P2", name: "x", url: "https://shop.example/p2" }] } })).status).toBe(403);
  });
});
