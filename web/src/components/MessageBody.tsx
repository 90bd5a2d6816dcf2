/** The content of a message: text, an image (draggable, ADV-51), or the kind's label with a link to the file. */
import { useTranslation } from "react-i18next";
import type { Message } from "../types";

const KINDS = ["image", "video", "audio", "file", "sticker", "location", "contact", "template", "product_links", "postback", "unsupported"] as const;
type Kind = (typeof KINDS)[number];
const isKind = (k: string): k is Kind => (KINDS as readonly string[]).includes(k);

export function MessageBody({ message: m }: { message: Message }) {
  const { t } = useTranslation();
  const media = m.content?.media;
  const safeUrl = media?.url && /^https?:\/\//i.test(media.url) ? media.url : null;

  if (m.kind === "text" || (!isKind(m.kind) && m.text)) return <p className="msg-text">{m.text}</p>;
  if (m.kind === "image" && safeUrl)
    return (
      <a href={safeUrl} target="_blank" rel="noreferrer noopener" className="msg-image-link">
        <img src={safeUrl} alt={media?.fileName ?? t("messages.kind.image")} className="msg-image" loading="lazy" draggable />
      </a>
    );
  const label = isKind(m.kind) ? t(`messages.kind.${m.kind}`) : `[${m.kind}]`;
  return (
    <p className="msg-text">
      <span className="msg-kind">{label}</span>
      {m.text && <span> {m.text}</span>}
      {safeUrl && (
        <>
          {" "}
          <a href={safeUrl} target="_blank" rel="noreferrer noopener">
            {media?.fileName ?? t("messages.attachment")}
          </a>
        </>
      )}
    </p>
  );
}
