/**
 * A Parley server alone in its process, for the memory figure: its RSS is
 * the server's (HTTP, Socket.IO, job worker and, on PGlite, the embedded
 * database), not the bench runner's or the load generator's. Started by
 * bench/memory.ts over IPC; on PGlite it opens a fresh data folder of its
 * own, on PostgreSQL it uses the bench database (new workspace).
 */
import { serve } from "./ipc.js";
import { createBenchDatabase, createFixtures, startServer, type BenchDatabase, type Running } from "./setup.js";
import { mb } from "./stats.js";

let db: BenchDatabase | null = null;
let running: Running | null = null;

const usage = () => {
  const m = process.memoryUsage();
  return { rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), externalMb: mb(m.external), arrayBuffersMb: mb(m.arrayBuffers) };
};

serve({
  async start(a: { databaseUrl?: string; agents: number }) {
    db = a.databaseUrl ? { kind: "postgres", url: a.databaseUrl, label: "bench database", drop: async () => {} } : await createBenchDatabase(undefined);
    running = await startServer(db);
    const fx = await createFixtures(running.app, a.agents, `mem${Date.now().toString(36)}`);
    return { origin: running.origin, tokens: fx.agents.map((x) => x.token), pid: process.pid };
  },
  async memory(a: { settleMs: number }) {
    await new Promise((r) => setTimeout(r, a.settleMs));
    return { ...usage(), sockets: running?.app.realtime?.io.engine.clientsCount ?? 0 };
  },
  async stop() {
    await running?.app.close();
    await db?.drop();
    running = null;
    return { ok: true };
  },
});
