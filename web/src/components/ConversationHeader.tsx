import { useTranslation } from "react-i18next";
import { VIEW_NAMES, localized } from "../domain";
import type { Conversation, ConversationAction } from "../types";
import { ActionBar } from "./ActionBar";
import { PlatformBadge } from "./PlatformBadge";
import { PinButton, canPin } from "./PinButton";

interface Props {
  conversation: Conversation;
  onMoved: (conv: Conversation | null, action: ConversationAction) => void;
}

export function ConversationHeader({ conversation: c, onMoved }: Props) {
  const { t, i18n } = useTranslation();
  return (
    <header className="conversation-header">
      <div className="conversation-title">
        <h2 id="conversation-title">{c.contact?.name || t("pane.customerFallback")}</h2>
        <p className="conversation-sub">
          <PlatformBadge platform={c.channel.platform} />
          <span>{c.channel.name}</span>
          <span className="dot" aria-hidden="true">
            ·
          </span>
          <span className={`state-chip state-${c.state}`}>{localized(VIEW_NAMES[c.view], i18n.language)}</span>
          {c.follower && (
            <>
              <span className="dot" aria-hidden="true">
                ·
              </span>
              <span>{t("list.follower", { name: c.follower.name })}</span>
            </>
          )}
        </p>
      </div>
      <div className="conversation-actions">
        {canPin(c) && <PinButton conversation={c} variant="button" />}
        <ActionBar conversation={c} onMoved={onMoved} />
      </div>
    </header>
  );
}
