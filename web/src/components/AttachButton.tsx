/**
 * 「+」 (MEDIA-2): only the kinds the conversation's channel can carry
 * (MEDIA-3, MEDIA-8); the picker is limited to the kind's types and the
 * chosen file goes to the upload queue, which checks it first (MEDIA-7).
 */
import { useRef } from "react";
import { useTranslation } from "react-i18next";
import type { ChannelCapabilities, MediaKind } from "../domain";
import { acceptFor, offeredKinds } from "../media";
import { Icon } from "./Icon";
import { MenuButton } from "./MenuButton";

interface Props {
  caps: ChannelCapabilities | undefined;
  disabled: boolean;
  onFile: (kind: MediaKind, file: File) => void;
}

export function AttachButton({ caps, disabled, onFile }: Props) {
  const { t } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  const kind = useRef<MediaKind>("file");
  const kinds = offeredKinds(caps);
  if (!caps || !kinds.length) return null;

  const pick = (k: MediaKind) => {
    const el = input.current;
    const rule = caps.media[k];
    if (!el || !rule) return;
    kind.current = k;
    const accept = acceptFor(k, rule);
    if (accept) el.accept = accept;
    else el.removeAttribute("accept");
    el.value = "";
    el.click();
  };

  return (
    <>
      <MenuButton label={t("composer.attach")} disabled={disabled} items={kinds.map((k) => ({ key: k, label: t(`media.kind.${k}`), onSelect: () => pick(k) }))}>
        <Icon name="plus" size={18} />
      </MenuButton>
      <input
        ref={input}
        type="file"
        hidden
        tabIndex={-1}
        aria-hidden="true"
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) onFile(kind.current, file);
        }}
      />
    </>
  );
}
