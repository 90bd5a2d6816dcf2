/**
 * Search (VIEW-29..VIEW-37) over the list column: 「依客人資料」 (name,
 * phone, email, note, message content, or a tag picked from the team's
 * tags) and 「依成員資料搜尋」 (role, member), combined with AND. Results
 * come from every view the member may see, newest last message first, and
 * open the conversation in its current view.
 */
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { ROLES, ROLE_NAMES, localized, type Role, type ViewKey } from "../domain";
import { useMembers, useSearch } from "../hooks/queries";
import { useDebounced } from "../hooks/useDebounced";
import { useErrorText } from "../hooks/useErrorText";
import { useMinuteClock } from "../hooks/useNow";
import { inboxPath, navigate } from "../router";
import { toast } from "../toast";
import type { Conversation, SearchCriteria, Tag } from "../types";
import { ROW_HEIGHT } from "./ConversationList";
import { ConversationRow } from "./ConversationRow";
import { Icon } from "./Icon";
import { TagPicker } from "./TagPicker";

const FIELDS = ["name", "phone", "email", "note", "message", "tag"] as const;
type Field = (typeof FIELDS)[number];
const ROW_STYLE = { position: "relative", height: ROW_HEIGHT } as const;

interface Props {
  views: ViewKey[];
  openId: string | null;
  onClose: () => void;
}

export function SearchPanel({ views, openId, onClose }: Props) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const now = useMinuteClock();
  const [field, setField] = useState<Field>("name");
  const [text, setText] = useState("");
  const [tag, setTag] = useState<Pick<Tag, "id" | "name"> | null>(null);
  const [role, setRole] = useState<Role | "">("");
  const [memberId, setMemberId] = useState("");
  const members = useMembers({ q: "", role: "" }, true).data ?? [];
  const typed = useDebounced(text.trim(), 300);

  const criteria = useMemo<SearchCriteria | null>(() => {
    const c: SearchCriteria = {};
    if (field === "tag") {
      if (tag) c.tagId = tag.id;
    } else if (typed) c[field] = typed;
    if (role) c.role = role;
    if (memberId) c.memberId = memberId;
    return Object.keys(c).length ? c : null;
  }, [field, typed, tag, role, memberId]);

  const search = useSearch(criteria);
  const items = search.data?.pages.flatMap((p) => p.items) ?? [];

  const open = (id: string) => {
    const c = items.find((x) => x.id === id);
    if (!c) return;
    if ((views as string[]).includes(c.view)) navigate(inboxPath(c.view, c.id));
    else toast(t("search.noPermission"), "error");
  };

  return (
    <div className="search-panel" role="search" aria-label={t("search.title")}>
      <div className="search-head">
        <h2 className="list-title">{t("search.title")}</h2>
        <button type="button" className="icon-btn" aria-label={t("search.close")} title={t("search.close")} onClick={onClose}>
          <Icon name="close" />
        </button>
      </div>
      <div className="search-form" onKeyDown={(e) => e.key === "Escape" && onClose()}>
        <fieldset className="search-group">
          <legend>{t("search.byCustomer")}</legend>
          <div className="control-row">
            <label className="control">
              <span className="sr-only">{t("search.field")}</span>
              <select value={field} onChange={(e) => setField(e.target.value as Field)}>
                {FIELDS.map((f) => (
                  <option key={f} value={f}>
                    {t(`search.fields.${f}`)}
                  </option>
                ))}
              </select>
            </label>
            {field === "tag" ? (
              <TagPicker value={tag} onChange={setTag} />
            ) : (
              <label className="control grow">
                <span className="sr-only">{t(`search.fields.${field}`)}</span>
                <input type="search" value={text} placeholder={t("search.placeholder")} autoFocus onChange={(e) => setText(e.target.value)} />
              </label>
            )}
          </div>
        </fieldset>
        <fieldset className="search-group">
          <legend>{t("search.byMember")}</legend>
          <div className="control-row">
            <label className="control">
              <span className="sr-only">{t("search.role")}</span>
              <select value={role} onChange={(e) => setRole(e.target.value as Role | "")}>
                <option value="">{t("search.anyRole")}</option>
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {localized(ROLE_NAMES[r], i18n.language)}
                  </option>
                ))}
              </select>
            </label>
            <label className="control grow">
              <span className="sr-only">{t("search.member")}</span>
              <select value={memberId} onChange={(e) => setMemberId(e.target.value)}>
                <option value="">{t("search.anyMember")}</option>
                {members.map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.name}
                  </option>
                ))}
              </select>
            </label>
          </div>
        </fieldset>
      </div>
      <div className="list-scroll search-results" aria-busy={search.isFetching}>
        {!criteria ? (
          <p className="list-empty muted">{t("search.needCriteria")}</p>
        ) : search.isPending ? (
          <p className="list-empty muted">{t("search.searching")}</p>
        ) : search.isError ? (
          <p className="list-empty" role="alert">
            {errorText(search.error)}
          </p>
        ) : !items.length ? (
          <p className="list-empty muted">{t("search.empty")}</p>
        ) : (
          <>
            <p className="search-count muted small" role="status">
              {t("search.count", { count: items.length })}
              {search.hasNextPage ? "+" : ""}
            </p>
            <div role="list" aria-label={t("search.results")}>
              {items.map((c: Conversation, i) => (
                <ConversationRow key={c.id} conversation={c} style={ROW_STYLE} now={now} open={c.id === openId} selectable={false} selected={false} onOpen={open} onToggle={noop} position={i + 1} setSize={items.length} />
              ))}
            </div>
            {search.hasNextPage && (
              <div className="search-more">
                <button type="button" className="btn btn-small" disabled={search.isFetchingNextPage} onClick={() => void search.fetchNextPage()}>
                  {search.isFetchingNextPage ? t("list.loadingMore") : t("search.more")}
                </button>
              </div>
            )}
          </>
        )}
      </div>
    </div>
  );
}

const noop = () => {};
