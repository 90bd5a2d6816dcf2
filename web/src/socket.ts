/**
 * The Socket.IO connection. It authenticates with the parley_session cookie
 * (same origin), reconnects on its own, and exposes its state so the console
 * can show 「連線已中斷」 with a 「重新連線」 button (ADV-46, ADV-49).
 */
import { useSyncExternalStore } from "react";
import { io, type Socket } from "socket.io-client";
import type { Message } from "./types";

export type ConnectionStatus = "idle" | "connecting" | "connected" | "disconnected";

/** Payloads of src/realtime/events.ts as the server emits them. */
export interface ServerEvents {
  "message.created": (e: { conversationId: string; message: Message }) => void;
  "message.updated": (e: { conversationId: string; message: Message }) => void;
  "conversation.updated": (e: { conversationId: string; state: string; queue: string | null; followerId: string | null; version: number }) => void;
  "conversation.deleted": (e: { conversationId: string }) => void;
  "unread.changed": (e: { conversationId: string }) => void;
  "contact.updated": (e: { contactId: string }) => void;
  "counts.changed": () => void;
  notification: (e: { id?: string; kind: string; text: string; conversationId?: string; contactName?: string }) => void;
  ready: (e: { memberId: string }) => void;
}

let socket: Socket<ServerEvents> | null = null;
let status: ConnectionStatus = "idle";
let connectedBefore = false;
const statusListeners = new Set<() => void>();
const reconnectListeners = new Set<() => void>();
const accessListeners = new Set<(serverClosed: boolean) => void>();

function setStatus(s: ConnectionStatus): void {
  if (s === status) return;
  status = s;
  statusListeners.forEach((l) => l());
}

export function getSocket(): Socket<ServerEvents> {
  if (!socket) {
    socket = io({ path: "/socket.io", autoConnect: false, withCredentials: true, reconnectionDelay: 1000, reconnectionDelayMax: 10_000 });
    socket.on("connect", () => {
      setStatus("connected");
      // After a gap, whatever happened meanwhile must be reloaded.
      if (connectedBefore) reconnectListeners.forEach((l) => l());
      connectedBefore = true;
    });
    socket.on("disconnect", (reason) => {
      setStatus(status === "idle" ? "idle" : "disconnected");
      // The server closes a member's sockets when their access changes (logout elsewhere, deactivation, role change).
      if (reason === "io server disconnect") accessListeners.forEach((l) => l(true));
    });
    socket.on("connect_error", (err) => {
      setStatus("disconnected");
      if (err.message === "unauthorized") accessListeners.forEach((l) => l(false));
    });
  }
  return socket;
}

export function connectSocket(): void {
  const s = getSocket();
  if (s.connected || status === "connecting") return;
  setStatus("connecting");
  s.connect();
}

/** The 「重新連線」 button: a fresh attempt now instead of waiting for the back-off. */
export function reconnectSocket(): void {
  const s = getSocket();
  s.disconnect();
  setStatus("connecting");
  s.connect();
}

/** On logout. */
export function closeSocket(): void {
  setStatus("idle");
  connectedBefore = false;
  socket?.disconnect();
}

export function onReconnected(fn: () => void): () => void {
  reconnectListeners.add(fn);
  return () => reconnectListeners.delete(fn);
}

/** The server refused or closed the connection for access reasons: the session must be checked. */
export function onAccessChanged(fn: (serverClosed: boolean) => void): () => void {
  accessListeners.add(fn);
  return () => accessListeners.delete(fn);
}

export function useConnectionStatus(): ConnectionStatus {
  return useSyncExternalStore(
    (cb) => {
      statusListeners.add(cb);
      return () => statusListeners.delete(cb);
    },
    () => status,
  );
}
