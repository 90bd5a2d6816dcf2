/** Attachments on their way: name, progress, cancel; or the reason one was refused. */
import { useTranslation } from "react-i18next";
import type { Upload } from "../hooks/uploads";
import { formatSize } from "../media";
import { Icon } from "./Icon";

export function UploadTray({ uploads }: { uploads: Upload[] }) {
  const { t } = useTranslation();
  if (!uploads.length) return null;
  return (
    <ul className="upload-tray" aria-label={t("composer.uploads")}>
      {uploads.map((u) => {
        const pct = Math.round(u.progress * 100);
        return (
          <li key={u.id} className={u.state === "failed" ? "upload is-failed" : "upload"}>
            <Icon name="file" />
            <span className="upload-name" title={u.fileName}>
              {u.fileName}
            </span>
            <span className="upload-size">{formatSize(u.size)}</span>
            {u.state === "uploading" ? (
              <>
                <span className="upload-bar" role="progressbar" aria-label={t("composer.uploading", { name: u.fileName })} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
                  <span style={{ width: `${pct}%` }} />
                </span>
                <span className="upload-pct">{pct}%</span>
              </>
            ) : (
              <span className="upload-error" role="alert">
                {u.error}
              </span>
            )}
            <button type="button" className="icon-btn" aria-label={u.state === "uploading" ? t("composer.cancelUpload", { name: u.fileName }) : t("common.dismiss")} onClick={u.cancel}>
              <Icon name="close" size={14} />
            </button>
          </li>
        );
      })}
    </ul>
  );
}
