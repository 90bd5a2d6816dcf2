/**
 * kill -9 of the server while a reply is being delivered: after a restart on
 * the same data the reply reaches the platform exactly once (the platform
 * side deduplicates on the idempotency key we send, as LINE does with
 * X-Line-Retry-Key) and ends as sent. Runs on the embedded database on disk,
 * and on PostgreSQL when PARLEY_TEST_BACKEND=postgres.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createServer, type Server, type ServerResponse } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startServer, api, type ServerProcess } from "./support.js";
import { createTestDatabase } from "../support/backend.js";

let integrator: Server;
let hookUrl = "";
const held: ServerResponse[] = [];
let holdNext = true;
const deliveries = new Map<string, number>(); // idempotency key → requests seen
let dataDir = "";
let db: Awaited<ReturnType<typeof createTestDatabase>> = null;
let server: ServerProcess | null = null;

beforeAll(async () => {
  integrator = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const key = String(req.headers["idempotency-key"]);
      deliveries.set(key, (deliveries.get(key) ?? 0) + 1);
      if (holdNext) {
        holdNext = false;
        held.push(res); // never answered: the server dies while waiting
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id: `ext-${key}` }));
    });
  });
  await new Promise<void>((r) => integrator.listen(0, "127.0.0.1", r));
  hookUrl = `http://127.0.0.1:${(integrator.address() as { port: number }).port}/hook`;
  dataDir = mkdtempSync(join(tmpdir(), "parley-fault-"));
  db = await createTestDatabase();
});

afterAll(async () => {
  await server?.stop();
  for (const r of held) r.destroy();
  integrator.close();
  rmSync(dataDir, { recursive: true, force: true });
  await db?.drop();
});

describe("faults: kill -9 during outbound sends", () => {
  it("STAT-3: every accepted reply is delivered exactly once after a kill -9 and restart", async () => {
    const env = { PARLEY_TEST_MODE: "1", DATA_DIR: dataDir, ...(db ? { DATABASE_URL: db.url } : {}) };
    const port = await freePort();
    server = await startServer(env, port);
    let base = server.url;
    await api(base, "POST", "/api/test/reset");
    expect((await api(base, "POST", "/api/workspaces", { name: "F", admin: { email: "f@f.test", password: "password-1", name: "F" } })).status).toBe(201);
    const token = (await api(base, "POST", "/api/auth/login", { email: "f@f.test", password: "password-1" })).body.token;
    const ch = await api(base, "POST", "/api/channels", { platform: "api", name: "hook", credentials: { outboundUrl: hookUrl, secret: "s" } }, token);
    const inbound = await api(base, "POST", `/api/channels/${ch.body.id}/inbound`, { userId: "u1", messageId: "m1", text: "hi" }, token);
    const cid = inbound.body.conversationId;
    expect((await api(base, "POST", `/api/conversations/${cid}/follow`, {}, token)).status).toBe(200);
    const replies: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await api(base, "POST", `/api/conversations/${cid}/messages`, { text: `reply ${i}` }, token);
      expect(r.status).toBe(201);
      replies.push(r.body.id);
    }
    // Wait until the first send is in flight (held by the integrator), then kill.
    const until = Date.now() + 10_000;
    while (held.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(held.length).toBe(1);
    await server.kill9();

    server = await startServer(env, port);
    base = server.url;
    // The in-flight job's lock expires; the test clock moves past it and runs what is due.
    await api(base, "POST", "/api/test/clock", { advanceMinutes: 5 });
    const token2 = (await api(base, "POST", "/api/auth/login", { email: "f@f.test", password: "password-1" })).body.token;
    const msgs = (await api(base, "GET", `/api/conversations/${cid}/messages?limit=50`, undefined, token2)).body.items;
    for (const id of replies) {
      expect(msgs.find((m: any) => m.id === id)?.status, id).toBe("sent");
      expect(deliveries.has(id), id).toBe(true);
    }
    // Each reply reached the platform under one idempotency key; only the one in flight at the kill was retried.
    expect([...deliveries.keys()].sort()).toEqual([...replies].sort());
    expect([...deliveries.values()].filter((n) => n > 1)).toHaveLength(1);
  }, 90_000);
});
