/** The outcome of a batch action: the summary, and each failed conversation with the server's reason (VIEW-47, VIEW-50, VIEW-57). */
import { useTranslation } from "react-i18next";
import type { BatchResult } from "../types";
import { Modal } from "./Modal";

export function BatchResultDialog({ result, names, onClose }: { result: BatchResult; names: Map<string, string>; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const summary = i18n.language.startsWith("en")
    ? t("batch.summary", { action: t(`batchAction.${result.action}`), succeeded: result.succeeded, failed: result.failed })
    : result.summary;
  const failed = result.results.filter((r) => !r.ok);
  return (
    <Modal
      title={t("batch.resultTitle")}
      onClose={onClose}
      className="modal-narrow"
      footer={
        <button type="button" className="btn btn-primary" onClick={onClose} autoFocus>
          {t("common.close")}
        </button>
      }
    >
      <p className="batch-summary">{summary}</p>
      {failed.length > 0 && (
        <>
          <h3 className="section-title">{t("batch.failedReasons")}</h3>
          <ul className="failure-list">
            {failed.map((r) => (
              <li key={r.id}>
                <span className="failure-name">{names.get(r.id) ?? r.id.slice(0, 8)}</span>
                <span className="failure-reason">{r.error?.message}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </Modal>
  );
}
