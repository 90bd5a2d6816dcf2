/**
 * Follow / take over / transfer / close / reopen on one conversation. The
 * version the member saw goes with the request, so a click on a stale screen
 * gets the server's 409 text (LIFE-36) in a toast and the screen refreshes.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { ApiError, api, isConversation } from "../api";
import { toast } from "../toast";
import type { Conversation, ConversationAction } from "../types";
import { patchConversation, removeFromLists } from "./cache";
import { keys } from "./keys";
import { useErrorText } from "./useErrorText";

export function useConversationAction(onMoved: (conv: Conversation | null, action: ConversationAction) => void) {
  const qc = useQueryClient();
  const { t } = useTranslation();
  const errorText = useErrorText();
  return useMutation({
    mutationFn: (v: { conversation: Conversation; action: ConversationAction; toMemberId?: string }) =>
      api.act(v.conversation.id, v.action, v.conversation.version, v.toMemberId),
    onSuccess: (res, v) => {
      toast(t(`actionDone.${v.action}`), "success");
      if (isConversation(res)) {
        patchConversation(qc, res);
        onMoved(res, v.action);
      } else {
        // The member may no longer see it (e.g. transferred away).
        removeFromLists(qc, [v.conversation.id]);
        qc.removeQueries({ queryKey: keys.conversation(v.conversation.id) });
        onMoved(null, v.action);
      }
      void qc.invalidateQueries({ queryKey: keys.lists });
      void qc.invalidateQueries({ queryKey: keys.counts });
      void qc.invalidateQueries({ queryKey: keys.statusLog(v.conversation.id) });
    },
    onError: (e, v) => {
      toast(errorText(e), "error");
      if (e instanceof ApiError && e.status >= 400 && e.status < 500) {
        void qc.invalidateQueries({ queryKey: keys.conversation(v.conversation.id) });
        void qc.invalidateQueries({ queryKey: keys.statusLog(v.conversation.id) });
        void qc.invalidateQueries({ queryKey: keys.lists });
        void qc.invalidateQueries({ queryKey: keys.counts });
      }
    },
  });
}
