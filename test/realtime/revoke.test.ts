import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { io as connect, type Socket } from "socket.io-client";
import { startTestApp, type TestApp } from "../support/app.js";
import { makeWorld, type World } from "../support/world.js";

let t: TestApp;
let w: World;
let base = "";
const sockets: Socket[] = [];

async function open(token: string): Promise<{ socket: Socket; closed: Promise<string> }> {
  const socket = connect(base, { auth: { token }, transports: ["websocket"], reconnection: false });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once("ready", () => resolve());
    socket.once("connect_error", reject);
  });
  return { socket, closed: new Promise((r) => socket.once("disconnect", (reason) => r(reason))) };
}
const within = <T>(p: Promise<T>, ms = 3000) => Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error("timed out")), ms))]);

beforeAll(async () => {
  t = await startTestApp({}, { listen: true });
  w = await makeWorld(t);
  base = `http://127.0.0.1:${(t.app.server.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t.close();
});

describe("access ends with the session", () => {
  it("a deactivated member's open socket is closed at once and cannot reconnect", async () => {
    const m = await t.req("POST", "/api/members", { token: w.tokens.admin, body: { email: "rv@x.test", name: "Rv", role: "agent", password: "password-123" } });
    const login = await t.req("POST", "/api/auth/login", { body: { email: "rv@x.test", password: "password-123", workspaceId: w.workspaceId } });
    const s = await open(login.body.token);
    await t.req("POST", `/api/members/${m.body.id}/deactivate`, { token: w.tokens.admin });
    expect(await within(s.closed)).toBe("io server disconnect");
    await expect(open(login.body.token)).rejects.toThrow(/unauthorized/);
  });

  it("logging out closes the sockets of that session only", async () => {
    await t.req("POST", "/api/members", { token: w.tokens.admin, body: { email: "rv2@x.test", name: "Rv2", role: "agent", password: "password-123" } });
    const s1 = (await t.req("POST", "/api/auth/login", { body: { email: "rv2@x.test", password: "password-123" } })).body.token;
    const s2 = (await t.req("POST", "/api/auth/login", { body: { email: "rv2@x.test", password: "password-123" } })).body.token;
    const first = await open(s1);
    const second = await open(s2);
    await t.req("POST", "/api/auth/logout", { token: s1 });
    expect(await within(first.closed)).toBe("io server disconnect");
    await new Promise((r) => setTimeout(r, 200));
    expect(second.socket.connected).toBe(true);
  });

  it("a role change closes the member's sockets so they reconnect with the new rights", async () => {
    const m = await t.req("POST", "/api/members", { token: w.tokens.admin, body: { email: "rv3@x.test", name: "Rv3", role: "supervisor", password: "password-123" } });
    const token = (await t.req("POST", "/api/auth/login", { body: { email: "rv3@x.test", password: "password-123" } })).body.token;
    const s = await open(token);
    await t.req("PATCH", `/api/members/${m.body.id}`, { token: w.tokens.admin, body: { role: "agent" } });
    expect(await within(s.closed)).toBe("io server disconnect");
    const again = await open(token);
    expect(again.socket.connected).toBe(true);
  });
});
