/** Under an outbound message: 發送中 / 已送出 / 已收到 / 已讀 / 傳送失敗 with the reason (STAT-1, STAT-8, STAT-14). */
import { useTranslation } from "react-i18next";
import { STATUS_TEXT, localized, type DeliveryStatus as Status } from "../domain";
import type { Message } from "../types";

const MARK: Record<Status, string> = { sending: "◌", sent: "✓", received: "✓✓", read: "✓✓", failed: "!" };

export function DeliveryStatus({ message: m, onRetry, onDiscard }: { message: Message; onRetry: (m: Message) => void; onDiscard: (m: Message) => void }) {
  const { t, i18n } = useTranslation();
  const failedLocally = m.local?.state === "failed";
  const status: Status | null = failedLocally ? "failed" : m.local ? "sending" : m.status;
  if (!status) return <div className="msg-status" />;
  const reason = failedLocally ? m.local?.error : status === "failed" ? m.statusReason : null;
  return (
    <div className={`msg-status status-${status}`}>
      <span className="status-mark" aria-hidden="true">
        {MARK[status]}
      </span>
      <span>{localized(STATUS_TEXT[status], i18n.language)}</span>
      {reason && <span className="status-reason">:{reason}</span>}
      {failedLocally && (
        <>
          <button type="button" className="link-btn" onClick={() => onRetry(m)}>
            {t("messages.retry")}
          </button>
          <button type="button" className="link-btn muted" onClick={() => onDiscard(m)}>
            {t("messages.discard")}
          </button>
        </>
      )}
    </div>
  );
}
