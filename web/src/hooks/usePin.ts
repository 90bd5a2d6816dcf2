/**
 * Pin / unpin a conversation of 我的處理中 (ADV-11..ADV-17): the mark shows
 * at once, then the lists are refetched so pinned conversations come first.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { toast } from "../toast";
import { patchPinned } from "./cache";
import { keys } from "./keys";
import { useErrorText } from "./useErrorText";

export function usePin() {
  const qc = useQueryClient();
  const errorText = useErrorText();
  const refresh = (id: string) => {
    void qc.invalidateQueries({ queryKey: keys.lists });
    void qc.invalidateQueries({ queryKey: ["search"] });
    void qc.invalidateQueries({ queryKey: keys.conversation(id) });
  };
  return useMutation({
    mutationFn: (v: { id: string; pinned: boolean }) => api.setPinned(v.id, v.pinned),
    onSuccess: (res, v) => {
      patchPinned(qc, v.id, res?.pinned ?? v.pinned);
      refresh(v.id);
    },
    onError: (e, v) => {
      toast(errorText(e), "error");
      refresh(v.id); // e.g. no longer in 我的處理中: the screen catches up
    },
  });
}
