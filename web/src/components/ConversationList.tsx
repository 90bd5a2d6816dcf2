/**
 * The conversation list: virtualised rows of fixed height (no layout jumps),
 * the next page loaded when the end comes into view, ↑ / ↓ to move between
 * conversations.
 */
import { useEffect, useRef, type KeyboardEvent, type ReactNode } from "react";
import type { InfiniteData, UseInfiniteQueryResult } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useTranslation } from "react-i18next";
import type { ViewKey } from "../domain";
import { useErrorText } from "../hooks/useErrorText";
import { useMinuteClock } from "../hooks/useNow";
import type { Conversation, ConversationPage } from "../types";
import { ConversationRow } from "./ConversationRow";

export const ROW_HEIGHT = 80;

interface Props {
  view: ViewKey;
  items: Conversation[];
  query: UseInfiniteQueryResult<InfiniteData<ConversationPage>>;
  openId: string | null;
  onOpen: (id: string) => void;
  selectable: boolean;
  selected: ReadonlySet<string>;
  onSelectionChange: (s: ReadonlySet<string>) => void;
  filtered: boolean;
}

export function ConversationList({ view, items, query, openId, onOpen, selectable, selected, onSelectionChange, filtered }: Props) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const now = useMinuteClock();
  const scrollRef = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;

  const virtualizer = useVirtualizer({
    count: items.length + (hasNextPage ? 1 : 0),
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    useFlushSync: false,
    getItemKey: (i) => items[i]?.id ?? "more",
  });
  const rows = virtualizer.getVirtualItems();
  const lastIndex = rows.length ? rows[rows.length - 1].index : -1;

  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastIndex >= items.length - 1) void fetchNextPage();
  }, [lastIndex, items.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  // A new view starts at the top.
  useEffect(() => {
    scrollRef.current?.scrollTo({ top: 0 });
  }, [view]);

  const focusRow = (id: string) =>
    requestAnimationFrame(() => scrollRef.current?.querySelector<HTMLElement>(`[data-id="${id}"] .row-main`)?.focus());

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (!items.length || e.altKey || e.ctrlKey || e.metaKey) return;
    const at = items.findIndex((c) => c.id === openId);
    let next: number | null = null;
    if (e.key === "ArrowDown" || e.key === "j") next = Math.min(items.length - 1, at + 1);
    else if (e.key === "ArrowUp" || e.key === "k") next = Math.max(0, at < 0 ? 0 : at - 1);
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = items.length - 1;
    if (next === null || (e.target as HTMLElement).tagName === "SELECT") return;
    e.preventDefault();
    const id = items[next].id;
    virtualizer.scrollToIndex(next, { align: "auto" });
    if (id !== openId) onOpen(id);
    focusRow(id);
  }

  const toggle = (id: string) => {
    const s = new Set(selected);
    if (s.has(id)) s.delete(id);
    else s.add(id);
    onSelectionChange(s);
  };

  let status: ReactNode = null;
  if (query.isPending) status = <SkeletonRows />;
  else if (query.isError && !items.length)
    status = (
      <div className="list-empty" role="alert">
        <p>{t("list.loadFailed")}</p>
        <p className="muted small">{errorText(query.error)}</p>
        <button type="button" className="btn btn-small" onClick={() => void query.refetch()}>
          {t("app.retry")}
        </button>
      </div>
    );
  else if (!items.length) status = <div className="list-empty muted">{filtered ? t("list.emptyFiltered") : t("list.empty")}</div>;

  return (
    <div ref={scrollRef} className="list-scroll" onKeyDown={onKeyDown} aria-busy={query.isFetching}>
      {status ?? (
        <div role="list" aria-label={t("list.label")} className="list-canvas" style={{ height: virtualizer.getTotalSize() }}>
          {rows.map((r) => {
            const c = items[r.index];
            const style = { height: r.size, transform: `translateY(${r.start}px)` };
            if (!c)
              return (
                <div key="more" role="listitem" className="row-more muted" style={style}>
                  {t("list.loadingMore")}
                </div>
              );
            return (
              <ConversationRow
                key={c.id}
                conversation={c}
                style={style}
                now={now}
                open={c.id === openId}
                selectable={selectable}
                selected={selected.has(c.id)}
                onOpen={onOpen}
                onToggle={toggle}
                position={r.index + 1}
                setSize={items.length}
              />
            );
          })}
        </div>
      )}
    </div>
  );
}

function SkeletonRows() {
  return (
    <div aria-hidden="true">
      {Array.from({ length: 7 }, (_, i) => (
        <div key={i} className="row row-skeleton" style={{ height: ROW_HEIGHT }}>
          <span className="sk sk-avatar" />
          <span className="sk-lines">
            <span className="sk sk-line" />
            <span className="sk sk-line short" />
          </span>
        </div>
      ))}
    </div>
  );
}
