/**
 * One conversation in the list: avatar with channel badge and waiting ring,
 * name, last message preview, time, unread count, follower; in 我的處理中
 * the pin button (ADV-11, ADV-14) and the mark of a pinned conversation.
 */
import { memo, type CSSProperties } from "react";
import { useTranslation } from "react-i18next";
import { waitingLevel, type WaitingLevel } from "../domain";
import type { Conversation } from "../types";
import { cls, listTime } from "../util";
import { Avatar } from "./Avatar";
import { AvatarGroup } from "./AvatarGroup";
import { PinButton, canPin } from "./PinButton";

interface Props {
  conversation: Conversation;
  style: CSSProperties;
  now: number;
  open: boolean;
  selectable: boolean;
  selected: boolean;
  onOpen: (id: string) => void;
  onToggle: (id: string) => void;
  position: number;
  setSize: number;
}

/** The server's level when it was fetched, raised as time passes; never in the bot queue (VIEW-20). */
export function currentWaiting(c: Conversation, now: number): WaitingLevel {
  if (c.state === "pending" && c.queue === "bot") return 0;
  const local = waitingLevel({ state: c.state, queue: c.queue, waitingSince: c.waitingSince ? new Date(c.waitingSince) : null }, new Date(now));
  return c.waitingSince ? (Math.max(local, c.waitingLevel) as WaitingLevel) : 0;
}

export const ConversationRow = memo(function ConversationRow({ conversation: c, style, now, open, selectable, selected, onOpen, onToggle, position, setSize }: Props) {
  const { t, i18n } = useTranslation();
  const name = c.contact?.name || t("list.unknownCustomer");
  const unread = c.unreadCount;
  return (
    <div
      role="listitem"
      aria-posinset={position}
      aria-setsize={setSize}
      data-id={c.id}
      className={cls("row", open && "is-open", selected && "is-selected", unread > 0 && "has-unread", c.pinned && "is-pinned")}
      style={style}
    >
      {selectable && (
        <label className="row-check">
          <input type="checkbox" checked={selected} onChange={() => onToggle(c.id)} />
          <span className="sr-only">{t("list.select", { name })}</span>
        </label>
      )}
      <button type="button" className="row-main" aria-current={open ? "true" : undefined} onClick={() => onOpen(c.id)}>
        <Avatar name={name} platform={c.channel.platform} waiting={currentWaiting(c, now)} />
        <span className="row-body">
          <span className="row-line">
            <span className="row-name">{name}</span>
            {c.kind === "group" && <span className="tag">{t("list.group")}</span>}
            {c.isCollaborative && <span className="tag">{t("list.collaborative")}</span>}
            <time className="row-time" dateTime={c.lastMessageAt}>
              {listTime(c.lastMessageAt, i18n.language, new Date(now))}
            </time>
          </span>
          <span className="row-line">
            <span className="row-preview">{c.lastMessagePreview}</span>
            {unread > 0 && (
              <span className="unread-badge" aria-label={t("list.unread", { count: unread })}>
                {unread > 99 ? "99+" : unread}
              </span>
            )}
          </span>
          <span className="row-line row-sub">
            {c.follower ? <span className="row-follower">{t("list.follower", { name: c.follower.name })}</span> : <span className="row-channel">{c.channel.name}</span>}
            {c.pinned && <span className="row-pin">{t("list.pinned")}</span>}
            <AvatarGroup ids={c.avatars} />
          </span>
        </span>
      </button>
      {canPin(c) && <PinButton conversation={c} variant="icon" />}
    </div>
  );
});
