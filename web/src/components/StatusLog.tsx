/** 事件狀態紀錄: each event with its date and time (LIFE-40..LIFE-42). */
import { useTranslation } from "react-i18next";
import { useStatusLog } from "../hooks/queries";
import { useErrorText } from "../hooks/useErrorText";
import { fullTime } from "../util";

export function StatusLog({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const log = useStatusLog(id);
  return (
    <section className="status-log" aria-labelledby="status-log-title">
      <h3 className="section-title" id="status-log-title">
        {t("panel.statusLog")}
      </h3>
      {log.isPending ? (
        <p className="muted small">{t("app.loading")}</p>
      ) : log.isError ? (
        <p className="muted small" role="alert">
          {t("panel.statusLogFailed")}: {errorText(log.error)}
        </p>
      ) : log.data.length === 0 ? (
        <p className="muted small">{t("panel.statusLogEmpty")}</p>
      ) : (
        <ol className="timeline">
          {log.data.map((e) => (
            <li key={e.id}>
              <time dateTime={e.at}>{fullTime(e.at, i18n.language)}</time>
              <span className="timeline-text">{e.text}</span>
              <span className="timeline-actor">{e.actor?.name ?? t("panel.system")}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
