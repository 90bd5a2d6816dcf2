/** Query keys of the console, in one place (lists, counts, one conversation, its messages and log…). */
import type { Role, ViewKey } from "../domain";
import type { ListFilters, SearchCriteria } from "../types";

export const keys = {
  me: ["me"] as const,
  preferences: ["preferences"] as const,
  channels: ["channels"] as const,
  counts: ["counts"] as const,
  countsFor: (channelId: string | null) => ["counts", channelId ?? "all"] as const,
  lists: ["conversations"] as const,
  list: (view: ViewKey, channelId: string | null, filters: Partial<ListFilters>) => ["conversations", view, channelId ?? "all", filters] as const,
  conversation: (id: string) => ["conversation", id] as const,
  messages: (id: string) => ["messages", id] as const,
  statusLog: (id: string) => ["status-log", id] as const,
  members: (q: { q: string; role: Role | "" }) => ["members", q] as const,
  allMembers: ["members", "all"] as const,
  workspace: ["workspace"] as const,
  contact: (id: string) => ["contact", id] as const,
  tags: (q: string) => ["tags", q] as const,
  /** Every range of one customer's 標籤頻次 starts with tagFrequencyOf(contactId), to invalidate them together. */
  tagFrequencyOf: (contactId: string) => ["tag-frequency", contactId] as const,
  tagFrequency: (contactId: string, range: { from?: string; to?: string }) => ["tag-frequency", contactId, range.from ?? "", range.to ?? ""] as const,
  search: (c: SearchCriteria) => ["search", c] as const,
};
