/** The open conversation: header with its actions, messages, composer. Opening it tells the server (POST …/view, VIEW-24). */
import { useEffect, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { ApiError, api } from "../api";
import { keys, useConversation } from "../hooks/queries";
import { useErrorText } from "../hooks/useErrorText";
import type { Conversation, ConversationAction, Me, Message } from "../types";
import { ConversationHeader } from "./ConversationHeader";
import { MessageList } from "./MessageList";
import { Composer } from "./Composer";

interface Props {
  id: string;
  member: NonNullable<Me["member"]>;
  onMoved: (conv: Conversation | null, action: ConversationAction) => void;
}

export function ConversationPane({ id, member, onMoved }: Props) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const errorText = useErrorText();
  const conv = useConversation(id);
  // The message a WhatsApp reply quotes (ADV-7..ADV-10), from 「回覆」 to sending or ×.
  const [quoting, setQuoting] = useState<Message | null>(null);

  useEffect(() => {
    api
      .view(id)
      .then((r) => {
        if (r.cleared) {
          void qc.invalidateQueries({ queryKey: keys.lists });
          void qc.invalidateQueries({ queryKey: keys.counts });
        }
      })
      .catch(() => {});
  }, [id, qc]);

  // No longer visible (e.g. a colleague followed it) or gone: the server's text.
  const refused = conv.error instanceof ApiError && (conv.error.status === 403 || conv.error.status === 404);
  if (refused || (conv.isError && !conv.data))
    return (
      <div className="pane-message" role="alert">
        <p className="empty-title">{t("pane.loadFailed")}</p>
        <p className="muted">{errorText(conv.error)}</p>
      </div>
    );
  if (!conv.data) return <div className="pane-loading" aria-busy="true" />;

  return (
    <section className="conversation" aria-labelledby="conversation-title">
      <ConversationHeader conversation={conv.data} onMoved={onMoved} />
      <MessageList conversation={conv.data} member={member} onQuote={conv.data.channel.platform === "whatsapp" ? setQuoting : undefined} />
      <Composer conversation={conv.data} member={member} quoting={quoting} onQuotingChange={setQuoting} />
    </section>
  );
}
