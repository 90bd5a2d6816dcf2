/**
 * The Socket.IO stream. A socket joins rooms for its workspace, its member,
 * and the role groups that see team views or groups; each event is sent only
 * to the rooms of the members allowed to see it (VIEW-5). With REDIS_URL the
 * Redis adapter carries events between server processes.
 */
import type { Server as HttpServer } from "node:http";
import { Server, type Socket } from "socket.io";
import { createAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";
import type { AppContext, Publisher } from "../context.js";
import type { RealtimeEvent } from "./events.js";
import { authenticate, hashToken } from "../usecases/auth.js";
import { can } from "../domain/roles.js";
import { SESSION_COOKIE } from "../api/http.js";

const room = {
  workspace: (w: string) => `ws:${w}`,
  groups: (w: string) => `ws:${w}:groups`,
  team: (w: string) => `ws:${w}:team`,
  member: (w: string, m: string) => `ws:${w}:m:${m}`,
  session: (w: string, h: string) => `ws:${w}:s:${h}`,
};

/** The rooms an event goes to. Exported for tests of the visibility rule. */
export function roomsFor(e: RealtimeEvent): string[] {
  const w = e.workspaceId;
  const a = e.audience;
  if (a.kind === "workspace") return [room.workspace(w)];
  if (a.kind === "members") return a.memberIds.map((m) => room.member(w, m));
  if (a.kind === "session") return [room.session(w, a.tokenHash)];
  const rooms = new Set<string>();
  for (const v of a.visibleTo) {
    if (v.state === "pending") rooms.add(a.kindOfConversation === "group" ? room.groups(w) : room.workspace(w));
    else {
      rooms.add(room.team(w));
      for (const m of v.participantIds) rooms.add(room.member(w, m));
    }
  }
  return [...rooms];
}

function cookieToken(header: string | undefined): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === SESSION_COOKIE) return decodeURIComponent(v.join("="));
  }
  return null;
}

export interface Realtime extends Publisher {
  io: Server;
  close(): Promise<void>;
}

/** Connection attempts at start-up before giving up on an unreachable Redis (about 3 s in all). */
const STARTUP_ATTEMPTS = 5;

type RedisClient = ReturnType<typeof createClient>;

/**
 * The adapter's two Redis connections. At start-up an unreachable Redis is an
 * error with a clear message (not a silent, endless wait); once connected,
 * they reconnect forever: while Redis is down each process keeps serving its
 * own sockets.
 */
async function connectRedis(redisUrl: string): Promise<[RedisClient, RedisClient]> {
  let started = false;
  const reconnectStrategy = (n: number, cause: Error) =>
    !started && n + 1 >= STARTUP_ATTEMPTS ? new Error(cause?.message ?? "connection failed") : Math.min(100 * 2 ** n, 5000);
  const pub = createClient({ url: redisUrl, socket: { reconnectStrategy } });
  const sub = pub.duplicate();
  pub.on("error", () => {});
  sub.on("error", () => {});
  // The Redis adapter does not handle the promise of its publishes: a publish waiting for its
  // reply when Redis dies would be an unhandled rejection. Events lost while Redis is down
  // are lost by design (clients resync on reconnect).
  const publish = pub.publish.bind(pub);
  pub.publish = ((...args: Parameters<typeof publish>) => publish(...args).catch(() => 0)) as typeof pub.publish;
  const results = await Promise.allSettled([pub.connect(), sub.connect()]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) {
    await Promise.all([pub, sub].map((c) => (c.isOpen ? c.disconnect().catch(() => {}) : undefined)));
    const u = new URL(redisUrl);
    const reason = failed.reason instanceof Error ? failed.reason.message : String(failed.reason);
    throw new Error(`REDIS_URL is set but Redis at ${u.hostname}:${u.port || 6379} is unreachable (${reason})`);
  }
  started = true;
  return [pub, sub];
}

export async function attachRealtime(http: HttpServer, ctx: AppContext, redisUrl?: string): Promise<Realtime> {
  const clients = redisUrl ? await connectRedis(redisUrl) : [];
  const io = new Server(http, { path: "/socket.io", serveClient: false, cors: { origin: false } });
  if (clients.length === 2) io.adapter(createAdapter(clients[0], clients[1]));

  io.use(async (socket: Socket, next) => {
    try {
      const given = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      // A token that is not a string is no token (it must not reach hashing and report "unavailable").
      const token = given === undefined || given === null ? cookieToken(socket.handshake.headers.cookie) : typeof given === "string" ? given : null;
      const actor = token ? await authenticate(ctx, token) : null;
      if (!actor || actor.integration) return next(new Error("unauthorized"));
      socket.data.actor = actor;
      socket.data.tokenHash = hashToken(token!);
      next();
    } catch {
      next(new Error("unavailable"));
    }
  });

  io.on("connection", (socket) => {
    const a = socket.data.actor as { workspaceId: string; memberId: string; role: Parameters<typeof can>[0] };
    const rooms = [room.workspace(a.workspaceId), room.member(a.workspaceId, a.memberId), room.session(a.workspaceId, socket.data.tokenHash as string)];
    if (can(a.role, "use_groups")) rooms.push(room.groups(a.workspaceId));
    if (can(a.role, "view_team")) rooms.push(room.team(a.workspaceId));
    void socket.join(rooms);
    socket.emit("ready", { memberId: a.memberId });
  });

  return {
    io,
    publish(events: RealtimeEvent[]) {
      for (const e of events) {
        const rooms = roomsFor(e);
        // io.to([]) would broadcast to every socket of every workspace: an empty audience hears nothing.
        if (!rooms.length) continue;
        // A member who lost access loses their open sockets too, in every process (the adapter relays it).
        if (e.name === "member.revoked") io.in(rooms).disconnectSockets(true);
        else io.to(rooms).emit(e.name, e.data);
      }
    },
    async close() {
      io.disconnectSockets(true);
      await new Promise<void>((r) => io.close(() => r()));
      for (const c of clients) await c.quit().catch(() => {});
    },
  };
}
