/**
 * Tag data export (PROF-18..PROF-24), team-wide, for members whose role has
 * `export_tags` (the server's capabilities in /api/me): 貼標統計數據 or
 * 貼標逐筆紀錄 over a range of days, downloaded as a UTF-8 CSV. More than 30
 * days is refused here before any request, with the server's sentence.
 */
import { useId, useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api } from "../api";
import { dayInput, dayRange } from "../dateRange";
import { MAX_TAG_EXPORT_DAYS, TAG_EXPORT_TYPES, type TagExportType } from "../domain";
import { useErrorText } from "../hooks/useErrorText";
import { toast } from "../toast";
import type { Me } from "../types";
import { DateRangeFields } from "./DateRangeFields";
import { Icon } from "./Icon";
import { Modal } from "./Modal";

/** The header's entry; nothing for roles without `export_tags` (PROF-22). */
export function TagExportButton({ me }: { me: Me }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  if (!me.capabilities.includes("export_tags")) return null;
  return (
    <>
      <button type="button" className="btn btn-ghost" aria-haspopup="dialog" onClick={() => setOpen(true)}>
        <Icon name="download" size={16} />
        <span>{t("tagExport.open")}</span>
      </button>
      {open && <TagExportDialog onClose={() => setOpen(false)} />}
    </>
  );
}

function TagExportDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const noteId = useId();
  const [type, setType] = useState<TagExportType>("statistics");
  // The last 30 days, today included.
  const [days, setDays] = useState(() => ({ from: dayInput(1 - MAX_TAG_EXPORT_DAYS), to: dayInput() }));
  const range = dayRange(days.from, days.to, MAX_TAG_EXPORT_DAYS);
  const ready = Boolean(range.from && range.to && !range.problem);

  const run = useMutation({
    mutationFn: () => api.exportTags(type, range.from!, range.to!),
    onSuccess: () => toast(t("tagExport.done"), "success"),
  });

  const submit = () => {
    if (ready && !run.isPending) run.mutate();
  };

  const rangeText = range.problem === "tooLong" ? t("tagExport.tooLong") : range.problem === "order" ? t("dateRange.order") : !ready ? t("tagExport.pickDays") : null;

  return (
    <Modal
      title={t("tagExport.title")}
      onClose={onClose}
      className="tag-export"
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            {t("common.cancel")}
          </button>
          <button type="button" className="btn btn-primary" disabled={!ready || run.isPending} onClick={submit}>
            {run.isPending ? t("tagExport.exporting") : t("tagExport.submit")}
          </button>
        </>
      }
    >
      <fieldset className="export-types">
        <legend className="date-range-legend">{t("tagExport.type")}</legend>
        {TAG_EXPORT_TYPES.map((k) => (
          <div key={k} className="export-type">
            <input
              type="radio"
              id={`${noteId}-${k}`}
              name="tag-export-type"
              value={k}
              checked={type === k}
              aria-describedby={`${noteId}-${k}-hint`}
              onChange={() => {
                setType(k);
                run.reset();
              }}
            />
            <span>
              <label htmlFor={`${noteId}-${k}`} className="export-type-name">
                {t(`tagExport.${k}`)}
              </label>
              <span className="field-note" id={`${noteId}-${k}-hint`}>
                {t(`tagExport.${k}Hint`)}
              </span>
            </span>
          </div>
        ))}
      </fieldset>
      <DateRangeFields legend={t("tagExport.range")} from={days.from} to={days.to} onChange={(from, to) => {
          setDays({ from, to });
          run.reset();
        }}
        invalid={!!range.problem} describedBy={noteId} />
      {rangeText ? (
        <p className="field-error" id={noteId} role="alert">
          {rangeText}
        </p>
      ) : (
        <p className="field-note" id={noteId}>
          {t("tagExport.tooLong")}
        </p>
      )}
      {run.isError && (
        <p className="form-error" role="alert">
          {errorText(run.error)}
        </p>
      )}
      <p className="export-note">{t("tagExport.csvNote")}</p>
    </Modal>
  );
}
