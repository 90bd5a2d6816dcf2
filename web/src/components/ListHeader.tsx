/**
 * Above the list: 「全選」 (VIEW-42, VIEW-43: every loaded conversation), and
 * the view's name and count, or while rows are selected 「已選擇 N 筆」.
 */
import { useTranslation } from "react-i18next";
import { VIEW_NAMES, localized, type ViewKey } from "../domain";
import { useCounts } from "../hooks/queries";
import type { Conversation } from "../types";

interface Props {
  view: ViewKey;
  channelId: string | null;
  selectable: boolean;
  items: Conversation[];
  selected: ReadonlySet<string>;
  onSelectionChange: (s: ReadonlySet<string>) => void;
}

export function ListHeader({ view, channelId, selectable, items, selected, onSelectionChange }: Props) {
  const { t, i18n } = useTranslation();
  const total = useCounts(channelId).data?.[view];
  const n = selected.size;
  const all = items.length > 0 && items.every((c) => selected.has(c.id));

  return (
    <div className="list-header">
      {selectable && (
        <label className="select-all">
          <input
            type="checkbox"
            aria-label={t("list.selectAll")}
            checked={all}
            disabled={!items.length}
            ref={(el) => {
              if (el) el.indeterminate = n > 0 && !all;
            }}
            onChange={() => onSelectionChange(all ? new Set() : new Set(items.map((c) => c.id)))}
          />
          <span className={n ? "selected-count" : "select-all-text"}>{n ? t("list.selected", { count: n }) : t("list.selectAll")}</span>
        </label>
      )}
      {n === 0 ? (
        <h1 className="list-title">
          <span className="list-title-name">{localized(VIEW_NAMES[view], i18n.language)}</span>
          <span className="count-chip">{total ?? ""}</span>
        </h1>
      ) : (
        <button type="button" className="link-btn clear-selection" onClick={() => onSelectionChange(new Set())}>
          {t("batch.clear")}
        </button>
      )}
    </div>
  );
}
