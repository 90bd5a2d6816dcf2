/** Search by tag (VIEW-31): pick one of the team's existing tags by typing part of its name. */
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { useTagSuggestions } from "../hooks/queries";
import { useDebounced } from "../hooks/useDebounced";
import type { Tag } from "../types";
import { Icon } from "./Icon";

interface Props {
  value: Pick<Tag, "id" | "name"> | null;
  onChange: (tag: Pick<Tag, "id" | "name"> | null) => void;
}

export function TagPicker({ value, onChange }: Props) {
  const { t } = useTranslation();
  const listId = useId();
  const [q, setQ] = useState("");
  const query = useDebounced(q.trim(), 150);
  const found = useTagSuggestions(query).data ?? [];
  const shown = q.trim() ? found : [];

  if (value)
    return (
      <span className="tag-chip picked">
        <span>{value.name}</span>
        <button type="button" className="tag-remove" aria-label={t("tags.remove", { name: value.name })} onClick={() => onChange(null)}>
          <Icon name="close" size={12} />
        </button>
      </span>
    );

  return (
    <div className="combo control grow">
      <input
        type="text"
        role="combobox"
        aria-label={t("search.pickTag")}
        aria-expanded={shown.length > 0}
        aria-controls={listId}
        placeholder={t("search.pickTag")}
        value={q}
        autoFocus
        onChange={(e) => setQ(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && shown.length) {
            e.preventDefault();
            onChange(shown[0]);
          }
        }}
      />
      {shown.length > 0 && (
        <ul className="combo-list" role="listbox" id={listId}>
          {shown.map((tag) => (
            <li key={tag.id} role="option" aria-selected={false} className="combo-option" onMouseDown={(e) => (e.preventDefault(), onChange(tag))}>
              {tag.name}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
