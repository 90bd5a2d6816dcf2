/** The views the member may see (GET /api/me → views) with live counts (VIEW-1, VIEW-2, VIEW-4). */
import type { MouseEvent } from "react";
import { useTranslation } from "react-i18next";
import { VIEW_NAMES, localized, type ViewKey } from "../domain";
import { useCounts } from "../hooks/queries";
import { inboxPath, navigate } from "../router";

const GROUPS: { key: "pending" | "processing" | "closed"; views: ViewKey[] }[] = [
  { key: "pending", views: ["pending_human", "pending_bot"] },
  { key: "processing", views: ["my_processing", "team_processing"] },
  { key: "closed", views: ["my_closed", "team_closed"] },
];

export function ViewNav({ views, current, channelId }: { views: ViewKey[]; current: ViewKey; channelId: string | null }) {
  const { t, i18n } = useTranslation();
  const counts = useCounts(channelId).data;

  const follow = (e: MouseEvent<HTMLAnchorElement>, view: ViewKey) => {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || e.button !== 0) return;
    e.preventDefault();
    navigate(inboxPath(view));
  };

  return (
    <div className="view-nav">
      {GROUPS.map((g) => {
        const visible = g.views.filter((v) => views.includes(v));
        if (!visible.length) return null;
        return (
          <div className="nav-group" key={g.key}>
            <h2 className="nav-group-title" id={`nav-${g.key}`}>
              {t(`nav.${g.key}`)}
            </h2>
            <ul aria-labelledby={`nav-${g.key}`}>
              {visible.map((v) => {
                const n = counts?.[v];
                const unread = v === "my_processing" ? (counts?.my_unread_conversations ?? 0) : 0;
                return (
                  <li key={v}>
                    <a href={inboxPath(v)} className="nav-item" aria-current={v === current ? "page" : undefined} onClick={(e) => follow(e, v)}>
                      <span className="nav-name">{localized(VIEW_NAMES[v], i18n.language)}</span>
                      {unread > 0 && <span className="nav-dot" title={t("nav.unread", { count: unread })} aria-label={t("nav.unread", { count: unread })} />}
                      <span className="nav-count" aria-label={n == null ? undefined : t("nav.count", { count: n })}>
                        {n ?? ""}
                      </span>
                    </a>
                  </li>
                );
              })}
            </ul>
          </div>
        );
      })}
    </div>
  );
}
