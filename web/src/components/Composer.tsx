/**
 * The reply box: Enter sends, Shift+Enter is a new line (and Enter while an
 * input method is composing Chinese is left to the input method). Disabled
 * when the conversation is closed or the connection is lost (ADV-49).
 */
import { useEffect, useId, useState, type FormEvent, type KeyboardEvent } from "react";
import { useTranslation } from "react-i18next";
import { useSendMessage } from "../hooks/useSendMessage";
import { useConnectionStatus } from "../socket";
import type { Conversation, Me } from "../types";

/** Unsent drafts survive switching conversations. */
const drafts = new Map<string, string>();

export function Composer({ conversation, member }: { conversation: Conversation; member: NonNullable<Me["member"]> }) {
  const { t } = useTranslation();
  const id = useId();
  const connection = useConnectionStatus();
  const { send } = useSendMessage(conversation.id, member.id);
  const [text, setText] = useState(() => drafts.get(conversation.id) ?? "");

  useEffect(() => {
    if (text) drafts.set(conversation.id, text);
    else drafts.delete(conversation.id);
  }, [conversation.id, text]);

  const blocked = conversation.state === "closed" ? t("composer.closed") : connection === "disconnected" ? t("composer.offline") : null;

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    const value = text.trim();
    if (!value || blocked) return;
    send(value);
    setText("");
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key !== "Enter" || e.shiftKey || e.nativeEvent.isComposing || e.keyCode === 229) return;
    e.preventDefault();
    submit();
  };

  return (
    <form className="composer" onSubmit={submit}>
      <label htmlFor={id} className="sr-only">
        {t("composer.label")}
      </label>
      <textarea
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
        <span id={`${id}-hint`} className={blocked ? "composer-hint is-blocked" : "composer-hint"}>
          {blocked ?? t("composer.hint")}
        </span>
        <button type="submit" className="btn btn-primary" disabled={!!blocked || !text.trim()}>
          {t("composer.send")}
        </button>
      </div>
    </form>
  );
}
