import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { io as connect, type Socket } from "socket.io-client";
import { startTestApp, type TestApp } from "../support/app.js";
import { makeWorld, type World } from "../support/world.js";

let t: TestApp;
let w: World;
let base = "";
const sockets: Socket[] = [];

async function client(token: string): Promise<{ socket: Socket; events: any[] }> {
  const socket = connect(base, { auth: { token }, transports: ["websocket"], reconnection: false });
  sockets.push(socket);
  const events: any[] = [];
  socket.on("notification", (d) => events.push(d));
  await new Promise<void>((resolve, reject) => {
    socket.once("ready", () => resolve());
    socket.once("connect_error", reject);
  });
  return { socket, events };
}

beforeAll(async () => {
  t = await startTestApp({}, { listen: true });
  w = await makeWorld(t);
  base = `http://127.0.0.1:${(t.app.server.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t.close();
});

describe("push notifications", () => {
  it("VIEW-28: the follower gets a push notification for each new customer message in their processing conversation, nobody else does", async () => {
    const agent = await client(w.tokens.agent);
    const other = await client(w.agent2.token);
    const { conversationId } = await w.customer("push-1", "first");
    await w.act("agent", conversationId, "follow");
    await w.customer("push-1", "第二則");
    await w.customer("push-1", "第三則");
    const deadline = Date.now() + 3000;
    while (agent.events.filter((e) => e.kind === "customer_message").length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    expect(agent.events.filter((e) => e.kind === "customer_message").map((e) => [e.conversationId, e.text, e.push])).toEqual([
      [conversationId, "第二則", true],
      [conversationId, "第三則", true],
    ]);
    expect(other.events.filter((e) => e.kind === "customer_message")).toEqual([]);
  });
});
