/**
 * 「狀態功能:有效」 (PROF-31..PROF-33): off blocks the customer on this
 * conversation; 導出對話 as a CSV download or by email, with 最後導出時間,
 * for administrators when the team has the feature (PROF-35..PROF-40;
 * hidden otherwise).
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api } from "../api";
import { can } from "../domain";
import { keys, useWorkspace } from "../hooks/queries";
import { useErrorText } from "../hooks/useErrorText";
import { toast } from "../toast";
import type { Conversation, Me } from "../types";
import { fullTime } from "../util";

export function ConversationTools({ conversation: c, member }: { conversation: Conversation; member: NonNullable<Me["member"]> }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const errorText = useErrorText();
  const mayExport = can(member.role, "export_conversation");
  const exportOn = useWorkspace().data?.settings.conversationExport === true;
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: keys.conversation(c.id) });
    void qc.invalidateQueries({ queryKey: keys.statusLog(c.id) });
  };

  const toggle = useMutation({
    mutationFn: (active: boolean) => api.setActive(c.id, active),
    onSuccess: (r) => {
      toast(t(r.active ? "tools.unblocked" : "tools.blocked"), "success");
      qc.setQueryData<Conversation>(keys.conversation(c.id), (old) => (old ? { ...old, active: r.active } : old));
      refresh();
      void qc.invalidateQueries({ queryKey: keys.lists });
    },
    onError: (e) => toast(errorText(e), "error"),
  });

  const exportCsv = useMutation({
    mutationFn: () => api.exportCsv(c.id),
    onSuccess: () => {
      toast(t("tools.exported"), "success");
      refresh();
    },
    onError: (e) => toast(errorText(e), "error"),
  });

  const exportEmail = useMutation({
    mutationFn: () => api.exportEmail(c.id),
    onSuccess: () => toast(t("tools.emailQueued"), "success"),
    onError: (e) => toast(errorText(e), "error"),
  });

  const showToggle = c.kind !== "group";
  const showExport = mayExport && exportOn;
  if (!showToggle && !showExport) return null;
  const active = toggle.isPending ? toggle.variables === true : c.active !== false;

  return (
    <section className="tools" aria-label={t("tools.label")}>
      {showToggle && (
        <div className="tool-row">
          <label className="switch">
            <span className="switch-label">{t("tools.active")}</span>
            <input type="checkbox" role="switch" checked={active} disabled={toggle.isPending} onChange={(e) => toggle.mutate(e.target.checked)} />
            <span className="switch-track" aria-hidden="true" />
          </label>
          {!active && <p className="tool-note">{t("tools.blockedNote")}</p>}
        </div>
      )}
      {showExport && (
        <div className="tool-row">
          <div className="tool-buttons">
            <button type="button" className="btn btn-small" disabled={exportCsv.isPending} onClick={() => exportCsv.mutate()}>
              {exportCsv.isPending ? t("tools.exporting") : t("tools.export")}
            </button>
            <button type="button" className="btn btn-small btn-ghost" disabled={exportEmail.isPending} onClick={() => exportEmail.mutate()}>
              {t("tools.exportEmail")}
            </button>
          </div>
          <p className="tool-note">
            {t("tools.lastExported", { time: c.lastExportedAt ? fullTime(c.lastExportedAt, i18n.language) : t("tools.never") })}
          </p>
        </div>
      )}
    </section>
  );
}
