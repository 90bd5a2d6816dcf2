/** Sort and filters of the current view's state (VIEW-9..VIEW-15). */
import { useTranslation } from "react-i18next";
import type { ViewKey } from "../domain";
import { groupOf, sortOptions, type SortOption } from "../filters";
import type { ListFilters, SortKey } from "../types";

/** i18next reads ":" as a namespace separator, so the keys use "_". */
const SORT_LABEL = {
  "last_message:desc": "sort.last_message_desc",
  "last_message:asc": "sort.last_message_asc",
  "follow_time:desc": "sort.follow_time_desc",
  "follow_time:asc": "sort.follow_time_asc",
  "waiting:asc": "sort.waiting_asc",
} as const satisfies Record<SortOption, string>;

interface Props {
  view: ViewKey;
  filters: ListFilters;
  onChange: (f: ListFilters) => void;
  canUseGroups: boolean;
}

export function ListControls({ view, filters, onChange, canUseGroups }: Props) {
  const { t } = useTranslation();
  const group = groupOf(view);
  const options = sortOptions(view);
  const set = (patch: Partial<ListFilters>) => onChange({ ...filters, ...patch });
  const current = `${filters.sort}:${filters.sort === "waiting" ? "asc" : filters.order}` as SortOption;
  // VIEW-15: 「超時等候」 lists by waiting time, longest first.
  const shown: SortOption = group === "processing" && filters.overdue ? "waiting:asc" : options.includes(current) ? current : "last_message:desc";

  return (
    <div className="list-controls">
      <div className="control-row">
        {options.length ? (
          <label className="control">
            <span className="sr-only">{t("sort.label")}</span>
            <select
              value={shown}
              disabled={group === "processing" && filters.overdue}
              onChange={(e) => {
                const [sort, order] = e.target.value.split(":") as [SortKey, "asc" | "desc"];
                set({ sort, order });
              }}
            >
              {options.map((o) => (
                <option key={o} value={o}>
                  {t(SORT_LABEL[o])}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <span className="control-note">{t("sort.none")}</span>
        )}
        {canUseGroups && (
          <label className="control">
            <span className="sr-only">{t("filter.type")}</span>
            <select value={filters.type} onChange={(e) => set({ type: e.target.value as ListFilters["type"] })}>
              <option value="all">{t("filter.typeAll")}</option>
              <option value="individual">{t("filter.individual")}</option>
              <option value="group">{t("filter.group")}</option>
            </select>
          </label>
        )}
      </div>
      {group !== "pending" && (
        <div className="control-row">
          <label className="control">
            <span className="sr-only">{t("filter.followType")}</span>
            <select value={filters.followType} onChange={(e) => set({ followType: e.target.value as ListFilters["followType"] })}>
              <option value="all">{t("filter.followAll")}</option>
              <option value="follower_only">{t("filter.followerOnly")}</option>
              <option value="collaborative">{t("filter.collaborative")}</option>
            </select>
          </label>
          {group === "processing" && (
            <fieldset className="chips">
              <legend className="sr-only">{t("filter.other")}</legend>
              <label className={filters.overdue ? "chip chip-on" : "chip"}>
                <input type="checkbox" checked={filters.overdue} onChange={(e) => set({ overdue: e.target.checked })} />
                {t("filter.overdue")}
              </label>
              <label className={filters.unread ? "chip chip-on" : "chip"}>
                <input type="checkbox" checked={filters.unread} onChange={(e) => set({ unread: e.target.checked })} />
                {t("filter.unread")}
              </label>
            </fieldset>
          )}
        </div>
      )}
    </div>
  );
}
