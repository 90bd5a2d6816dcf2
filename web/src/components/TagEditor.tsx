/**
 * The customer's tags (PROF-10..PROF-15): typing lists the team's matching
 * tags; Enter or a click applies one, a new name is created first
 * (PROF-13); a tag the customer already has asks 「要再次貼上此標籤嗎?」 and
 * counts again only after confirming; × removes it. 「標籤頻次」 opens each
 * tag's count for this customer (PROF-16), refreshed after every change.
 */
import { useId, useState, type KeyboardEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { ApiError, api } from "../api";
import { keys, useContact, useTagSuggestions } from "../hooks/queries";
import { useDebounced } from "../hooks/useDebounced";
import { useErrorText } from "../hooks/useErrorText";
import { toast } from "../toast";
import type { Tag } from "../types";
import { cls } from "../util";
import { ConfirmDialog } from "./ConfirmDialog";
import { Icon } from "./Icon";
import { TagFrequencyButton } from "./TagFrequency";

type Choice = { tag: Pick<Tag, "id" | "name"> } | { create: string };

export function TagEditor({ contactId, conversationId }: { contactId: string; conversationId: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const errorText = useErrorText();
  const listId = useId();
  const tags = useContact(contactId).data?.tags ?? [];
  const [q, setQ] = useState("");
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [repeat, setRepeat] = useState<Pick<Tag, "id" | "name"> | null>(null);
  const typed = q.trim();
  const query = useDebounced(typed, 150);
  const found = useTagSuggestions(query).data ?? [];
  const suggestions = typed ? found : [];
  const exact = suggestions.find((s) => s.name.toLowerCase() === typed.toLowerCase());
  const choices: Choice[] = [...suggestions.map((tag) => ({ tag })), ...(typed && !exact && query === typed ? [{ create: typed }] : [])];

  const refresh = () => {
    void qc.invalidateQueries({ queryKey: keys.contact(contactId) });
    void qc.invalidateQueries({ queryKey: keys.tagFrequencyOf(contactId) });
  };

  const apply = useMutation({
    mutationFn: async (v: { choice: Choice; confirmRepeat?: boolean }) => {
      const tag = "tag" in v.choice ? v.choice.tag : await createTag(v.choice.create);
      try {
        await api.applyTag(contactId, tag.id, { confirmRepeat: v.confirmRepeat, conversationId });
        return { tag, repeat: false };
      } catch (e) {
        if (e instanceof ApiError && e.status === 409 && e.details?.needsConfirmation) return { tag, repeat: true };
        throw e;
      }
    },
    onSuccess: (r) => {
      if (r.repeat) setRepeat(r.tag);
      else {
        setRepeat(null);
        setQ("");
        setOpen(false);
      }
      refresh();
    },
    onError: (e) => toast(errorText(e), "error"),
  });

  const remove = useMutation({
    mutationFn: (tagId: string) => api.removeTag(contactId, tagId),
    onSuccess: refresh,
    onError: (e) => toast(errorText(e), "error"),
  });

  const choose = (choice: Choice | undefined) => {
    if (choice && !apply.isPending) apply.mutate({ choice });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (!choices.length) return;
      e.preventDefault();
      setOpen(true);
      setActive((a) => (e.key === "ArrowDown" ? (a + 1) % choices.length : (a - 1 + choices.length) % choices.length));
    } else if (e.key === "Enter") {
      e.preventDefault();
      if (!typed) return;
      // PROF-11: the highlighted suggestion, else the tag of this exact name, else a new one.
      choose(choices[active] ?? (exact ? { tag: exact } : { create: typed }));
    } else if (e.key === "Escape" && open) {
      e.stopPropagation();
      setOpen(false);
    }
  };

  const label = (c: Choice) => ("tag" in c ? c.tag.name : t("tags.create", { name: c.create }));
  const showList = open && typed.length > 0 && choices.length > 0;

  return (
    <section className="tag-editor" aria-labelledby="tags-title">
      <div className="section-head">
        <h3 className="section-title" id="tags-title">
          {t("tags.title")}
        </h3>
        <TagFrequencyButton contactId={contactId} />
      </div>
      {tags.length > 0 && (
        <ul className="tag-chips">
          {tags.map((tag) => (
            <li key={tag.id} className="tag-chip">
              <span>{tag.name}</span>
              {tag.count > 1 && (
                <span className="tag-count" title={t("tags.count", { count: tag.count })}>
                  ×{tag.count}
                </span>
              )}
              <button type="button" className="tag-remove" aria-label={t("tags.remove", { name: tag.name })} disabled={remove.isPending} onClick={() => remove.mutate(tag.id)}>
                <Icon name="close" size={12} />
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="combo">
        <input
          type="text"
          role="combobox"
          aria-label={t("tags.input")}
          aria-expanded={showList}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={showList && active >= 0 ? `${listId}-${active}` : undefined}
          placeholder={t("tags.placeholder")}
          value={q}
          maxLength={50}
          onChange={(e) => {
            setQ(e.target.value);
            setOpen(true);
            setActive(-1);
          }}
          onFocus={() => setOpen(true)}
          onBlur={() => setOpen(false)}
          onKeyDown={onKeyDown}
        />
        {showList && (
          <ul className="combo-list" role="listbox" id={listId} aria-label={t("tags.suggestions")}>
            {choices.map((c, i) => (
              <li
                key={"tag" in c ? c.tag.id : "create"}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === active}
                className={cls("combo-option", i === active && "is-active", "create" in c && "is-create")}
                // mousedown: before the input's blur closes the list.
                onMouseDown={(e) => {
                  e.preventDefault();
                  choose(c);
                }}
              >
                {label(c)}
              </li>
            ))}
          </ul>
        )}
      </div>
      {repeat && (
        <ConfirmDialog
          title={t("tags.repeatTitle")}
          body={t("tags.repeatBody", { name: repeat.name })}
          confirmLabel={t("common.confirm")}
          busy={apply.isPending}
          onClose={() => setRepeat(null)}
          onConfirm={() => apply.mutate({ choice: { tag: repeat }, confirmRepeat: true })}
        />
      )}
    </section>
  );
}

/** PROF-13: a new name becomes a team tag; one created meanwhile (409 with its id) is used as it is. */
async function createTag(name: string): Promise<Pick<Tag, "id" | "name">> {
  try {
    return await api.createTag(name);
  } catch (e) {
    if (e instanceof ApiError && e.status === 409 && typeof e.details?.tagId === "string") return { id: e.details.tagId, name };
    throw e;
  }
}
