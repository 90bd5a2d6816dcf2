/**
 * 釘選對話 / 取消釘選 (ADV-11, ADV-14): only for conversations in the
 * member's 我的處理中. "icon" in a list row (shown on hover, always when
 * pinned), "button" in the conversation header.
 */
import { useTranslation } from "react-i18next";
import { usePin } from "../hooks/usePin";
import type { Conversation } from "../types";
import { cls } from "../util";
import { Icon } from "./Icon";

export function canPin(c: Conversation): boolean {
  return c.view === "my_processing" && c.state === "processing";
}

export function PinButton({ conversation: c, variant }: { conversation: Conversation; variant: "icon" | "button" }) {
  const { t } = useTranslation();
  const pin = usePin();
  const label = c.pinned ? t("pin.unpin") : t("pin.pin");
  const onClick = () => pin.mutate({ id: c.id, pinned: !c.pinned });
  if (variant === "icon")
    return (
      <button type="button" className={cls("icon-btn", "row-pin-btn", c.pinned && "is-pinned")} aria-label={label} title={label} disabled={pin.isPending} onClick={onClick}>
        <Icon name="pin" />
      </button>
    );
  return (
    <button type="button" className={cls("btn", "pin-btn", c.pinned && "is-pinned")} disabled={pin.isPending} onClick={onClick}>
      <Icon name="pin" />
      <span>{label}</span>
    </button>
  );
}
