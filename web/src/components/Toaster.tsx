import { useTranslation } from "react-i18next";
import { dismissToast, useToasts } from "../toast";

export function Toaster() {
  const { t } = useTranslation();
  const toasts = useToasts();
  return (
    <div className="toaster" aria-live="polite" aria-relevant="additions">
      {toasts.map((x) => (
        <div key={x.id} className={`toast toast-${x.kind}`} role={x.kind === "error" ? "alert" : "status"}>
          <span className="toast-text">{x.text}</span>
          <button type="button" className="icon-btn" aria-label={t("common.dismiss")} onClick={() => dismissToast(x.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
