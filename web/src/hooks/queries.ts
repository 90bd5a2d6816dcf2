/** The read hooks of the console (TanStack Query); the keys are in keys.ts. */
import { useEffect, useRef } from "react";
import { keepPreviousData, useInfiniteQuery, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { api } from "../api";
import type { Role, ViewKey } from "../domain";
import { keys } from "./keys";
import { findInLists } from "./cache";
import type { Conversation, ListFilters, Me, SearchCriteria } from "../types";

export { keys };

export function useMe() {
  return useQuery({ queryKey: keys.me, queryFn: api.me, staleTime: Infinity, retry: 1 });
}

export function useChannels() {
  return useQuery({ queryKey: keys.channels, queryFn: api.channels, staleTime: 5 * 60_000, select: (d) => d.items });
}

export function useCounts(channelId: string | null) {
  return useQuery({ queryKey: keys.countsFor(channelId), queryFn: () => api.counts(channelId), placeholderData: keepPreviousData });
}

export function useConversationList(view: ViewKey, channelId: string | null, filters: Partial<ListFilters>) {
  return useInfiniteQuery({
    queryKey: keys.list(view, channelId, filters),
    queryFn: ({ pageParam, signal }) => api.conversations({ view, channelId, ...filters, cursor: pageParam, limit: 30 }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** One conversation; the list row it was opened from draws it at once, the fetch brings the rest. */
export function useConversation(id: string) {
  const qc = useQueryClient();
  return useQuery<Conversation, Error, Conversation, ReturnType<typeof keys.conversation>>({
    queryKey: keys.conversation(id),
    queryFn: ({ signal }) => api.conversation(id, signal),
    placeholderData: () => findInLists(qc, id),
  });
}

export function useStatusLog(id: string) {
  return useQuery({ queryKey: keys.statusLog(id), queryFn: ({ signal }) => api.statusLog(id, signal), select: (d) => d.items });
}

export function useMessagePages(id: string) {
  return useInfiniteQuery({
    queryKey: keys.messages(id),
    queryFn: ({ pageParam, signal }) => api.messages(id, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    staleTime: 60_000,
  });
}

/** Every member, for the names of agents in the message list. */
export function useMemberNames() {
  return useQuery({
    queryKey: keys.allMembers,
    queryFn: ({ signal }) => api.members({}, signal),
    staleTime: 5 * 60_000,
    select: (d) => new Map(d.items.map((m) => [m.id, m.name])),
  });
}

export function useMembers(q: { q: string; role: Role | "" }, enabled: boolean) {
  return useQuery({
    queryKey: keys.members(q),
    queryFn: ({ signal }) => api.members({ ...q, active: true }, signal),
    enabled,
    placeholderData: keepPreviousData,
    select: (d) => d.items,
  });
}

/**
 * The channel of a conversation, with its capabilities (MEDIA-3). A channel
 * connected after the list was loaded is fetched once on first sight.
 */
export function useChannel(id: string) {
  const channels = useChannels();
  const channel = channels.data?.find((c) => c.id === id);
  const asked = useRef<string | null>(null);
  const { isSuccess, isFetching, refetch } = channels;
  useEffect(() => {
    if (!isSuccess || channel || isFetching || asked.current === id) return;
    asked.current = id;
    void refetch();
  }, [id, channel, isSuccess, isFetching, refetch]);
  return channel;
}

export function useWorkspace() {
  return useQuery({ queryKey: keys.workspace, queryFn: api.workspace, staleTime: 5 * 60_000 });
}

export function useContact(id: string | null) {
  return useQuery({ queryKey: keys.contact(id ?? "none"), queryFn: ({ signal }) => api.contact(id!, signal), enabled: !!id });
}

/** Tags whose name contains q (PROF-10); none for an empty q. */
export function useTagSuggestions(q: string) {
  return useQuery({ queryKey: keys.tags(q.trim()), queryFn: ({ signal }) => api.tags(q, signal), enabled: q.trim().length > 0, placeholderData: keepPreviousData, select: (d) => d.items });
}

/** 標籤頻次 of a customer (PROF-16): each tag's count and last time, within the range (all time when open-ended). */
export function useTagFrequency(contactId: string, range: { from?: string; to?: string }, enabled = true) {
  return useQuery({
    queryKey: keys.tagFrequency(contactId, range),
    queryFn: ({ signal }) => api.tagFrequency(contactId, range, signal),
    enabled,
    placeholderData: keepPreviousData,
    select: (d) => d.items,
  });
}

/** GET /api/conversations/search, page by page; off while no criterion is given. */
export function useSearch(criteria: SearchCriteria | null) {
  return useInfiniteQuery({
    queryKey: keys.search(criteria ?? {}),
    queryFn: ({ pageParam, signal }) => api.search(criteria!, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: criteria !== null,
    staleTime: 0,
  });
}

/**
 * A new session (login) or none (logout): every cached answer of the previous
 * one goes, and "me" is replaced in place; clearing the whole cache would
 * detach the observer App has on "me".
 */
export function replaceSession(qc: QueryClient, me: Me | null): void {
  qc.removeQueries({ predicate: (q) => q.queryKey[0] !== keys.me[0] });
  qc.setQueryData(keys.me, me);
}
