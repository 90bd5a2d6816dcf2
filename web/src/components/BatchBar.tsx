/**
 * The batch actions this view offers to this role (VIEW-38..VIEW-57), shown
 * over the sort and filter controls while rows are selected (same place,
 * same height: the list does not move). Transfer is limited to 20 (VIEW-46,
 * VIEW-49); delete and blacklist ask first (VIEW-53). The answer's summary
 * and each failure's reason are shown (VIEW-47, VIEW-50).
 */
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api } from "../api";
import { MAX_BATCH_TRANSFER, TEXT, localized, type BatchAction, type Role, type ViewKey } from "../domain";
import { batchActionsFor } from "../filters";
import { removeFromLists } from "../hooks/cache";
import { keys } from "../hooks/queries";
import { useErrorText } from "../hooks/useErrorText";
import { toast } from "../toast";
import type { BatchResult, Conversation } from "../types";
import { cls } from "../util";
import { BatchResultDialog } from "./BatchResultDialog";
import { ConfirmDialog } from "./ConfirmDialog";
import { TransferDialog } from "./TransferDialog";

interface Props {
  view: ViewKey;
  role: Role;
  memberId: string;
  items: Conversation[];
  selected: ReadonlySet<string>;
  onSelectionChange: (s: ReadonlySet<string>) => void;
}

export function BatchBar({ view, role, memberId, items, selected, onSelectionChange }: Props) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const errorText = useErrorText();
  const actions = batchActionsFor(view, role);
  const [dialog, setDialog] = useState<BatchAction | null>(null);
  const [result, setResult] = useState<{ result: BatchResult; names: Map<string, string> } | null>(null);
  const n = selected.size;
  const tooMany = n > MAX_BATCH_TRANSFER;

  const run = useMutation({
    mutationFn: (v: { action: BatchAction; toMemberId?: string }) => api.batch(v.action, [...selected], v.toMemberId),
    onSuccess: (res) => {
      const names = new Map(items.map((c) => [c.id, c.contact?.name || t("list.unknownCustomer")]));
      // The server's summary is Chinese; English builds the same sentence from the counts.
      const summary = i18n.language.startsWith("en") ? t("batch.summary", { action: t(`batchAction.${res.action}`), succeeded: res.succeeded, failed: res.failed }) : res.summary;
      toast(summary, res.failed ? "info" : "success");
      if (res.failed) setResult({ result: res, names });
      if (res.action === "delete" || res.action === "blacklist") removeFromLists(qc, res.results.filter((r) => r.ok).map((r) => r.id));
      setDialog(null);
      onSelectionChange(new Set());
      void qc.invalidateQueries({ queryKey: keys.lists });
      void qc.invalidateQueries({ queryKey: keys.counts });
      for (const r of res.results) {
        void qc.invalidateQueries({ queryKey: keys.conversation(r.id) });
        void qc.invalidateQueries({ queryKey: keys.statusLog(r.id) });
      }
    },
    onError: (e) => toast(errorText(e), "error"),
  });

  const start = (a: BatchAction) => {
    if (a === "transfer" || a === "delete" || a === "blacklist") setDialog(a);
    else run.mutate({ action: a });
  };

  return (
    <>
      {n > 0 && actions.length > 0 && (
        <div className="batch-bar" role="toolbar" aria-label={t("batch.label")}>
          <div className="batch-actions">
            {actions.map((a) => (
              <button
                key={a}
                type="button"
                className={cls("btn btn-small", (a === "delete" || a === "blacklist") && "btn-danger-ghost")}
                disabled={run.isPending || (a === "transfer" && tooMany)}
                aria-describedby={a === "transfer" && tooMany ? "transfer-limit" : undefined}
                onClick={() => start(a)}
              >
                {t(`batchAction.${a}`)}
              </button>
            ))}
            {run.isPending && <span className="muted small">{t("batch.running")}</span>}
          </div>
          {tooMany && actions.includes("transfer") && (
            <p className="batch-hint" id="transfer-limit" role="note">
              {localized(TEXT.transferLimit, i18n.language)}
            </p>
          )}
        </div>
      )}
      {dialog === "transfer" && (
        <TransferDialog count={n} excludeIds={[memberId]} groupOnly={false} busy={run.isPending} onClose={() => setDialog(null)} onConfirm={(toMemberId) => run.mutate({ action: "transfer", toMemberId })} />
      )}
      {(dialog === "delete" || dialog === "blacklist") && (
        <ConfirmDialog
          title={t(dialog === "delete" ? "batch.deleteTitle" : "batch.blacklistTitle")}
          body={t(dialog === "delete" ? "batch.deleteBody" : "batch.blacklistBody", { count: n })}
          confirmLabel={t(`batchAction.${dialog}`)}
          danger
          busy={run.isPending}
          onClose={() => setDialog(null)}
          onConfirm={() => run.mutate({ action: dialog })}
        />
      )}
      {result && <BatchResultDialog result={result.result} names={result.names} onClose={() => setResult(null)} />}
    </>
  );
}
