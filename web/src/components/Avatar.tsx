/** Customer avatar: initial, channel badge, and the waiting ring at 30 min / 1 h / 2 h (VIEW-19..VIEW-21). */
import { useTranslation } from "react-i18next";
import { WAITING_TOOLTIP, localized, type WaitingLevel } from "../domain";
import type { Platform } from "../types";
import { cls, initialOf } from "../util";
import { PlatformBadge } from "./PlatformBadge";

interface Props {
  name: string;
  platform: Platform;
  waiting?: WaitingLevel;
  size?: "md" | "lg";
}

export function Avatar({ name, platform, waiting = 0, size = "md" }: Props) {
  const { i18n } = useTranslation();
  const tip = waiting ? localized(WAITING_TOOLTIP[waiting], i18n.language) : undefined;
  return (
    <span className={cls("avatar-wrap", `avatar-${size}`)}>
      <span className={cls("avatar", waiting ? `waiting-${waiting}` : null)} title={tip} role={tip ? "img" : undefined} aria-label={tip}>
        <span aria-hidden={tip ? true : undefined}>{initialOf(name)}</span>
      </span>
      <PlatformBadge platform={platform} className="avatar-badge" />
    </span>
  );
}
