/**
 * Agent consoles as Socket.IO clients (socket.io-client over WebSocket, as
 * the console connects), in the driver process. Each socket waits for the
 * server's "ready" (rooms joined) and timestamps every message.created it
 * receives whose text carries a load tag.
 */
import { io, type Socket } from "socket.io-client";
import { TAG } from "./load.js";

export interface Delivery {
  seq: number;
  at: number;
  socket: number;
}

export class AgentPool {
  readonly sockets: Socket[] = [];
  readonly deliveries: Delivery[] = [];
  readonly eventCounts: Record<string, number> = {};
  recording = false;

  /** Connects one socket per token (cycled when `count` > tokens), `parallel` handshakes at a time. */
  async connect(origin: string, tokens: string[], count: number, parallel = 25, timeoutMs = 15_000): Promise<{ connected: number; failed: number; ms: number; firstError?: string }> {
    const t0 = performance.now();
    let failed = 0;
    let firstError: string | undefined;
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const i = next++;
        try {
          this.sockets.push(await this.open(origin, tokens[i % tokens.length], this.sockets.length, timeoutMs));
        } catch (e) {
          failed++;
          firstError ??= e instanceof Error ? e.message : String(e);
        }
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
    return { connected: this.sockets.length, failed, ms: Math.round(performance.now() - t0), ...(firstError ? { firstError } : {}) };
  }

  private open(origin: string, token: string, index: number, timeoutMs: number): Promise<Socket> {
    const socket = io(origin, { path: "/socket.io", auth: { token }, transports: ["websocket"], reconnection: false, forceNew: true, timeout: timeoutMs });
    socket.onAny((name: string, data: { message?: { text?: string } }) => {
      this.eventCounts[name] = (this.eventCounts[name] ?? 0) + 1;
      if (!this.recording || name !== "message.created") return;
      const m = TAG.exec(data?.message?.text ?? "");
      if (m) this.deliveries.push({ seq: Number(m[1]), at: performance.now(), socket: index });
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.disconnect();
        reject(new Error(`socket ${index} not ready within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once("ready", () => {
        clearTimeout(timer);
        resolve(socket);
      });
      socket.once("connect_error", (err: Error) => {
        clearTimeout(timer);
        socket.disconnect();
        reject(err);
      });
    });
  }

  /** Sockets still connected. */
  get connected(): number {
    return this.sockets.filter((s) => s.connected).length;
  }

  close(): void {
    for (const s of this.sockets.splice(0)) {
      s.removeAllListeners();
      s.disconnect();
    }
    this.deliveries.length = 0;
    for (const k of Object.keys(this.eventCounts)) delete this.eventCounts[k];
  }
}
