/**
 * Patches to the query cache from realtime events and mutations, so the
 * console updates without reloading. Messages are keyed by id: an event and
 * a refetch of the same message never show it twice, and a status never
 * moves backwards when answers arrive out of order (STAT-9).
 */
import type { InfiniteData, QueryClient } from "@tanstack/react-query";
import type { Conversation, ConversationPage, Message, MessagePage } from "../types";
import { keys } from "./keys";

const RANK: Record<string, number> = { sending: 0, sent: 1, received: 2, read: 3, failed: 4 };

/**
 * The more advanced of two versions of one message. The quote the message
 * list resolved is kept when the other version (an event, a send's answer)
 * comes without it.
 */
export function newerMessage(a: Message, b: Message): Message {
  const m = advanced(a, b);
  const other = m === a ? b : a;
  return m.quote === undefined && other.quote !== undefined ? { ...m, quote: other.quote } : m;
}

function advanced(a: Message, b: Message): Message {
  const ra = RANK[a.status ?? ""] ?? -1;
  const rb = RANK[b.status ?? ""] ?? -1;
  if (ra !== rb) return rb > ra ? b : a;
  if (a.unsent !== b.unsent) return a.unsent ? a : b;
  return (b.statusAt ?? "") >= (a.statusAt ?? "") ? b : a;
}

export function upsertMessage(qc: QueryClient, m: Message): void {
  qc.setQueryData<InfiniteData<MessagePage>>(keys.messages(m.conversationId), (data) => {
    if (!data || data.pages.length === 0) return data;
    let found = false;
    const pages = data.pages.map((p) => {
      if (!p.items.some((x) => x.id === m.id)) return p;
      found = true;
      return { ...p, items: p.items.map((x) => (x.id === m.id ? newerMessage(x, m) : x)) };
    });
    if (found) return { ...data, pages };
    const [first, ...rest] = data.pages;
    return { ...data, pages: [{ ...first, items: [m, ...first.items] }, ...rest] };
  });
}

/** A message of a conversation, if a loaded page has it. */
export function findMessage(qc: QueryClient, conversationId: string, id: string): Message | undefined {
  for (const p of qc.getQueryData<InfiniteData<MessagePage>>(keys.messages(conversationId))?.pages ?? []) {
    const hit = p.items.find((m) => m.id === id);
    if (hit) return hit;
  }
  return undefined;
}

/** Oldest first, one entry per id. */
export function orderedMessages(pages: MessagePage[] | undefined): Message[] {
  const byId = new Map<string, Message>();
  for (const p of pages ?? []) for (const m of p.items) byId.set(m.id, byId.has(m.id) ? newerMessage(byId.get(m.id)!, m) : m);
  return [...byId.values()].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

type ListData = InfiniteData<ConversationPage>;

function mapListItems(qc: QueryClient, fn: (c: Conversation) => Conversation | null): void {
  qc.setQueriesData<ListData>({ queryKey: keys.lists }, (data) => {
    if (!data) return data;
    let changed = false;
    const pages = data.pages.map((p) => {
      const items: Conversation[] = [];
      for (const c of p.items) {
        const next = fn(c);
        if (next !== c) changed = true;
        if (next) items.push(next);
      }
      return changed ? { ...p, items } : p;
    });
    return changed ? { ...data, pages } : data;
  });
}

/** A new message shows at once in the row's preview; the order follows with the refetch. */
export function patchListsWithMessage(qc: QueryClient, m: Message): void {
  if (m.senderKind === "system") return;
  mapListItems(qc, (c) =>
    c.id === m.conversationId && m.createdAt >= c.lastMessageAt
      ? { ...c, lastMessageAt: m.createdAt, lastMessagePreview: m.text || c.lastMessagePreview, lastMessageSender: m.senderKind }
      : c,
  );
}

export function removeFromLists(qc: QueryClient, ids: Iterable<string>): void {
  const gone = new Set(ids);
  mapListItems(qc, (c) => (gone.has(c.id) ? null : c));
}

/** The member's pin on a conversation, at once in its row and header (ADV-11). */
export function patchPinned(qc: QueryClient, id: string, pinned: boolean): void {
  qc.setQueryData<Conversation>(keys.conversation(id), (c) => (c ? { ...c, pinned } : c));
  mapListItems(qc, (c) => (c.id === id && c.pinned !== pinned ? { ...c, pinned } : c));
}

export function patchConversation(qc: QueryClient, conv: Conversation): void {
  qc.setQueryData(keys.conversation(conv.id), conv);
  mapListItems(qc, (c) => (c.id === conv.id ? conv : c));
}

/** The list row of a conversation, if some loaded list has it (instant header before the fetch). */
export function findInLists(qc: QueryClient, id: string): Conversation | undefined {
  for (const [, data] of qc.getQueriesData<ListData>({ queryKey: keys.lists })) {
    for (const p of data?.pages ?? []) {
      const hit = p.items.find((c) => c.id === id);
      if (hit) return hit;
    }
  }
  return undefined;
}

/** Coalesces bursts of events into one refetch per key. */
export function debouncer(ms = 250) {
  const timers = new Map<string, number>();
  const run = (key: string, fn: () => void) => {
    const t = timers.get(key);
    if (t) window.clearTimeout(t);
    timers.set(
      key,
      window.setTimeout(() => {
        timers.delete(key);
        fn();
      }, ms),
    );
  };
  run.cancel = () => {
    timers.forEach((t) => window.clearTimeout(t));
    timers.clear();
  };
  return run;
}
