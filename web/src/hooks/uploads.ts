/**
 * Attachments on their way, per conversation: checked against the channel's
 * limits first (MEDIA-7), then uploaded with progress; the stored message
 * then joins the list like any other. Kept outside the components so an
 * upload goes on, and shows again, after switching conversations.
 */
import { useCallback, useSyncExternalStore } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { uploadAttachment } from "../api";
import { localized, type ChannelCapabilities, type MediaKind } from "../domain";
import { fileProblem, imageHint } from "../media";
import { toast } from "../toast";
import { uuid } from "../util";
import { upsertMessage } from "./cache";
import { keys } from "./keys";
import { useErrorText } from "./useErrorText";

export interface Upload {
  id: string;
  fileName: string;
  size: number;
  kind: MediaKind;
  /** 0..1 */
  progress: number;
  state: "uploading" | "failed";
  error?: string;
  cancel: () => void;
}

const EMPTY: Upload[] = [];
let store = new Map<string, Upload[]>();
const listeners = new Set<() => void>();

function update(conversationId: string, fn: (list: Upload[]) => Upload[]): void {
  store = new Map(store);
  const next = fn(store.get(conversationId) ?? EMPTY);
  if (next.length) store.set(conversationId, next);
  else store.delete(conversationId);
  listeners.forEach((l) => l());
}

const patch = (conversationId: string, id: string, p: Partial<Upload>) => update(conversationId, (l) => l.map((u) => (u.id === id ? { ...u, ...p } : u)));
const remove = (conversationId: string, id: string) => update(conversationId, (l) => l.filter((u) => u.id !== id));

export function useUploads(conversationId: string, caps: ChannelCapabilities | undefined) {
  const qc = useQueryClient();
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const list = useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    () => store.get(conversationId) ?? EMPTY,
  );

  const start = useCallback(
    (kind: MediaKind, file: File) => {
      const id = uuid();
      const controller = new AbortController();
      const base: Upload = { id, fileName: file.name, size: file.size, kind, progress: 0, state: "uploading", cancel: () => controller.abort() };
      const problem = fileProblem(kind, caps?.media[kind], file);
      if (problem) {
        const error = problem.kind === "tooLarge" ? t("media.tooLarge", { limit: problem.limit }) : t(problem.kind === "empty" ? "media.empty" : "media.unsupported");
        update(conversationId, (l) => [...l, { ...base, state: "failed", error, cancel: () => remove(conversationId, id) }]);
        return;
      }
      if (imageHint(kind, caps, file)) toast(t("media.imageHint"), "info");
      update(conversationId, (l) => [...l, base]);
      uploadAttachment({ conversationId, file, kind, clientMessageId: id, signal: controller.signal, onProgress: (progress) => patch(conversationId, id, { progress }) })
        .then((res) => {
          upsertMessage(qc, res.message);
          remove(conversationId, id);
          if (res.hint) toast(localized(res.hint, i18n.language), "info");
          void qc.invalidateQueries({ queryKey: keys.lists });
        })
        .catch((e: unknown) => {
          if ((e as Error).name === "AbortError") return remove(conversationId, id);
          patch(conversationId, id, { state: "failed", error: errorText(e), cancel: () => remove(conversationId, id) });
        });
    },
    [conversationId, caps, qc, t, i18n.language, errorText],
  );

  return { uploads: list, start };
}
