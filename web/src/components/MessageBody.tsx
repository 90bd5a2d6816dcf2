/**
 * The content of a message: text; an image thumbnail (draggable, ADV-51);
 * video and audio players; a file's download link with its name and size,
 * and for LINE files the download period (MEDIA-12); LINE stickers by their
 * picture on LINE's servers (stickerPicture); otherwise the kind's
 * label. Everything is rendered as text: nothing from a message is HTML.
 */
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { safeMediaUrl, stickerPicture } from "../media";
import type { Message } from "../types";
import { FileCard } from "./FileCard";

const KINDS = ["image", "video", "audio", "file", "sticker", "location", "contact", "template", "product_links", "postback", "unsupported"] as const;
type Kind = (typeof KINDS)[number];
const isKind = (k: string): k is Kind => (KINDS as readonly string[]).includes(k);

/** A quoted message in one line: the kind's label for non-text messages, then its text. */
export function quoteLine(kind: string, text: string, t: TFunction): string {
  const label = kind === "text" ? "" : isKind(kind) ? t(`messages.kind.${kind}`) : "";
  return [label, text].filter(Boolean).join(" ");
}

export function MessageBody({ message: m }: { message: Message }) {
  const { t } = useTranslation();
  const media = m.content?.media;
  const url = safeMediaUrl(media?.url) ?? (m.kind === "sticker" ? stickerPicture(m.content) : null);
  const caption = m.text ? <p className="msg-text msg-caption">{m.text}</p> : null;

  if (m.kind === "text" || (!isKind(m.kind) && m.text)) return <p className="msg-text">{m.text}</p>;
  if (url && (m.kind === "image" || m.kind === "sticker"))
    return (
      <>
        <a href={url} target="_blank" rel="noreferrer noopener" className="msg-image-link">
          <img src={url} alt={media?.fileName ?? t(`messages.kind.${m.kind}`)} className={m.kind === "sticker" ? "msg-sticker" : "msg-image"} loading="lazy" draggable />
        </a>
        {caption}
      </>
    );
  if (url && m.kind === "video")
    return (
      <>
        <video src={url} className="msg-video" controls preload="metadata" aria-label={media?.fileName ?? t("messages.kind.video")} />
        {caption}
      </>
    );
  if (url && m.kind === "audio")
    return (
      <>
        <audio src={url} className="msg-audio" controls preload="metadata" aria-label={media?.fileName ?? t("messages.kind.audio")} />
        {caption}
      </>
    );
  if (url && m.kind === "file") return <FileCard url={url} name={media?.fileName || m.text || t("messages.attachment")} size={media?.size} expiresAt={m.mediaExpiresAt ?? null} />;

  const label = isKind(m.kind) ? t(`messages.kind.${m.kind}`) : `[${m.kind}]`;
  return (
    <p className="msg-text">
      <span className="msg-kind">{label}</span>
      {m.text && <span> {m.text}</span>}
      {url && (
        <>
          {" "}
          <a href={url} target="_blank" rel="noreferrer noopener">
            {media?.fileName ?? t("messages.attachment")}
          </a>
        </>
      )}
    </p>
  );
}
