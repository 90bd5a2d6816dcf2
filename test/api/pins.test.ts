import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";
import { makeWorld, type World } from "../support/world.js";

let t: TestApp;
let w: World;
let channelId = "";
let n = 0;
beforeAll(async () => {
  t = await startTestApp();
  w = await makeWorld(t);
  channelId = (await t.req("POST", "/api/channels", { token: w.tokens.admin, body: { platform: "api", name: "pins" } })).body.id;
});
afterAll(() => t.close());

async function mine(token = w.tokens.agent, who: "agent" | "agent2" = "agent") {
  t.clock.advance(60_000);
  const r = await t.req("POST", `/api/channels/${channelId}/inbound`, { token: w.integration, body: { userId: `pin-${++n}`, messageId: `pin-m-${n}`, text: `hi ${n}` } });
  await w.act(who, r.body.conversationId, "follow");
  return r.body.conversationId as string;
}
const list = async (q = "") => (await w.get(w.tokens.agent, `/api/conversations?view=my_processing&channelId=${channelId}${q}`)).items.map((c: any) => [c.id, c.pinned]);
const pin = (id: string, token = w.tokens.agent) => t.req("POST", `/api/conversations/${id}/pin`, { token });

describe("pinning", () => {
  it("ADV-11: only conversations in 我的處理中 can be pinned", async () => {
    const r = await t.req("POST", `/api/channels/${channelId}/inbound`, { token: w.integration, body: { userId: "pin-pending", messageId: "pin-pending", text: "hi" } });
    expect((await pin(r.body.conversationId)).status).toBe(403);
    const other = await mine(w.agent2.token, "agent2");
    expect((await pin(other)).status).toBe(403);
  });

  it("ADV-12: pinned conversations stay on top, ordered by last message; ADV-16: in the chosen direction", async () => {
    const [a, b, c] = [await mine(), await mine(), await mine()];
    expect((await pin(a)).status).toBe(200);
    expect((await pin(b)).status).toBe(200);
    expect((await list()).slice(0, 3)).toEqual([[b, true], [a, true], [c, false]]);
    expect((await list("&order=asc")).slice(0, 2)).toEqual([[a, true], [b, true]]);
    expect((await list("&sort=follow_time")).slice(0, 2)).toEqual([[b, true], [a, true]]);
  });

  it("ADV-16: filters apply to pinned conversations too; pins are per member", async () => {
    const p = await mine();
    await pin(p);
    await t.req("POST", `/api/conversations/${p}/view`, { token: w.tokens.agent });
    expect((await list("&unread=true")).map((x: any[]) => x[0])).not.toContain(p);
    const shared = (await w.get(w.tokens.admin, `/api/conversations/${p}`)).pinned;
    expect(shared).toBe(false);
  });

  it("ADV-13: the pin goes when the conversation is closed, transferred or taken over; ADV-17: reopening does not restore it", async () => {
    const closed = await mine();
    await pin(closed);
    await w.act("agent", closed, "close");
    await w.act("agent", closed, "reopen");
    expect((await w.get(w.tokens.agent, `/api/conversations/${closed}`)).pinned).toBe(false);
    const moved = await mine();
    await pin(moved);
    await w.act("agent", moved, "transfer", { toMemberId: w.agent2.id });
    await w.act("agent2", moved, "transfer", { toMemberId: w.ids.agent });
    expect((await w.get(w.tokens.agent, `/api/conversations/${moved}`)).pinned).toBe(false);
    const taken = await mine();
    await pin(taken);
    await w.act("admin", taken, "take_over".replace("_", "-"));
    await w.act("admin", taken, "transfer", { toMemberId: w.ids.agent });
    expect((await w.get(w.tokens.agent, `/api/conversations/${taken}`)).pinned).toBe(false);
  });

  it("ADV-14: unpinning from the list puts the conversation back in last-message order", async () => {
    const x = await mine();
    await pin(x);
    expect((await t.req("DELETE", `/api/conversations/${x}/pin`, { token: w.tokens.agent })).status).toBe(200);
    expect((await list()).find((r: any[]) => r[0] === x)?.[1]).toBe(false);
  });
});
