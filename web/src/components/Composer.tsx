/**
 * The reply box: Enter sends, Shift+Enter is a new line (and Enter while an
 * input method is composing Chinese is left to the input method); 「+」 for
 * media of the kinds the channel allows, 「{...}」 for the contact-name
 * variable. The platform's reply-window hint shows above it (ADV-20,
 * ADV-33). Every sending control is disabled when the conversation is
 * closed, the customer is blocked (PROF-32), the platform's window is
 * closed (ADV-25) or the connection is lost (ADV-49).
 */
import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { useTranslation } from "react-i18next";
import { localized } from "../domain";
import { useChannel } from "../hooks/queries";
import { useSendMessage } from "../hooks/useSendMessage";
import { useUploads } from "../hooks/uploads";
import { useConnectionStatus } from "../socket";
import type { Conversation, Me } from "../types";
import { AttachButton } from "./AttachButton";
import { UploadTray } from "./UploadTray";
import { VariableButton } from "./VariableButton";

/** Unsent drafts survive switching conversations. */
const drafts = new Map<string, string>();

export function Composer({ conversation, member }: { conversation: Conversation; member: NonNullable<Me["member"]> }) {
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
    send(value);
    setText("");
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
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
