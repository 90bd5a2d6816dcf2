import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";
import { makeWorld, type World } from "../support/world.js";
import { ROLES } from "../../src/domain/roles.js";

let t: TestApp;
let w: World;
let contact = "";
let conversation = "";
beforeAll(async () => {
  t = await startTestApp();
  w = await makeWorld(t);
  const c = await w.customer("tag-u1", "hi");
  conversation = c.conversationId;
  contact = (await w.get(w.tokens.admin, `/api/conversations/${conversation}`)).contact.id;
});
afterAll(() => t.close());

const apply = (body: Record<string, unknown>, token = w.tokens.agent) => t.req("POST", `/api/contacts/${contact}/tags`, { token, body: { conversationId: conversation, ...body } });
const profileTags = async () => (await w.get(w.tokens.agent, `/api/contacts/${contact}`)).tags.map((x: any) => [x.name, x.count]);

describe("tags", () => {
  it("PROF-13: Enter on a new name creates the tag team-wide and applies it; names are unique regardless of case", async () => {
    const r = await apply({ name: "  VIP  " });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ tag: { name: "VIP" }, count: 1 });
    expect((await t.req("POST", "/api/tags", { token: w.tokens.agent, body: { name: "vip" } })).status).toBe(409);
  });

  it("PROF-10: typing lists matching tags the team already created", async () => {
    await t.req("POST", "/api/tags", { token: w.tokens.agent, body: { name: "回購客" } });
    await t.req("POST", "/api/tags", { token: w.tokens.agent, body: { name: "新客" } });
    expect((await w.get(w.tokens.agent, "/api/tags?q=客")).items.map((x: any) => x.name).sort()).toEqual(["回購客", "新客"]);
  });

  it("PROF-11: clicking a listed tag applies it", async () => {
    const tags = (await w.get(w.tokens.agent, "/api/tags?q=新客")).items;
    expect((await apply({ tagId: tags[0].id })).status).toBe(200);
    expect(await profileTags()).toEqual([["VIP", 1], ["新客", 1]]);
  });

  it("PROF-14: applying a tag the customer has asks 「要再次貼上此標籤嗎?」 and, confirmed, counts it again", async () => {
    const again = await apply({ name: "VIP" });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ message: "要再次貼上此標籤嗎?", needsConfirmation: true, tag: { name: "VIP" } });
    expect((await apply({ name: "VIP", confirmRepeat: true })).body.count).toBe(2);
    expect(await profileTags()).toContainEqual(["VIP", 2]);
  });

  it("PROF-15: a cancelled repeat records nothing", async () => {
    const before = (await w.get(w.tokens.agent, `/api/contacts/${contact}/tag-frequency`)).items;
    await apply({ name: "VIP" }); // the prompt, not confirmed
    expect((await w.get(w.tokens.agent, `/api/contacts/${contact}/tag-frequency`)).items).toEqual(before);
  });

  it("PROF-16: tag frequency counts each tag's applications, filterable by time", async () => {
    t.clock.advance(2 * 86_400_000);
    await apply({ name: "VIP", confirmRepeat: true });
    const all = (await w.get(w.tokens.agent, `/api/contacts/${contact}/tag-frequency`)).items;
    expect(all.find((x: any) => x.name === "VIP").count).toBe(3);
    const recent = (await w.get(w.tokens.agent, `/api/contacts/${contact}/tag-frequency?from=${new Date(t.clock.now().getTime() - 3600_000).toISOString()}`)).items;
    expect(recent.map((x: any) => [x.name, x.count])).toEqual([["VIP", 1]]);
  });

  it("PROF-12: × removes the tag from the customer; PROF-17: its records stay, and applying it again needs no prompt", async () => {
    const vip = (await w.get(w.tokens.agent, "/api/tags?q=VIP")).items[0];
    expect((await t.req("DELETE", `/api/contacts/${contact}/tags/${vip.id}`, { token: w.tokens.agent })).status).toBe(200);
    expect((await profileTags()).map((x: any) => x[0])).not.toContain("VIP");
    expect((await w.get(w.tokens.agent, `/api/contacts/${contact}/tag-frequency`)).items.find((x: any) => x.name === "VIP").count).toBe(3);
    expect((await apply({ tagId: vip.id })).status).toBe(200);
    expect((await w.get(w.tokens.agent, `/api/contacts/${contact}/tag-frequency`)).items.find((x: any) => x.name === "VIP").count).toBe(4);
  });
});

describe("tag exports", () => {
  const range = () => {
    const to = new Date(t.clock.now().getTime() + 1000);
    return { from: new Date(to.getTime() - 30 * 86_400_000).toISOString(), to: to.toISOString() };
  };
  const exp = (token: string, q: Record<string, string>) => t.app.server.inject({ method: "GET", url: `/api/tags/export.csv?${new URLSearchParams(q)}`, headers: { authorization: `Bearer ${token}` } });

  it("PROF-22: tag exports are for 管理員, 主管 and 客服經理", async () => {
    for (const role of ROLES) {
      const r = await exp(w.tokens[role], { type: "statistics", ...range() });
      expect(r.statusCode, role).toBe(["admin", "supervisor", "cs_manager"].includes(role) ? 200 : 403);
    }
  });

  it("PROF-19: at most 30 days can be exported at once, with the spec's message", async () => {
    const to = t.clock.now();
    const r = await exp(w.tokens.admin, { type: "records", from: new Date(to.getTime() - 31 * 86_400_000).toISOString(), to: to.toISOString() });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.message).toBe("目前最多僅能選擇30天的資料匯出");
  });

  it("PROF-18: statistics give each tag's count in the range; PROF-24: CSV in UTF-8 with a BOM", async () => {
    const r = await exp(w.tokens.admin, { type: "statistics", ...range() });
    expect(r.body.charCodeAt(0)).toBe(0xfeff);
    const lines = r.body.slice(1).trim().split("\r\n");
    expect(lines).toEqual(["標籤,貼標次數", "VIP,4", "新客,1"]);
  });

  it("PROF-23: the per-record log gives time, customer, channel, tag, method and actor", async () => {
    const r = await exp(w.tokens.supervisor, { type: "records", ...range() });
    const lines = r.body.slice(1).trim().split("\r\n");
    expect(lines[0]).toBe("時間,客人名稱,客人ID,渠道,標籤,方式,貼標者");
    expect(lines).toHaveLength(6);
    expect(lines[1].split(",").slice(1)).toEqual(["客人tag-u1", contact, "API", "VIP", "手動", "Jess"]);
  });
});
