/** Right panel (客戶資料): the customer, the channel, the conversation, and its 事件狀態紀錄 (PROF-1, PROF-9). */
import { useTranslation } from "react-i18next";
import { VIEW_NAMES, localized } from "../domain";
import { useConversation } from "../hooks/queries";
import { fullTime } from "../util";
import { Avatar } from "./Avatar";
import { StatusLog } from "./StatusLog";

export function CustomerPanel({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const c = useConversation(id).data;
  return (
    <aside className="panel" aria-label={t("panel.label")}>
      {c ? (
        <>
          <div className="panel-profile">
            <Avatar name={c.contact?.name || "?"} platform={c.channel.platform} size="lg" />
            <h2 className="panel-name">{c.contact?.name || t("pane.customerFallback")}</h2>
            <p className="muted small">{`${t(`platform.${c.channel.platform}`)} · ${c.channel.name}`}</p>
          </div>
          <dl className="facts">
            <dt>{t("panel.channel")}</dt>
            <dd>{c.channel.name}</dd>
            <dt>{t("panel.kind")}</dt>
            <dd>{t(c.kind === "group" ? "panel.group" : "panel.individual")}</dd>
            <dt>{t("panel.view")}</dt>
            <dd>{localized(VIEW_NAMES[c.view], i18n.language)}</dd>
            <dt>{t("panel.follower")}</dt>
            <dd>{c.follower?.name ?? t("panel.none")}</dd>
            <dt>{t("panel.created")}</dt>
            <dd>{fullTime(c.createdAt, i18n.language)}</dd>
          </dl>
          <StatusLog id={id} />
        </>
      ) : (
        <div className="panel-loading" aria-busy="true" />
      )}
    </aside>
  );
}
