/**
 * The widget's Socket.IO namespace "/widget" (principle 11). A socket is
 * accepted only with a valid visitor token and joins the one room of its
 * (channel, visitor): agent replies and the status changes of those replies
 * are pushed there, on every server process through the same adapter as the
 * console's stream. The frame acknowledges what it got (已收到, STAT-10).
 * Presence (PROF-34): a connected visitor is online; when their last socket
 * is gone (after a short grace, so a page navigation is not a departure)
 * the contact becomes 用戶已離線 and the last page is dropped.
 */
import type { Namespace, Server, Socket } from "socket.io";
import type { AppContext } from "../context.js";
import type { OutboundMessage } from "../channels/types.js";
import type { WebchatEmitter } from "../channels/webchat/adapter.js";
import { WIDGET_EVENTS, WIDGET_NAMESPACE } from "../channels/webchat/contract.js";
import { verifyVisitorToken, widgetSecret, type VisitorClaims } from "../channels/webchat/token.js";
import { deliveredMessage, loadWidgetChannel, markReceived } from "../channels/webchat/visitor.js";
import { markOffline, markOnline } from "../channels/webchat/presence.js";
import { UUID_RE } from "../ids.js";

export interface WidgetNamespaceOptions {
  /** Visitor-token secret; must match the one the widget routes sign with (default: the same). */
  secret?: string;
  /** How long the visitor may be without a socket before they count as offline. */
  offlineGraceMs?: number;
}

export interface WidgetNamespace {
  namespace: Namespace;
  /** What the webchat adapter sends through: setWebchatEmitter(widget.emitter). */
  emitter: WebchatEmitter;
  /** Stops pending offline timers (call before the database closes). */
  close(): void;
}

export const widgetRoom = (channelId: string, visitorId: string) => `wc:${channelId}:${visitorId}`;

const MAX_ACK_IDS = 100;

/** The emitter the webchat adapter uses: it pushes to the visitor's room (on every process). */
export function createWidgetEmitter(nsp: Namespace, ctx: AppContext): WebchatEmitter {
  return {
    async deliver(msg: OutboundMessage) {
      const row = await ctx.db.selectFrom("messages").selectAll().where("id", "=", msg.id).executeTakeFirst();
      const dto = row ? deliveredMessage(row) : null;
      if (row && dto && msg.recipientUserId) nsp.to(widgetRoom(row.channel_id, msg.recipientUserId)).emit(WIDGET_EVENTS.message, dto);
    },
    toVisitor(channelId, visitorId, event, data) {
      nsp.to(widgetRoom(channelId, visitorId)).emit(event, data);
    },
  };
}

export function attachWidgetNamespace(io: Server, ctx: AppContext, o: WidgetNamespaceOptions = {}): WidgetNamespace {
  const secret = o.secret ?? widgetSecret();
  const grace = o.offlineGraceMs ?? 3000;
  const nsp = io.of(WIDGET_NAMESPACE);
  const emitter = createWidgetEmitter(nsp, ctx);
  const offlineTimers = new Map<string, NodeJS.Timeout>();
  // Presence changes of one visitor run one after another in this process (connect vs. a late disconnect).
  const chains = new Map<string, Promise<void>>();
  let closed = false;

  const serial = (room: string, fn: () => Promise<unknown>) => {
    const next = (chains.get(room) ?? Promise.resolve())
      .then(fn)
      .then(
        () => {},
        () => {}, // presence is best effort: a failed update must not break the socket
      );
    chains.set(room, next);
    void next.then(() => {
      if (chains.get(room) === next) chains.delete(room);
    });
  };

  const scheduleOffline = (v: VisitorClaims, room: string) => {
    clearTimeout(offlineTimers.get(room));
    const timer = setTimeout(() => {
      offlineTimers.delete(room);
      if (closed) return;
      serial(room, async () => {
        const left = await nsp.in(room).fetchSockets();
        if (!left.length && !closed) await markOffline(ctx, v);
      });
    }, grace);
    timer.unref();
    offlineTimers.set(room, timer);
  };

  nsp.use(async (socket: Socket, next) => {
    const v = verifyVisitorToken(secret, (socket.handshake.auth as { token?: unknown } | undefined)?.token, ctx.clock.now());
    if (!v) return next(new Error("unauthorized"));
    try {
      const channel = await loadWidgetChannel(ctx.db, v.channelId);
      if (!channel || channel.workspace_id !== v.workspaceId) return next(new Error("unauthorized"));
    } catch {
      return next(new Error("unavailable"));
    }
    socket.data.visitor = v;
    next();
  });

  nsp.on("connection", (socket) => {
    const v = socket.data.visitor as VisitorClaims;
    const room = widgetRoom(v.channelId, v.visitorId);
    void socket.join(room);
    clearTimeout(offlineTimers.get(room));
    offlineTimers.delete(room);
    serial(room, () => markOnline(ctx, v));

    // STAT-4, STAT-10: the frame got these agent messages; the answer comes once they are recorded.
    socket.on(WIDGET_EVENTS.received, async (ids: unknown, ack?: unknown) => {
      const list = Array.isArray(ids) ? [...new Set(ids.filter((x): x is string => typeof x === "string" && UUID_RE.test(x)))].slice(0, MAX_ACK_IDS) : [];
      const reply = typeof ack === "function" ? (ack as (r: unknown) => void) : () => {};
      try {
        const moved = await markReceived(ctx, v, list);
        for (const s of moved) nsp.to(room).emit(WIDGET_EVENTS.status, s);
        reply({ ok: true, received: moved.map((s) => s.id) });
      } catch {
        reply({ ok: false });
      }
    });

    // The token is short-lived; so is the socket it opened (the frame renews its session and reconnects).
    const expiry = setTimeout(() => socket.disconnect(true), Math.min(Math.max(v.exp - ctx.clock.now().getTime(), 0), 2 ** 31 - 1));
    expiry.unref();

    socket.on("disconnect", (reason) => {
      clearTimeout(expiry);
      // A server going down is not the visitor leaving: they reconnect to another process.
      if (reason === "server shutting down" || closed) return;
      scheduleOffline(v, room);
    });

    socket.emit(WIDGET_EVENTS.ready, { visitorId: v.visitorId });
  });

  return {
    namespace: nsp,
    emitter,
    close() {
      closed = true;
      for (const t of offlineTimers.values()) clearTimeout(t);
      offlineTimers.clear();
    },
  };
}
