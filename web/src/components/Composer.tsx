/**
 * The reply box: Enter sends, Shift+Enter is a new line (and Enter while an
 * input method is composing Chinese is left to the input method); 「+」 for
 * media of the kinds the channel allows, 「貼圖」 for stickers where the
 * channel sends them (StickerButton), 「{...}」 for the contact-name
 * variable. The platform's reply-window hint shows above it (ADV-20,
 * ADV-33). Every sending control is disabled when the conversation is
 * closed, the customer is blocked (PROF-32), the platform's window is
 * closed (ADV-25) or the connection is lost (ADV-49). In WhatsApp
 * conversations the message chosen with 「回覆」 shows above the input with
 * an × to cancel (Escape too), and is sent as the reply's quote (ADV-8,
 * ADV-10).
 */
import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { useTranslation } from "react-i18next";
import { localized } from "../domain";
import { useChannel } from "../hooks/queries";
import { useSendMessage } from "../hooks/useSendMessage";
import { useUploads } from "../hooks/uploads";
import { useConnectionStatus } from "../socket";
import type { Conversation, Me, Message } from "../types";
import { AttachButton } from "./AttachButton";
import { Icon } from "./Icon";
import { quoteLine } from "./MessageBody";
import { quoteSender } from "./MessageItem";
import { UploadTray } from "./UploadTray";
import { VariableButton } from "./VariableButton";
import { StickerButton } from "./StickerButton";

/** Unsent drafts survive switching conversations. */
const drafts = new Map<string, string>();

interface Props {
  conversation: Conversation;
  member: NonNullable<Me["member"]>;
  /** The message the next reply quotes (WhatsApp only), or null. */
  quoting?: Message | null;
  onQuotingChange?: (m: Message | null) => void;
}

export function Composer({ conversation, member, quoting = null, onQuotingChange }: Props) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const area = useRef<HTMLTextAreaElement>(null);
  const caret = useRef<number | null>(null);
  const connection = useConnectionStatus();
  const { send } = useSendMessage(conversation.id, member.id);
  const caps = useChannel(conversation.channel.id)?.capabilities;
  const { uploads, start } = useUploads(conversation.id, caps);
  const [text, setText] = useState(() => drafts.get(conversation.id) ?? "");

  useEffect(() => {
    if (text) drafts.set(conversation.id, text);
    else drafts.delete(conversation.id);
  }, [conversation.id, text]);

  // After an insertion, the caret goes after the inserted text.
  useEffect(() => {
    if (caret.current === null || !area.current) return;
    area.current.focus();
    area.current.setSelectionRange(caret.current, caret.current);
    caret.current = null;
  }, [text]);

  // 「回覆」 was clicked: the member types the reply next.
  useEffect(() => {
    if (quoting) area.current?.focus();
  }, [quoting]);

  const reply = conversation.replyWindow;
  const windowHint = reply?.hint ? localized(reply.hint, i18n.language) : null;
  const blocked =
    conversation.state === "closed"
      ? t("composer.closed")
      : conversation.active === false
        ? t("composer.blockedCustomer")
        : reply && !reply.freeForm
          ? t("composer.windowClosed")
          : connection === "disconnected"
            ? t("composer.offline")
            : null;

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    const value = text.trim();
    if (!value || blocked) return;
    send(value, quoting);
    setText("");
    onQuotingChange?.(null);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === "Escape" && quoting && !e.nativeEvent.isComposing) {
      e.preventDefault();
      onQuotingChange?.(null);
      return;
    }
    if (e.key !== "Enter" || e.shiftKey || e.nativeEvent.isComposing || e.keyCode === 229) return;
    e.preventDefault();
    submit();
  };

  const insert = (snippet: string) => {
    const el = area.current;
    const from = el?.selectionStart ?? text.length;
    const to = el?.selectionEnd ?? text.length;
    caret.current = from + snippet.length;
    setText(text.slice(0, from) + snippet + text.slice(to));
  };

  return (
    <div className="composer-wrap">
      {windowHint && (
        <p className={reply.freeForm ? "window-hint" : "window-hint is-closed"} role="note">
          {windowHint}
        </p>
      )}
      <form className="composer" onSubmit={submit}>
        <UploadTray uploads={uploads} />
        {quoting && (
          <div className="composer-quote" role="group" aria-label={t("composer.quoting")}>
            <Icon name="reply" />
            <span className="composer-quote-body">
              <span className="msg-quote-from">{t("composer.replyingTo", { name: quoteSender(quoting.senderKind, conversation, t) })}</span>
              <span className="msg-quote-text">{quoteLine(quoting.kind, quoting.text, t)}</span>
            </span>
            <button type="button" className="icon-btn" aria-label={t("composer.cancelQuote")} title={t("composer.cancelQuote")} onClick={() => onQuotingChange?.(null)}>
              <Icon name="close" />
            </button>
          </div>
        )}
        <label htmlFor={id} className="sr-only">
          {t("composer.label")}
        </label>
        <textarea
          ref={area}
          id={id}
          rows={3}
          value={text}
          maxLength={5000}
          placeholder={t("composer.placeholder")}
          disabled={!!blocked}
          aria-describedby={`${id}-hint`}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
        />
        <div className="composer-bar">
          <div className="composer-tools">
            <AttachButton caps={caps} disabled={!!blocked} onFile={start} />
            <StickerButton conversationId={conversation.id} platform={conversation.channel.platform} memberId={member.id} disabled={!!blocked} />
            {conversation.kind !== "group" && <VariableButton disabled={!!blocked} onInsert={insert} />}
          </div>
          <span id={`${id}-hint`} className={blocked ? "composer-hint is-blocked" : "composer-hint"}>
            {blocked ?? t("composer.hint")}
          </span>
          <button type="submit" className="btn btn-primary" disabled={!!blocked || !text.trim()}>
            {t("composer.send")}
          </button>
        </div>
      </form>
    </div>
  );
}
