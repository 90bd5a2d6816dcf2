/**
 * Memory: the resident set size of a server process (bench/server-child.ts,
 * bundled and run with plain node as `npm start` runs src/main.ts) idle after
 * start-up, then with N agent sockets connected by the driver
 * (socket.io-client over WebSocket, spread over the agents' sessions),
 * sampled after the connections settle.
 */
import { Helper } from "./ipc.js";
import { buildServer } from "../scripts/build-server.mjs";

export interface MemoryResult {
  sockets: number;
  connected: number;
  failed: number;
  connectMs: number;
  idle: { rssMb: number; heapUsedMb: number };
  withSockets: { rssMb: number; heapUsedMb: number; sockets: number };
  perSocketKb: number;
  firstError?: string;
}

export async function measureMemory(driver: Helper, o: { databaseUrl?: string; sockets: number; agents: number; log: (s: string) => void }): Promise<MemoryResult> {
  const built: string = await buildServer("bench/server-child.ts", "dist/bench/server-child.js");
  const server = Helper.startBuilt(built, "memory server");
  try {
    const s = await server.call<{ origin: string; tokens: string[]; pid: number }>("start", { databaseUrl: o.databaseUrl, agents: o.agents }, 180_000);
    const idle = await server.call<{ rssMb: number; heapUsedMb: number }>("memory", { settleMs: 2000 }, 30_000);
    o.log(`  server pid ${s.pid}: idle RSS ${idle.rssMb} MB; connecting ${o.sockets} sockets`);
    const c = await driver.call<{ connected: number; failed: number; ms: number; firstError?: string }>("connect", { origin: s.origin, tokens: s.tokens, count: o.sockets }, 300_000);
    const withSockets = await server.call<{ rssMb: number; heapUsedMb: number; sockets: number }>("memory", { settleMs: 3000 }, 30_000);
    await driver.call("disconnect", {}, 60_000);
    await server.call("stop", {}, 60_000);
    return {
      sockets: o.sockets,
      connected: c.connected,
      failed: c.failed,
      connectMs: c.ms,
      idle,
      withSockets,
      perSocketKb: c.connected ? Math.round(((withSockets.rssMb - idle.rssMb) * 1024) / c.connected) : 0,
      ...(c.firstError ? { firstError: c.firstError } : {}),
    };
  } finally {
    await server.stop();
  }
}
