import { useTranslation } from "react-i18next";
import { Modal } from "./Modal";

interface Props {
  title: string;
  body: string;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onClose: () => void;
}

export function ConfirmDialog({ title, body, confirmLabel, danger, busy, onConfirm, onClose }: Props) {
  const { t } = useTranslation();
  return (
    <Modal
      title={title}
      onClose={onClose}
      className="modal-narrow"
      footer={
        <>
          <button type="button" className="btn" onClick={onClose} autoFocus>
            {t("common.cancel")}
          </button>
          <button type="button" className={danger ? "btn btn-danger" : "btn btn-primary"} onClick={onConfirm} disabled={busy}>
            {confirmLabel}
          </button>
        </>
      }
    >
      <p>{body}</p>
    </Modal>
  );
}
