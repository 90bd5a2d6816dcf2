/** A first and a last day (two date inputs) in a labelled group, for 標籤頻次 and the tag export. */
import { useId, type ReactNode } from "react";
import { useTranslation } from "react-i18next";

interface Props {
  legend: string;
  from: string;
  to: string;
  onChange: (from: string, to: string) => void;
  invalid?: boolean;
  /** Id of the element explaining the range (its note or error). */
  describedBy?: string;
  children?: ReactNode;
}

export function DateRangeFields({ legend, from, to, onChange, invalid, describedBy, children }: Props) {
  const { t } = useTranslation();
  const id = useId();
  const common = { "aria-invalid": invalid || undefined, "aria-describedby": describedBy };
  return (
    <fieldset className="date-range">
      <legend className="date-range-legend">{legend}</legend>
      <div className="date-range-fields">
        <div className="field">
          <label htmlFor={`${id}-from`}>{t("dateRange.from")}</label>
          <input id={`${id}-from`} type="date" value={from} max={to || undefined} onChange={(e) => onChange(e.target.value, to)} {...common} />
        </div>
        <span className="date-range-dash" aria-hidden="true">
          –
        </span>
        <div className="field">
          <label htmlFor={`${id}-to`}>{t("dateRange.to")}</label>
          <input id={`${id}-to`} type="date" value={to} min={from || undefined} onChange={(e) => onChange(from, e.target.value)} {...common} />
        </div>
        {children}
      </div>
    </fieldset>
  );
}
