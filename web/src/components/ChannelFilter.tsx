/** 「所有事件」 + each connected channel account (VIEW-7, VIEW-8). */
import { useTranslation } from "react-i18next";
import { useChannels } from "../hooks/queries";

export function ChannelFilter({ value, onChange }: { value: string | null; onChange: (id: string | null) => void }) {
  const { t } = useTranslation();
  const channels = useChannels().data ?? [];
  return (
    <label className="channel-filter">
      <span className="sr-only">{t("channel.label")}</span>
      <select value={value ?? ""} onChange={(e) => onChange(e.target.value || null)}>
        <option value="">{t("channel.all")}</option>
        {channels.map((c) => (
          <option key={c.id} value={c.id}>
            {`${t(`platform.${c.platform}`)} · ${c.name}`}
          </option>
        ))}
      </select>
    </label>
  );
}
