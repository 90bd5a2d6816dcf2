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
import { authenticate } from "../usecases/auth.js";
import { can } from "../domain/roles.js";
import { SESSION_COOKIE } from "../api/http.js";

const room = {
  workspace: (w: string) => `ws:${w}`,
  groups: (w: string) => `ws:${w}:groups`,
  team: (w: string) => `ws:${w}:team`,
  member: (w: string, m: string) => `ws:${w}:m:${m}`,
};

/** The rooms an event goes to. Exported for tests of the visibility rule. */
export function roomsFor(e: RealtimeEvent): string[] {
  const w = e.workspaceId;
  const a = e.audience;
  if (a.kind === "workspace") return [room.workspace(w)];
  if (a.kind === "members") return a.memberIds.map((m) => room.member(w, m));
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

export async function attachRealtime(http: HttpServer, ctx: AppContext, redisUrl?: string): Promise<Realtime> {
  const io = new Server(http, { path: "/socket.io", serveClient: false, cors: { origin: false } });
  const clients: { quit(): Promise<unknown> }[] = [];
  if (redisUrl) {
    // Reconnect forever: while Redis is down each process keeps serving its own sockets.
    const pub = createClient({ url: redisUrl, socket: { reconnectStrategy: (n) => Math.min(100 * 2 ** n, 5000) } });
    const sub = pub.duplicate();
    pub.on("error", () => {});
    sub.on("error", () => {});
    await Promise.all([pub.connect(), sub.connect()]);
    io.adapter(createAdapter(pub, sub));
    clients.push(pub, sub);
  }

  io.use(async (socket: Socket, next) => {
    try {
      const token = (socket.handshake.auth as { token?: string })?.token ?? cookieToken(socket.handshake.headers.cookie);
      const actor = token ? await authenticate(ctx, token) : null;
      if (!actor || actor.integration) return next(new Error("unauthorized"));
      socket.data.actor = actor;
      next();
    } catch {
      next(new Error("unavailable"));
    }
  });

  io.on("connection", (socket) => {
    const a = socket.data.actor as { workspaceId: string; memberId: string; role: Parameters<typeof can>[0] };
    const rooms = [room.workspace(a.workspaceId), room.member(a.workspaceId, a.memberId)];
    if (can(a.role, "use_groups")) rooms.push(room.groups(a.workspaceId));
    if (can(a.role, "view_team")) rooms.push(room.team(a.workspaceId));
    void socket.join(rooms);
    socket.emit("ready", { memberId: a.memberId });
  });

  return {
    io,
    publish(events: RealtimeEvent[]) {
      for (const e of events) io.to(roomsFor(e)).emit(e.name, e.data);
    },
    async close() {
      io.disconnectSockets(true);
      await new Promise<void>((r) => io.close(() => r()));
      for (const c of clients) await c.quit().catch(() => {});
    },
  };
}
