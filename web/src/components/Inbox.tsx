/**
 * The signed-in console: header, views with counts, the conversation list
 * with its filters and batch actions, the open conversation and the
 * customer panel. The route (/inbox/:view/:id) is the state of what is open.
 */
import { useCallback, useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { can, type ViewKey } from "../domain";
import { DEFAULT_FILTERS, batchActionsFor, effectiveFilters } from "../filters";
import { useChannelChoice } from "../hooks/useChannelChoice";
import { useConversationList } from "../hooks/queries";
import { useRealtime } from "../hooks/useRealtime";
import { inboxPath, navigate, parseInboxPath, usePath } from "../router";
import { toast } from "../toast";
import type { Conversation, ConversationAction, ListFilters, Me } from "../types";
import { AppHeader } from "./AppHeader";
import { ConnectionBanner } from "./ConnectionBanner";
import { ChannelFilter } from "./ChannelFilter";
import { ViewNav } from "./ViewNav";
import { ListControls } from "./ListControls";
import { ListHeader } from "./ListHeader";
import { BatchBar } from "./BatchBar";
import { ConversationList } from "./ConversationList";
import { ConversationPane } from "./ConversationPane";
import { CustomerPanel } from "./CustomerPanel";
import { EmptyPane } from "./EmptyPane";
import { Icon } from "./Icon";
import { SearchPanel } from "./SearchPanel";

/** After these actions the member works on in the conversation's new view. */
const FOLLOW_INTO_NEW_VIEW: ConversationAction[] = ["follow", "take_over", "reopen"];

export function Inbox({ me, member }: { me: Me; member: NonNullable<Me["member"]> }) {
  const { t } = useTranslation();
  const path = usePath();
  const route = parseInboxPath(path);
  const views = me.views;
  const view: ViewKey = route.view && (views as string[]).includes(route.view) ? (route.view as ViewKey) : views[0];
  const openId = route.view === view ? route.conversationId : null;

  useEffect(() => {
    const target = inboxPath(view, openId);
    if (path !== target) navigate(target, { replace: true });
  }, [path, view, openId]);

  const [channelId, setChannelId] = useChannelChoice(member.id);
  const [filters, setFilters] = useState<ListFilters>(DEFAULT_FILTERS);
  const canUseGroups = can(member.role, "use_groups");
  const params = useMemo(() => effectiveFilters(view, filters, canUseGroups), [view, filters, canUseGroups]);
  const list = useConversationList(view, channelId, params);
  const items = useMemo(() => {
    const seen = new Set<string>();
    const out: Conversation[] = [];
    for (const p of list.data?.pages ?? []) for (const c of p.items) if (!seen.has(c.id)) (seen.add(c.id), out.push(c));
    return out;
  }, [list.data]);

  // The selection belongs to one list: a new view, channel or filter starts empty.
  const [selected, setSelected] = useState<ReadonlySet<string>>(() => new Set());
  const listKey = JSON.stringify([view, channelId, params]);
  useEffect(() => setSelected(new Set()), [listKey]);
  // Conversations that left the list leave the selection.
  useEffect(() => {
    setSelected((s) => {
      if (s.size === 0) return s;
      const ids = new Set(items.map((c) => c.id));
      const kept = [...s].filter((id) => ids.has(id));
      return kept.length === s.size ? s : new Set(kept);
    });
  }, [items]);

  const selectable = batchActionsFor(view, member.role).length > 0;
  const open = useCallback((id: string | null) => navigate(inboxPath(view, id)), [view]);
  const onMoved = useCallback(
    (conv: Conversation | null, action: ConversationAction) => {
      if (!conv) navigate(inboxPath(view), { replace: true });
      else if (conv.view !== view && FOLLOW_INTO_NEW_VIEW.includes(action) && (views as string[]).includes(conv.view)) navigate(inboxPath(conv.view, conv.id));
    },
    [view, views],
  );

  // Search over the list (VIEW-29); 「/」 opens it from anywhere but a text field.
  const [searching, setSearching] = useState(false);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement;
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || el.closest("input, textarea, select, [contenteditable=true], dialog")) return;
      e.preventDefault();
      setSearching(true);
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  useRealtime(openId, () => {
    toast(t("pane.deleted"), "info");
    navigate(inboxPath(view), { replace: true });
  });

  return (
    <div className="app">
      <AppHeader me={me} member={member} />
      <ConnectionBanner />
      <div className={openId ? "workspace has-panel" : "workspace"}>
        <nav className="sidebar" aria-label={t("nav.label")}>
          <ChannelFilter value={channelId} onChange={setChannelId} />
          <ViewNav views={views} current={view} channelId={channelId} />
        </nav>
        <section className="list-column" aria-label={t("list.label")}>
          {searching ? (
            <SearchPanel views={views} openId={openId} onClose={() => setSearching(false)} />
          ) : (
            <>
              <button type="button" className="search-launch" onClick={() => setSearching(true)} aria-keyshortcuts="/">
                <Icon name="search" />
                <span>{t("search.open")}</span>
                <kbd aria-hidden="true">/</kbd>
              </button>
              <ListHeader view={view} channelId={channelId} selectable={selectable} items={items} selected={selected} onSelectionChange={setSelected} />
              <div className="list-toolbar">
                <ListControls view={view} filters={filters} onChange={setFilters} canUseGroups={canUseGroups} />
                <BatchBar view={view} role={member.role} memberId={member.id} items={items} selected={selected} onSelectionChange={setSelected} />
              </div>
              <ConversationList
                view={view}
                items={items}
                query={list}
                openId={openId}
                onOpen={open}
                selectable={selectable}
                selected={selected}
                onSelectionChange={setSelected}
                filtered={JSON.stringify(params) !== JSON.stringify(effectiveFilters(view, DEFAULT_FILTERS, canUseGroups))}
              />
            </>
          )}
        </section>
        <main className="pane" id="main">
          {openId ? <ConversationPane key={openId} id={openId} member={member} onMoved={onMoved} /> : <EmptyPane />}
        </main>
        {openId && <CustomerPanel key={openId} id={openId} member={member} />}
      </div>
    </div>
  );
}
