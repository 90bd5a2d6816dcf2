/**
 * The Socket.IO stream end to end: a listening test app, real socket.io
 * clients for members of several roles, and changes made through the HTTP
 * API. Each event must reach exactly the members allowed to see the
 * conversation (VIEW-5).
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import type { AddressInfo } from "node:net";
import { startTestApp, type TestApp } from "../support/app.js";
import { makeWorld, type World } from "../support/world.js";
import { connectClient, refusal, type StreamClient } from "./clients.js";
import type { RealtimeEvent } from "../../src/realtime/events.js";

const ABSENCE_MS = 300;

let t: TestApp;
let w: World;
let other: World;
let url: string;
const clients: StreamClient[] = [];
let admin: StreamClient, supervisor: StreamClient, csManager: StreamClient, agent: StreamClient, agent2: StreamClient;
let sales: StreamClient, salesManager: StreamClient, outsider: StreamClient;

const about = (conversationId: string) => (d: any) => d?.conversationId === conversationId;
const aboutMessage = (messageId: string) => (d: any) => d?.message?.id === messageId;

beforeAll(async () => {
  t = await startTestApp({}, { listen: true });
  w = await makeWorld(t, "rt");
  other = await makeWorld(t, "rtother");
  const addr = t.app.server.server.address() as AddressInfo;
  url = `http://127.0.0.1:${addr.port}`;
  const connect = async (label: string, token: string) => {
    const c = await connectClient(url, label, { token });
    clients.push(c);
    return c;
  };
  [admin, supervisor, csManager, agent, agent2, sales, salesManager, outsider] = await Promise.all([
    connect("admin", w.tokens.admin),
    connect("supervisor", w.tokens.supervisor),
    connect("cs_manager", w.tokens.cs_manager),
    connect("agent", w.tokens.agent),
    connect("agent2", w.agent2.token),
    connect("sales", w.tokens.sales),
    connect("sales_manager", w.tokens.sales_manager),
    connect("other workspace admin", other.tokens.admin),
  ]);
});

afterAll(async () => {
  for (const c of clients) c.close();
  await t?.close();
});

describe("realtime stream: who hears what (VIEW-5)", () => {
  it("the server greets each socket with its member id", () => {
    expect(admin.memberId).toBe(w.ids.admin);
    expect(agent.memberId).toBe(w.ids.agent);
    expect(agent2.memberId).toBe(w.agent2.id);
    expect(sales.memberId).toBe(w.ids.sales);
  });

  it("VIEW-5: a customer message on a pending conversation reaches every member of the workspace", async () => {
    const r = await w.customer("rt-pending", "有人在嗎?");
    expect(r.status).toBe("stored");
    for (const c of [admin, supervisor, csManager, agent, agent2, sales, salesManager]) {
      const d = await c.next("message.created", aboutMessage(r.messageId));
      expect(d, c.label).toMatchObject({ conversationId: r.conversationId, message: { id: r.messageId, conversationId: r.conversationId, senderKind: "customer", text: "有人在嗎?" } });
    }
  });

  it("VIEW-5: once agent follows, a customer message reaches the follower and team-view roles, not agent2 nor sales", async () => {
    const first = await w.customer("rt-followed", "第一則");
    const id = first.conversationId;
    expect((await w.act("agent", id, "follow")).status).toBe(200);
    // The follow itself is announced to everyone who saw it pending (it leaves their pending view).
    for (const c of [agent, agent2, sales, admin]) {
      expect(await c.next("conversation.updated", (d) => d.conversationId === id && d.state === "processing"), c.label).toMatchObject({ followerId: w.ids.agent });
    }

    const second = await w.customer("rt-followed", "第二則");
    expect(second.conversationId).toBe(id);
    for (const c of [agent, admin, supervisor, csManager]) {
      expect(await c.next("message.created", aboutMessage(second.messageId)), c.label).toMatchObject({ conversationId: id, message: { text: "第二則" } });
    }
    await Promise.all([agent2, sales, salesManager].map((c) => c.none("message.created", aboutMessage(second.messageId), ABSENCE_MS)));
  });

  it("VIEW-5: conversation.updated reaches the previous and the new follower on transfer; afterwards only the new one hears the conversation", async () => {
    const { conversationId: id } = await w.customer("rt-transfer");
    expect((await w.act("agent", id, "follow")).status).toBe(200);
    expect((await w.act("agent", id, "transfer", { toMemberId: w.agent2.id })).status).toBe(200);
    const transferred = (d: any) => d.conversationId === id && d.followerId === w.agent2.id;
    for (const c of [agent, agent2, admin, supervisor, csManager]) {
      expect(await c.next("conversation.updated", transferred), c.label).toMatchObject({ state: "processing", version: expect.any(Number) });
    }
    await Promise.all([sales, salesManager].map((c) => c.none("conversation.updated", transferred, ABSENCE_MS)));

    const after = await w.customer("rt-transfer", "轉接後");
    expect(await agent2.next("message.created", aboutMessage(after.messageId))).toMatchObject({ conversationId: id });
    expect(await admin.next("message.created", aboutMessage(after.messageId))).toMatchObject({ conversationId: id });
    await Promise.all([agent, sales].map((c) => c.none("message.created", aboutMessage(after.messageId), ABSENCE_MS)));
  });

  it("VIEW-5: closing is announced to the last handler and team-view roles only", async () => {
    const { conversationId: id } = await w.customer("rt-close");
    expect((await w.act("agent", id, "follow")).status).toBe(200);
    expect((await w.act("agent", id, "close")).status).toBe(200);
    const closed = (d: any) => d.conversationId === id && d.state === "closed";
    for (const c of [agent, admin, csManager]) expect(await c.next("conversation.updated", closed), c.label).toMatchObject({ conversationId: id });
    await Promise.all([agent2, sales].map((c) => c.none("conversation.updated", closed, ABSENCE_MS)));
  });

  it("VIEW-5: group conversations never reach sales roles, pending or processing", async () => {
    // The API channel has no group conversations, so publish the stream's own
    // events directly: this checks the rooms each real socket joined.
    const rt = t.app.realtime!;
    const pendingGroup: RealtimeEvent = {
      workspaceId: w.workspaceId,
      name: "conversation.updated",
      audience: { kind: "conversation", kindOfConversation: "group", visibleTo: [{ state: "pending", participantIds: [] }] },
      data: { conversationId: "group-pending" },
    };
    rt.publish([pendingGroup]);
    for (const c of [admin, supervisor, csManager, agent, agent2]) await c.next("conversation.updated", about("group-pending"));
    await Promise.all([sales, salesManager, outsider].map((c) => c.none("conversation.updated", about("group-pending"), ABSENCE_MS)));

    rt.publish([
      {
        ...pendingGroup,
        audience: { kind: "conversation", kindOfConversation: "group", visibleTo: [{ state: "processing", participantIds: [w.ids.agent] }] },
        data: { conversationId: "group-processing" },
      },
    ]);
    for (const c of [admin, supervisor, csManager, agent]) await c.next("conversation.updated", about("group-processing"));
    await Promise.all([agent2, sales, salesManager].map((c) => c.none("conversation.updated", about("group-processing"), ABSENCE_MS)));
  });

  it("VIEW-5: an event with an empty audience reaches nobody (it is not broadcast to every socket)", async () => {
    t.app.realtime!.publish([
      { workspaceId: w.workspaceId, name: "notification", audience: { kind: "members", memberIds: [] }, data: { conversationId: "nobody" } },
      { workspaceId: w.workspaceId, name: "conversation.updated", audience: { kind: "conversation", kindOfConversation: "individual", visibleTo: [] }, data: { conversationId: "nobody" } },
    ]);
    await Promise.all([admin, agent, sales, outsider].map(async (c) => {
      await c.none("notification", about("nobody"), ABSENCE_MS);
      await c.none("conversation.updated", about("nobody"), 0);
    }));
  });

  it("VIEW-5: member-addressed events (notifications) reach only that member", async () => {
    const { conversationId: id } = await w.customer("rt-notify");
    expect((await w.act("agent", id, "follow")).status).toBe(200);
    expect((await w.act("agent", id, "transfer", { toMemberId: w.agent2.id })).status).toBe(200);
    const n = await agent2.next("notification", about(id));
    expect(n).toMatchObject({ conversationId: id, text: expect.any(String) });
    await Promise.all([agent, admin, sales].map((c) => c.none("notification", about(id), ABSENCE_MS)));
  });
});

describe("realtime stream: status and unread pushes", () => {
  it("STAT-16: an agent reply is pushed as sending, then message.updated with status sent arrives after worker.drain()", async () => {
    const { conversationId: id } = await w.customer("rt-status");
    expect((await w.act("agent", id, "follow")).status).toBe(200);
    const r = await t.req("POST", `/api/conversations/${id}/messages`, { token: w.tokens.agent, body: { text: "您好,馬上為您查詢" } });
    expect(r.status).toBe(201);
    const replyId = r.body.id as string;
    expect(await agent.next("message.created", aboutMessage(replyId))).toMatchObject({ conversationId: id, message: { status: "sending", senderKind: "agent" } });
    // The job worker is not running: nothing is delivered until the test drains it.
    await agent.none("message.updated", aboutMessage(replyId), 150);

    await t.app.worker.drain();
    for (const c of [agent, admin, supervisor]) {
      expect(await c.next("message.updated", (d) => d.message?.id === replyId && d.message?.status === "sent"), c.label).toMatchObject({ conversationId: id });
    }
    const sent = agent.matching("message.updated", (d) => d.message?.id === replyId && d.message?.status === "sent")[0];
    const created = agent.matching("message.created", aboutMessage(replyId))[0];
    expect(sent.at).toBeGreaterThanOrEqual(created.at);
    await Promise.all([agent2, sales].map((c) => c.none("message.updated", aboutMessage(replyId), ABSENCE_MS)));
  });

  it("VIEW-23: a customer message pushes unread.changed and counts.changed; viewing a followed conversation pushes unread.changed again", async () => {
    const { conversationId: id } = await w.customer("rt-unread", "第一則");
    for (const c of [agent, agent2, sales]) {
      await c.next("unread.changed", about(id));
      await c.next("counts.changed");
    }
    expect((await w.act("agent", id, "follow")).status).toBe(200);
    const before = agent.matching("unread.changed", about(id)).length;
    const unreadBefore = (await w.get(w.tokens.agent, `/api/conversations/${id}`)).unreadCount;

    const second = await w.customer("rt-unread", "第二則");
    await agent.next("message.created", aboutMessage(second.messageId));
    await expect.poll(() => agent.matching("unread.changed", about(id)).length, { timeout: 3000 }).toBeGreaterThan(before);
    const unreadAfter = (await w.get(w.tokens.agent, `/api/conversations/${id}`)).unreadCount;
    expect(unreadAfter).toBe(unreadBefore + 1);

    const seen = agent.matching("unread.changed", about(id)).length;
    const v = await t.req("POST", `/api/conversations/${id}/view`, { token: w.tokens.agent });
    expect(v.status).toBe(200);
    expect(v.body).toMatchObject({ cleared: true });
    await expect.poll(() => agent.matching("unread.changed", about(id)).length, { timeout: 3000 }).toBeGreaterThan(seen);
    expect((await w.get(w.tokens.agent, `/api/conversations/${id}`)).unreadCount).toBe(0);
  });
});

describe("realtime stream: who may connect", () => {
  it("a socket without a token is refused with connect_error unauthorized", async () => {
    expect(await refusal(url, {})).toBe("unauthorized");
  });

  it("a socket with a bad or unknown token is refused with connect_error unauthorized", async () => {
    expect(await refusal(url, { token: "nonsense" })).toBe("unauthorized");
    expect(await refusal(url, { token: "ps_not-a-real-session" })).toBe("unauthorized");
    expect(await refusal(url, { token: "pt_not-a-real-token" })).toBe("unauthorized");
    // Not a string at all: still "unauthorized", not a server error.
    expect(await refusal(url, { token: 12345 as unknown as string })).toBe("unauthorized");
  });

  it("an integration (workspace API) token may not open the member stream", async () => {
    expect(await refusal(url, { token: w.integration })).toBe("unauthorized");
  });

  it("a session cookie is accepted like a token, over polling too", async () => {
    const c = await connectClient(url, "cookie agent", { cookie: `parley_session=${encodeURIComponent(w.tokens.agent)}`, transports: ["polling"] });
    clients.push(c);
    expect(c.memberId).toBe(w.ids.agent);
    const r = await w.customer("rt-cookie");
    await c.next("message.created", aboutMessage(r.messageId));
    c.close();
  });

  it("a personal (member) API token may connect as that member", async () => {
    const s = await t.req("POST", "/api/tokens", { token: w.tokens.agent, body: { name: "probe", member: true } });
    expect(s.status).toBe(200);
    const c = await connectClient(url, "agent via personal token", { token: s.body.token });
    clients.push(c);
    expect(c.memberId).toBe(w.ids.agent);
    c.close();
  });

  it("a logged-out session can no longer connect", async () => {
    const email = `rt-logout-${Date.now()}@rt.test`;
    const m = await t.req("POST", "/api/members", { token: w.tokens.admin, body: { email, name: "Leo", role: "agent", password: "password-123" } });
    expect(m.status).toBe(201);
    const login = await t.req("POST", "/api/auth/login", { body: { email, password: "password-123", workspaceId: w.workspaceId } });
    expect(login.status).toBe(200);
    const c = await connectClient(url, "leo", { token: login.body.token });
    clients.push(c);
    c.close();
    expect((await t.req("POST", "/api/auth/logout", { token: login.body.token })).status).toBe(200);
    expect(await refusal(url, { token: login.body.token })).toBe("unauthorized");
  });

  it("a member of another workspace receives nothing of this workspace's traffic", async () => {
    const r = await w.customer("rt-isolation");
    await admin.next("message.created", aboutMessage(r.messageId));
    await admin.next("counts.changed");
    await outsider.none("message.created", undefined, ABSENCE_MS);
    // Everything this file did happened in the first workspace: the outsider heard none of it,
    // workspace-wide events (unread.changed, counts.changed) included.
    expect(outsider.events).toEqual([]);
  });

  it("the other workspace's own traffic does reach its member (the outsider's socket works)", async () => {
    const r = await other.customer("rt-other-own");
    expect(await outsider.next("message.created", aboutMessage(r.messageId))).toMatchObject({ conversationId: r.conversationId });
    await Promise.all([admin, sales].map((c) => c.none("message.created", aboutMessage(r.messageId), ABSENCE_MS)));
  });
});
