import { useTranslation } from "react-i18next";
import { api } from "../api";
import { LANGUAGES, setLanguage, type Language } from "../i18n";

/** zh-TW / English; signed in, the choice is also saved as the member's locale. */
export function LanguageSwitch({ persist = false }: { persist?: boolean }) {
  const { t, i18n } = useTranslation();
  return (
    <label className="language-switch">
      <span className="sr-only">{t("header.language")}</span>
      <span aria-hidden="true" className="globe">
        文/A
      </span>
      <select value={i18n.language} onChange={(e) => {
          const lng = e.target.value as Language;
          setLanguage(lng);
          if (persist) api.savePreferences({ locale: lng }).catch(() => {});
        }}>
        {LANGUAGES.map((l) => (
          <option key={l} value={l}>
            {t(`language.${l}`)}
          </option>
        ))}
      </select>
    </label>
  );
}
