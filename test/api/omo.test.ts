import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";
import { makeWorld, type World } from "../support/world.js";
import { receiveCustomerEvent } from "../../src/usecases/receive-inbound.js";
import { ROLES } from "../../src/domain/roles.js";

let t: TestApp;
let w: World;
let identityId = "";
let apiIdentityId = "";
let conversationId = "";
beforeAll(async () => {
  t = await startTestApp();
  w = await makeWorld(t);
  const line = await t.req("POST", "/api/channels", { token: w.tokens.admin, body: { platform: "line", name: "LINE", credentials: { channelSecret: "s" } } });
  const r = await receiveCustomerEvent(t.app.ctx, { id: line.body.id, workspace_id: w.workspaceId, platform: "line" }, { type: "message", eventKey: "omo-1", at: t.clock.now(), sender: { userId: "U-omo" }, platformMessageId: "omo-1", message: { kind: "text", text: "hi" } });
  if (r.status !== "stored") throw new Error("not stored");
  conversationId = r.conversationId;
  const contact = (await w.get(w.tokens.admin, `/api/conversations/${conversationId}`)).contact.id;
  identityId = (await w.get(w.tokens.admin, `/api/contacts/${contact}`)).identities[0].id;
  const api = await w.customer("omo-api", "hi");
  const apiContact = (await w.get(w.tokens.admin, `/api/conversations/${api.conversationId}`)).contact.id;
  apiIdentityId = (await w.get(w.tokens.admin, `/api/contacts/${apiContact}`)).identities[0].id;
});
afterAll(() => t.close());

describe("OMO binding", () => {
  it("PROF-44: the section is shown only on OMO teams and only for LINE and WhatsApp customers", async () => {
    expect((await w.get(w.tokens.admin, `/api/identities/${identityId}/omo-binding`)).shown).toBe(false);
    await t.req("PATCH", "/api/workspace", { token: w.tokens.admin, body: { settings: { omo: true } } });
    expect((await w.get(w.tokens.admin, `/api/identities/${identityId}/omo-binding`)).shown).toBe(true);
    expect((await w.get(w.tokens.admin, `/api/identities/${apiIdentityId}/omo-binding`)).shown).toBe(false);
  });

  it("PROF-46: the section shows the bound sales member, their branch and the binding time", async () => {
    const branch = await t.req("POST", "/api/branches", { token: w.tokens.admin, body: { name: "台中店" } });
    await t.req("PATCH", `/api/members/${w.ids.sales}`, { token: w.tokens.admin, body: { branchId: branch.body.id } });
    const bind = await t.req("PUT", `/api/integrations/omo-bindings/${identityId}`, { token: w.integration, body: { memberId: w.ids.sales } });
    expect(bind.status).toBe(200);
    const b = await w.get(w.tokens.agent, `/api/identities/${identityId}/omo-binding`);
    expect(b.binding).toMatchObject({ member: { id: w.ids.sales, name: "Sean" }, branch: "台中店", boundAt: t.clock.now().toISOString() });
  });

  it("PROF-45: only 管理員, 主管, 銷售經理 and 銷售人員 can unbind; the unbinding is in the state log", async () => {
    for (const role of ROLES) {
      const view = await w.get(w.tokens[role], `/api/identities/${identityId}/omo-binding`);
      expect(view.canUnbind, role).toBe(["admin", "supervisor", "sales_manager", "sales"].includes(role));
    }
    for (const role of ["cs_manager", "agent", "marketing_agent"] as const)
      expect((await t.req("DELETE", `/api/identities/${identityId}/omo-binding`, { token: w.tokens[role] })).status, role).toBe(403);
    expect((await t.req("DELETE", `/api/identities/${identityId}/omo-binding`, { token: w.tokens.sales_manager })).status).toBe(200);
    expect((await w.get(w.tokens.admin, `/api/identities/${identityId}/omo-binding`)).binding).toBeNull();
    const log = (await w.get(w.tokens.admin, `/api/conversations/${conversationId}/status-log`)).items;
    expect(log.at(-1)).toMatchObject({ kind: "omo_unbound", text: "Sara 解除了 OMO 綁定。" });
  });

  it("PROF-7: hiding the customer panel is remembered per member", async () => {
    await t.req("PATCH", "/api/me/preferences", { token: w.tokens.agent, body: { profileHidden: true } });
    expect((await w.get(w.tokens.agent, "/api/me/preferences")).profileHidden).toBe(true);
    expect((await w.get(w.agent2.token, "/api/me/preferences")).profileHidden).toBeUndefined();
  });
});
