/** The channel's platform as a small coloured mark on the avatar. */
import { useTranslation } from "react-i18next";
import type { Platform } from "../types";

const MARK: Record<Platform, string> = { line: "L", messenger: "f", instagram: "IG", whatsapp: "WA", wechat: "WC", webchat: "W", api: "A" };

export function PlatformBadge({ platform, className }: { platform: Platform; className?: string }) {
  const { t } = useTranslation();
  const name = t(`platform.${platform}`);
  return (
    <span className={`platform-badge platform-${platform} ${className ?? ""}`} title={name} role="img" aria-label={name}>
      {MARK[platform] ?? "?"}
    </span>
  );
}
