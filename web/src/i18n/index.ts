/**
 * i18next: Traditional Chinese first, English second. Every UI text is in
 * zh-TW.json / en.json; domain texts ({ zh, en }) come from src/domain.
 */
import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import zhTW from "./zh-TW.json";
import en from "./en.json";

export const LANGUAGES = ["zh-TW", "en"] as const;
export type Language = (typeof LANGUAGES)[number];

// en.json must have every key of zh-TW.json (checked by tsc).
const english: typeof zhTW = en;

declare module "i18next" {
  interface CustomTypeOptions {
    defaultNS: "translation";
    resources: { translation: typeof zhTW };
  }
}

const STORAGE_KEY = "parley.language";

function saved(): Language | null {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return (LANGUAGES as readonly string[]).includes(v ?? "") ? (v as Language) : null;
  } catch {
    return null;
  }
}

const HTML_LANG: Record<Language, string> = { "zh-TW": "zh-Hant-TW", en: "en" };

void i18n.use(initReactI18next).init({
  resources: { "zh-TW": { translation: zhTW }, en: { translation: english } },
  lng: saved() ?? "zh-TW",
  fallbackLng: "zh-TW",
  supportedLngs: [...LANGUAGES],
  interpolation: { escapeValue: false },
});

const applyHtmlLang = (lng: string) => {
  document.documentElement.lang = HTML_LANG[(lng as Language)] ?? lng;
};
applyHtmlLang(i18n.language);
i18n.on("languageChanged", applyHtmlLang);

export function setLanguage(lng: Language): void {
  try {
    localStorage.setItem(STORAGE_KEY, lng);
  } catch {
    /* private mode */
  }
  void i18n.changeLanguage(lng);
}

/** The member's saved locale applies unless this browser already chose a language. */
export function applyMemberLocale(locale: string | null | undefined): void {
  if (!saved() && locale && (LANGUAGES as readonly string[]).includes(locale) && locale !== i18n.language) void i18n.changeLanguage(locale);
}

export default i18n;
