import { useTranslation } from "react-i18next";

export function EmptyPane() {
  const { t } = useTranslation();
  return (
    <div className="empty-pane">
      <div className="empty-illustration" aria-hidden="true" />
      <p className="empty-title">{t("pane.empty")}</p>
      <p className="muted">{t("pane.emptyHint")}</p>
    </div>
  );
}
