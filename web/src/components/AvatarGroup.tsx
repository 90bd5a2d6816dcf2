/** Team members on a conversation (VIEW-16..VIEW-18): up to 3, follower first; the bot alone in the bot queue. */
import { useTranslation } from "react-i18next";
import { useMemberNames } from "../hooks/queries";
import { initialOf } from "../util";

const BOT = "bot";

export function AvatarGroup({ ids }: { ids: string[] | undefined }) {
  const { t } = useTranslation();
  const names = useMemberNames().data;
  if (!ids?.length) return null;
  const label = ids.map((id) => (id === BOT ? t("messages.bot") : (names?.get(id) ?? "…"))).join("、");
  return (
    <span className="avatar-group" role="img" aria-label={t("list.members", { names: label })} title={label}>
      {ids.slice(0, 3).map((id) => (
        <span key={id} className={id === BOT ? "mini-avatar is-bot" : "mini-avatar"} aria-hidden="true">
          {id === BOT ? "B" : initialOf(names?.get(id))}
        </span>
      ))}
    </span>
  );
}
