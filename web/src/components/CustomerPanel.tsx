/**
 * Right panel (客戶資料): the customer's data behind the eye icon (PROF-4),
 * editable with the pencil (PROF-2), tags (PROF-10..PROF-14), the block
 * toggle and the export (PROF-31, PROF-35), the conversation's facts and
 * its 事件狀態紀錄 (PROF-9).
 */
import { useTranslation } from "react-i18next";
import { VIEW_NAMES, localized } from "../domain";
import { useConversation } from "../hooks/queries";
import { usePanelHidden } from "../hooks/usePanelHidden";
import type { Me } from "../types";
import { fullTime } from "../util";
import { Avatar } from "./Avatar";
import { ConversationTools } from "./ConversationTools";
import { Icon } from "./Icon";
import { ProfileFields } from "./ProfileFields";
import { StatusLog } from "./StatusLog";
import { TagEditor } from "./TagEditor";

export function CustomerPanel({ id, member }: { id: string; member: NonNullable<Me["member"]> }) {
  const { t, i18n } = useTranslation();
  const c = useConversation(id).data;
  const [hidden, setHidden] = usePanelHidden(member.id);
  return (
    <aside className="panel" aria-label={t("panel.label")}>
      <div className="panel-top">
        <h2 className="panel-title">{t("panel.label")}</h2>
        <button type="button" className="icon-btn" aria-pressed={hidden} aria-label={hidden ? t("panel.show") : t("panel.hide")} title={hidden ? t("panel.show") : t("panel.hide")} onClick={() => setHidden(!hidden)}>
          <Icon name={hidden ? "eyeOff" : "eye"} size={18} />
        </button>
      </div>
      {c ? (
        <>
          {hidden ? (
            <p className="panel-hidden muted">{t("panel.hidden")}</p>
          ) : (
            <>
              <div className="panel-profile">
                <Avatar name={c.contact?.name || "?"} platform={c.channel.platform} size="lg" />
                <p className="panel-name">{c.contact?.name || t("pane.customerFallback")}</p>
                <p className="muted small">{`${t(`platform.${c.channel.platform}`)} · ${c.channel.name}`}</p>
              </div>
              {c.contact && (
                <>
                  <ProfileFields contactId={c.contact.id} platform={c.channel.platform} />
                  <TagEditor contactId={c.contact.id} conversationId={c.id} />
                </>
              )}
            </>
          )}
          <ConversationTools conversation={c} member={member} />
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
