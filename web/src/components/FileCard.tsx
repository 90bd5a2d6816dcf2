/** A file message: name as a download link, size, and for LINE files 「下載期限:MM/DD HH:mm」 (MEDIA-9..MEDIA-12). */
import { useTranslation } from "react-i18next";
import { useMinuteClock } from "../hooks/useNow";
import { expiryLabel, formatSize } from "../media";
import { Icon } from "./Icon";

interface Props {
  url: string;
  name: string;
  size?: number;
  expiresAt: string | null;
}

export function FileCard({ url, name, size, expiresAt }: Props) {
  const { t } = useTranslation();
  const now = useMinuteClock();
  const expired = !!expiresAt && Date.parse(expiresAt) <= now;
  return (
    <div className="file-card">
      <span className="file-icon">
        <Icon name="file" size={20} />
      </span>
      <span className="file-body">
        {expired ? (
          <span className="file-name">{name}</span>
        ) : (
          <a className="file-name" href={url} download={name} rel="noreferrer noopener" title={t("media.download", { name })}>
            {name}
          </a>
        )}
        <span className="file-meta">
          {size != null && <span>{formatSize(size)}</span>}
          {expiresAt && <span className={expired ? "file-expiry is-expired" : "file-expiry"}>{expired ? t("media.expired") : t("media.expires", { time: expiryLabel(expiresAt) })}</span>}
        </span>
      </span>
      {!expired && (
        <a className="icon-btn file-download" href={url} download={name} aria-label={t("media.download", { name })}>
          <Icon name="download" />
        </a>
      )}
    </div>
  );
}
