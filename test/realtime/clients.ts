/**
 * Socket.IO clients for the realtime tests: each records every event it
 * receives, so a test can wait for one (bounded) or assert that none
 * arrived within a short window.
 */
import { io, type Socket } from "socket.io-client";

export interface Received {
  name: string;
  data: any;
  at: number;
}

export interface StreamClient {
  label: string;
  socket: Socket;
  memberId: string;
  /** Every event received since the connection, "ready" excluded. */
  events: Received[];
  /** Resolves with the first matching event (already received or still to come); rejects after `timeoutMs`. */
  next(name: string, match?: (data: any) => boolean, timeoutMs?: number): Promise<any>;
  /** Waits `ms`, then fails if a matching event arrived. */
  none(name: string, match?: (data: any) => boolean, ms?: number): Promise<void>;
  matching(name: string, match?: (data: any) => boolean): Received[];
  close(): void;
}

export interface ConnectOptions {
  token?: string;
  cookie?: string;
  transports?: ("polling" | "websocket")[];
  timeoutMs?: number;
}

function open(url: string, o: ConnectOptions): Socket {
  return io(url, {
    path: "/socket.io",
    auth: o.token === undefined ? {} : { token: o.token },
    extraHeaders: o.cookie ? { cookie: o.cookie } : undefined,
    transports: o.transports ?? ["websocket"],
    reconnection: false,
    forceNew: true,
    timeout: o.timeoutMs ?? 5000,
  });
}

/** Connects and waits for the server's "ready" event (sent after the socket joined its rooms). */
export function connectClient(url: string, label: string, o: ConnectOptions): Promise<StreamClient> {
  const socket = open(url, o);
  const events: Received[] = [];
  const waiters = new Set<() => void>();
  socket.onAny((name: string, data: unknown) => {
    if (name === "ready") return;
    events.push({ name, data, at: Date.now() });
    for (const w of [...waiters]) w();
  });
  const matching = (name: string, match: (d: any) => boolean = () => true) => events.filter((e) => e.name === name && match(e.data));
  const client: Omit<StreamClient, "memberId"> = {
    label,
    socket,
    events,
    matching,
    next(name, match = () => true, timeoutMs = 3000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = matching(name, match)[0];
          if (!hit) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit.data);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const seen = events.map((e) => `${e.name} ${JSON.stringify(e.data).slice(0, 160)}`).join("\n  ");
          reject(new Error(`${label}: no "${name}" event matched within ${timeoutMs} ms; received:\n  ${seen || "(nothing)"}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    async none(name, match = () => true, ms = 300) {
      await new Promise((r) => setTimeout(r, ms));
      const hits = matching(name, match);
      if (hits.length) throw new Error(`${label} must not receive "${name}", got ${JSON.stringify(hits.map((h) => h.data)).slice(0, 400)}`);
    },
    close() {
      socket.removeAllListeners();
      socket.disconnect();
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.disconnect();
      reject(new Error(`${label}: not ready within ${o.timeoutMs ?? 5000} ms`));
    }, o.timeoutMs ?? 5000);
    socket.once("ready", (d: { memberId: string }) => {
      clearTimeout(timer);
      resolve({ ...client, memberId: d.memberId });
    });
    socket.once("connect_error", (err: Error) => {
      clearTimeout(timer);
      socket.disconnect();
      reject(err);
    });
  });
}

/** Tries to connect and returns the connect_error message, or fails if the socket is accepted. */
export function refusal(url: string, o: ConnectOptions): Promise<string> {
  const socket = open(url, o);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.disconnect();
      reject(new Error("neither connected nor refused within 5 s"));
    }, 5000);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.disconnect();
      reject(new Error("the socket was accepted"));
    });
    socket.once("connect_error", (err: Error) => {
      clearTimeout(timer);
      socket.disconnect();
      resolve(err.message);
    });
  });
}
