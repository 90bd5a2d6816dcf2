/**
 * 標籤頻次 (PROF-16, PROF-17): how many times each tag was applied to this
 * customer and when last, counting applications of tags since removed;
 * filterable by tagging time, all time while no day is picked.
 */
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { dayRange } from "../dateRange";
import { useTagFrequency } from "../hooks/queries";
import { useErrorText } from "../hooks/useErrorText";
import { fullTime } from "../util";
import { DateRangeFields } from "./DateRangeFields";
import { Modal } from "./Modal";

export function TagFrequencyButton({ contactId }: { contactId: string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="btn btn-small btn-ghost" aria-haspopup="dialog" onClick={() => setOpen(true)}>
        {t("tagFrequency.open")}
      </button>
      {open && <TagFrequencyDialog contactId={contactId} onClose={() => setOpen(false)} />}
    </>
  );
}

function TagFrequencyDialog({ contactId, onClose }: { contactId: string; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const noteId = useId();
  const [days, setDays] = useState({ from: "", to: "" });
  const { problem, ...range } = dayRange(days.from, days.to);
  const frequency = useTagFrequency(contactId, range, !problem);
  const items = frequency.data ?? [];
  const filtered = Boolean(days.from || days.to);

  return (
    <Modal title={t("tagFrequency.title")} onClose={onClose} className="tag-frequency">
      <DateRangeFields legend={t("tagFrequency.range")} from={days.from} to={days.to} onChange={(from, to) => setDays({ from, to })} invalid={!!problem} describedBy={noteId}>
        {filtered && (
          <button type="button" className="btn btn-small btn-ghost date-range-clear" onClick={() => setDays({ from: "", to: "" })}>
            {t("dateRange.clear")}
          </button>
        )}
      </DateRangeFields>
      {problem ? (
        <p className="field-error" id={noteId} role="alert">
          {t("dateRange.order")}
        </p>
      ) : (
        <p className="field-note" id={noteId}>
          {filtered ? t("tagFrequency.inRange") : t("tagFrequency.allTime")}
        </p>
      )}
      {frequency.isError ? (
        <p className="form-error" role="alert">
          {errorText(frequency.error)}
        </p>
      ) : frequency.isPending && !problem ? (
        <div className="frequency-loading" aria-busy="true" />
      ) : items.length === 0 || problem ? (
        <p className="muted frequency-empty">{t("tagFrequency.empty")}</p>
      ) : (
        <table className="frequency-table" aria-label={t("tagFrequency.table")} aria-busy={frequency.isFetching || undefined}>
          <thead>
            <tr>
              <th scope="col">{t("tagFrequency.tag")}</th>
              <th scope="col" className="num">
                {t("tagFrequency.count")}
              </th>
              <th scope="col">{t("tagFrequency.last")}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((f) => (
              <tr key={f.tagId}>
                <th scope="row">{f.name}</th>
                <td className="num">{f.count}</td>
                <td>{fullTime(f.lastAppliedAt, i18n.language)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Modal>
  );
}
