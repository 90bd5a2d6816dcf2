/**
 * The actions of conversation.actions, and only those (LIFE-25, LIFE-30..33):
 * a button the member may not use is not shown. 移轉 opens the member picker.
 */
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useConversationAction } from "../hooks/useConversationAction";
import type { Conversation, ConversationAction } from "../types";
import { cls } from "../util";
import { TransferDialog } from "./TransferDialog";

const ORDER: ConversationAction[] = ["follow", "take_over", "transfer", "close", "reopen"];
const PRIMARY: ConversationAction[] = ["follow", "take_over", "reopen"];

interface Props {
  conversation: Conversation;
  onMoved: (conv: Conversation | null, action: ConversationAction) => void;
}

export function ActionBar({ conversation, onMoved }: Props) {
  const { t } = useTranslation();
  const [transferring, setTransferring] = useState(false);
  const act = useConversationAction(onMoved);
  const available = ORDER.filter((a) => conversation.actions.includes(a));

  return (
    <div className="action-bar" role="toolbar" aria-label={t("action.label")}>
      {available.map((a) => (
        <button
          key={a}
          type="button"
          className={cls("btn", PRIMARY.includes(a) ? "btn-primary" : a === "close" ? "btn-success" : null)}
          disabled={act.isPending}
          onClick={() => (a === "transfer" ? setTransferring(true) : act.mutate({ conversation, action: a }))}
        >
          {t(`action.${a}`)}
        </button>
      ))}
      {transferring && (
        <TransferDialog
          count={1}
          excludeIds={conversation.follower ? [conversation.follower.id] : []}
          groupOnly={conversation.kind === "group"}
          busy={act.isPending}
          onClose={() => setTransferring(false)}
          onConfirm={(toMemberId) => act.mutate({ conversation, action: "transfer", toMemberId }, { onSettled: () => setTransferring(false) })}
        />
      )}
    </div>
  );
}
