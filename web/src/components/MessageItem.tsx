/**
 * One message: customer on the left, bot and agents on the right with their
 * name, system messages centred. A reply shows the message it quotes above
 * its text (ADV-1..ADV-6, ADV-9); in WhatsApp conversations a 「回覆」
 * button on hover quotes the message in the composer (ADV-8, ADV-10).
 */
import { memo } from "react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import type { Conversation, Me, Message, MessageQuote } from "../types";
import { safeMediaUrl } from "../media";
import { clockTime, cls, fullTime } from "../util";
import { DeliveryStatus } from "./DeliveryStatus";
import { Icon } from "./Icon";
import { MessageBody, quoteLine } from "./MessageBody";

interface Props {
  message: Message;
  /** Follows a message of the same sender: no name line. */
  followup: boolean;
  conversation: Conversation;
  member: NonNullable<Me["member"]>;
  names: Map<string, string> | undefined;
  onRetry: (m: Message) => void;
  onDiscard: (m: Message) => void;
  /** The quoted message when it is loaded here (messages from events carry only its id). */
  quoted?: Message;
  /** Set in WhatsApp conversations: 「回覆」 quotes this message in the composer. */
  onQuote?: (m: Message) => void;
}

/** ADV-10: only messages the platform knows (its id, not failed) can be quoted. */
export const isQuotable = (m: Message) => !m.local && !m.unsent && m.senderKind !== "system" && !!m.platformMessageId && m.status !== "failed";

function quoteOf(m: Message, quoted: Message | undefined): MessageQuote | null {
  if (m.quote) return m.quote;
  if (quoted) return { available: true, id: quoted.id, kind: quoted.kind, text: quoted.text, senderKind: quoted.senderKind };
  return null;
}

/** Images, stickers and videos show without the coloured bubble around them. */
const isPicture = (m: Message) => !m.unsent && ["image", "sticker", "video"].includes(m.kind) && !!safeMediaUrl(m.content?.media?.url);

export const MessageItem = memo(function MessageItem({ message: m, followup, conversation, member, names, onRetry, onDiscard, quoted, onQuote }: Props) {
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
  const quote = m.unsent ? null : quoteOf(m, quoted);
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
      <div className="msg-row">
        <div className={cls("msg-bubble", isPicture(m) && "is-media")} title={followup ? fullTime(m.createdAt, i18n.language) : undefined}>
          {quote && <QuoteBlock quote={quote} conversation={conversation} />}
          {m.unsent ? <em className="muted">{t("messages.unsent")}</em> : <MessageBody message={m} />}
        </div>
        {onQuote && isQuotable(m) && (
          <button type="button" className="icon-btn msg-reply" aria-label={t("messages.reply")} title={t("messages.reply")} onClick={() => onQuote(m)}>
            <Icon name="reply" />
          </button>
        )}
      </div>
      {out && <DeliveryStatus message={m} onRetry={onRetry} onDiscard={onDiscard} />}
    </div>
  );
});

/** Who wrote a quoted message, as a short label (ADV-9). */
export function quoteSender(senderKind: string, conversation: Conversation, t: TFunction): string {
  if (senderKind === "customer") return conversation.contact?.name || t("pane.customerFallback");
  if (senderKind === "bot") return t("messages.bot");
  return t("messages.quoteTeam");
}

/** The quoted message, compact, above the reply's own text (ADV-9: customer's and team's quotes look different). */
function QuoteBlock({ quote, conversation }: { quote: MessageQuote; conversation: Conversation }) {
  const { t } = useTranslation();
  if (!quote.available)
    return (
      <blockquote className="msg-quote is-unavailable" aria-label={t("messages.quoteLabel")}>
        <span className="msg-quote-text">{t("messages.quoteUnavailable")}</span>
      </blockquote>
    );
  return (
    <blockquote className={cls("msg-quote", quote.senderKind === "customer" ? "from-customer" : "from-team")} aria-label={t("messages.quoteLabel")}>
      <span className="msg-quote-from">{quoteSender(quote.senderKind, conversation, t)}</span>
      <span className="msg-quote-text">{quoteLine(quote.kind, quote.text, t)}</span>
    </blockquote>
  );
}
