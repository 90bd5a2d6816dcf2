/** One message: customer on the left, bot and agents on the right with their name, system messages centred. */
import { memo } from "react";
import { useTranslation } from "react-i18next";
import type { Conversation, Me, Message } from "../types";
import { safeMediaUrl } from "../media";
import { clockTime, cls, fullTime } from "../util";
import { DeliveryStatus } from "./DeliveryStatus";
import { MessageBody } from "./MessageBody";

interface Props {
  message: Message;
  /** Follows a message of the same sender: no name line. */
  followup: boolean;
  conversation: Conversation;
  member: NonNullable<Me["member"]>;
  names: Map<string, string> | undefined;
  onRetry: (m: Message) => void;
  onDiscard: (m: Message) => void;
}

/** Images, stickers and videos show without the coloured bubble around them. */
const isPicture = (m: Message) => !m.unsent && ["image", "sticker", "video"].includes(m.kind) && !!safeMediaUrl(m.content?.media?.url);

export const MessageItem = memo(function MessageItem({ message: m, followup, conversation, member, names, onRetry, onDiscard }: Props) {
  const { t, i18n } = useTranslation();
  const time = (
    <time dateTime={m.createdAt} title={fullTime(m.createdAt, i18n.language)}>
      {clockTime(m.createdAt, i18n.language)}
    </time>
  );

  if (m.senderKind === "system")
    return (
      <div className="msg-system" role="note">
        <span className="msg-system-text">{m.text}</span>
        <span className="msg-system-time">{time}</span>
      </div>
    );

  const out = m.direction === "out";
  let sender: string;
  if (m.senderKind === "customer") sender = conversation.contact?.name || t("pane.customerFallback");
  else if (m.senderKind === "bot") sender = t("messages.bot");
  else if (m.senderMemberId === member.id) sender = member.name;
  else sender = (m.senderMemberId && names?.get(m.senderMemberId)) || t("messages.agentFallback");

  return (
    <div className={cls("msg", out ? "msg-out" : "msg-in", `msg-${m.senderKind}`, followup && "is-followup", m.local?.state === "failed" && "msg-failed")}>
      {followup ? (
        <span className="sr-only">{sender}</span>
      ) : (
        <div className="msg-meta">
          <span className="msg-sender">{sender}</span>
          {time}
        </div>
      )}
      <div className={cls("msg-bubble", isPicture(m) && "is-media")} title={followup ? fullTime(m.createdAt, i18n.language) : undefined}>{m.unsent ? <em className="muted">{t("messages.unsent")}</em> : <MessageBody message={m} />}</div>
      {out && <DeliveryStatus message={m} onRetry={onRetry} onDiscard={onDiscard} />}
    </div>
  );
});
