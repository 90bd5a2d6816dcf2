/**
 * Replies the server has not accepted yet, per conversation. Each carries
 * the clientMessageId it is posted with, so a retry is recognised by the
 * server and never sends the message twice.
 */
import { useSyncExternalStore } from "react";
import type { Message } from "../types";

const EMPTY: Message[] = [];
let store = new Map<string, Message[]>();
const listeners = new Set<() => void>();

function set(conversationId: string, list: Message[]): void {
  store = new Map(store);
  if (list.length) store.set(conversationId, list);
  else store.delete(conversationId);
  listeners.forEach((l) => l());
}

export const outbox = {
  add(m: Message): void {
    set(m.conversationId, [...(store.get(m.conversationId) ?? []), m]);
  },
  update(conversationId: string, clientMessageId: string, patch: Partial<Message>): void {
    set(conversationId, (store.get(conversationId) ?? []).map((m) => (m.clientMessageId === clientMessageId ? { ...m, ...patch } : m)));
  },
  remove(conversationId: string, clientMessageId: string): void {
    set(conversationId, (store.get(conversationId) ?? []).filter((m) => m.clientMessageId !== clientMessageId));
  },
};

export function useOutbox(conversationId: string): Message[] {
  return useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    () => store.get(conversationId) ?? EMPTY,
  );
}
