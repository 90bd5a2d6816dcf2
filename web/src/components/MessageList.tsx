/**
 * Messages oldest at the top. The API pages newest first; scrolling up
 * loads older pages while keeping what is on screen in place. New messages
 * keep the view at the bottom unless the member scrolled up to read.
 */
import { Fragment, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { orderedMessages } from "../hooks/cache";
import { useOutbox } from "../hooks/outbox";
import { useMemberNames, useMessagePages } from "../hooks/queries";
import { useErrorText } from "../hooks/useErrorText";
import { useSendMessage } from "../hooks/useSendMessage";
import type { Conversation, Me, Message } from "../types";
import { dayLabel, sameDay } from "../util";
import { MessageItem } from "./MessageItem";

const NEAR = 64;

/** Same sender within five minutes: the name and time are not repeated. */
function isFollowup(prev: Message | undefined, m: Message): boolean {
  if (!prev || prev.senderKind === "system" || m.senderKind === "system") return false;
  if (prev.senderKind !== m.senderKind || prev.senderMemberId !== m.senderMemberId) return false;
  return Date.parse(m.createdAt) - Date.parse(prev.createdAt) < 5 * 60_000;
}

interface Props {
  conversation: Conversation;
  member: NonNullable<Me["member"]>;
  /** WhatsApp conversations only: 「回覆」 puts the message in the composer (ADV-7, ADV-8). */
  onQuote?: (m: Message) => void;
}

export function MessageList({ conversation, member, onQuote }: Props) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const pages = useMessagePages(conversation.id);
  const pending = useOutbox(conversation.id);
  const names = useMemberNames().data;
  const { retry, discard } = useSendMessage(conversation.id, member.id);

  const messages = useMemo(() => {
    const stored = orderedMessages(pages.data?.pages);
    const known = new Set(stored.map((m) => m.clientMessageId).filter(Boolean));
    return [...stored, ...pending.filter((m) => !known.has(m.clientMessageId))];
  }, [pages.data, pending]);
  const byId = useMemo(() => new Map(messages.map((m) => [m.id, m])), [messages]);

  const scroller = useRef<HTMLDivElement>(null);
  const content = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const keepFromBottom = useRef<number | null>(null);
  const [unseen, setUnseen] = useState(false);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = pages;

  const loadOlder = () => {
    const el = scroller.current;
    if (!el || !hasNextPage || isFetchingNextPage) return;
    keepFromBottom.current = el.scrollHeight - el.scrollTop;
    void fetchNextPage();
  };

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR;
    if (atBottom.current) setUnseen(false);
    if (el.scrollTop < 160) loadOlder();
  };

  const toBottom = () => {
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
    atBottom.current = true;
    setUnseen(false);
  };

  const firstId = messages[0]?.id;
  const last = messages[messages.length - 1];
  // Older messages were added above: keep the same messages under the eyes.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && keepFromBottom.current !== null) {
      el.scrollTop = el.scrollHeight - keepFromBottom.current;
      keepFromBottom.current = null;
    }
  }, [firstId]);
  // A new message at the end: follow it if at the bottom or if it is one's own.
  useLayoutEffect(() => {
    if (!last) return;
    if (atBottom.current || (last.local && last.senderMemberId === member.id)) toBottom();
    else setUnseen(true);
  }, [last?.id]); // eslint-disable-line react-hooks/exhaustive-deps

  // Images and long texts settle after the first paint: stay at the bottom.
  useEffect(() => {
    const el = content.current;
    if (!el) return;
    const ro = new ResizeObserver(() => {
      if (atBottom.current && scroller.current) scroller.current.scrollTop = scroller.current.scrollHeight;
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // A first page shorter than the pane cannot be scrolled: fetch the older one right away.
  useEffect(() => {
    const el = scroller.current;
    if (el && !pages.isPending && el.scrollHeight <= el.clientHeight && hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [messages.length, pages.isPending, hasNextPage, isFetchingNextPage, fetchNextPage]);

  return (
    <div className="messages-wrap">
      <div ref={scroller} className="messages" onScroll={onScroll} tabIndex={0} aria-label={t("messages.label")} role="log" aria-live="polite" aria-relevant="additions">
        <div ref={content} className="messages-content">
          <div className="messages-top">
            {pages.isPending ? null : hasNextPage ? (
              <button type="button" className="link-btn" onClick={loadOlder} disabled={isFetchingNextPage}>
                {isFetchingNextPage ? t("messages.loadingOlder") : t("messages.loadOlder")}
              </button>
            ) : (
              <span className="muted small">{messages.length ? t("messages.start") : t("messages.empty")}</span>
            )}
          </div>
          {pages.isError && !messages.length && (
            <p className="pane-inline-error" role="alert">
              {t("messages.loadFailed")}: {errorText(pages.error)}
            </p>
          )}
          {messages.map((m, i) => {
            const prev = messages[i - 1];
            const newDay = !prev || !sameDay(new Date(prev.createdAt), new Date(m.createdAt));
            return (
              <Fragment key={m.id}>
                {newDay && (
                  <div className="day-divider" role="separator">
                    <span>{dayLabel(m.createdAt, i18n.language)}</span>
                  </div>
                )}
                <MessageItem
                  message={m}
                  followup={!newDay && isFollowup(prev, m)}
                  conversation={conversation}
                  member={member}
                  names={names}
                  onRetry={retry}
                  onDiscard={discard}
                  quoted={m.quotedMessageId ? byId.get(m.quotedMessageId) : undefined}
                  onQuote={onQuote}
                />
              </Fragment>
            );
          })}
        </div>
      </div>
      {unseen && (
        <button type="button" className="jump-latest" onClick={toBottom}>
          {t("messages.jumpToLatest")}
        </button>
      )}
    </div>
  );
}
