/**
 * Sort and filter options per view (VIEW-9..VIEW-15): which controls a
 * state offers, and the query parameters actually sent for a view.
 */
import { BATCH_BY_VIEW, batchAllowedForRole, type BatchAction, type Role, type ViewKey } from "./domain";
import type { ListFilters, SortKey } from "./types";

export type ViewGroup = "pending" | "processing" | "closed";

export function groupOf(view: ViewKey): ViewGroup {
  if (view.startsWith("pending")) return "pending";
  return view.endsWith("processing") ? "processing" : "closed";
}

export const DEFAULT_FILTERS: ListFilters = { sort: "last_message", order: "desc", type: "all", followType: "all", overdue: false, unread: false };

export type SortOption = "last_message:desc" | "last_message:asc" | "follow_time:desc" | "follow_time:asc" | "waiting:asc";

/** VIEW-10: pending sorts by last message or waiting time, processing adds follow time, closed has no sort. */
export function sortOptions(view: ViewKey): SortOption[] {
  const g = groupOf(view);
  if (g === "closed") return [];
  const base: SortOption[] = ["last_message:desc", "last_message:asc"];
  if (g === "processing") base.push("follow_time:desc", "follow_time:asc");
  // VIEW-20: the bot queue never shows waiting, so it offers no waiting sort.
  if (view !== "pending_bot") base.push("waiting:asc");
  return base;
}

/** The parameters sent for a view: options the view does not offer are left out. */
export function effectiveFilters(view: ViewKey, f: ListFilters, canUseGroups: boolean): Partial<ListFilters> {
  const g = groupOf(view);
  const out: Partial<ListFilters> = {};
  if (canUseGroups && f.type !== "all") out.type = f.type;
  if (g !== "closed") {
    const option = `${f.sort}:${f.sort === "waiting" ? "asc" : f.order}` as SortOption;
    const [sort, order] = (sortOptions(view).includes(option) ? option : "last_message:desc").split(":") as [SortKey, "asc" | "desc"];
    out.sort = sort;
    out.order = order;
  }
  if (g !== "pending" && f.followType !== "all") out.followType = f.followType;
  if (g === "processing") {
    if (f.overdue) out.overdue = true;
    if (f.unread) out.unread = true;
  }
  return out;
}

/** The batch actions of a view this role may use (VIEW-39..VIEW-41, VIEW-53). */
export function batchActionsFor(view: ViewKey, role: Role): BatchAction[] {
  return BATCH_BY_VIEW[view].filter((a) => batchAllowedForRole(role, a));
}
