/** The text of an error in the UI language: the API's message (its English one in English), or a generic text. */
import { useCallback } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../api";

export function useErrorText(): (e: unknown) => string {
  const { t, i18n } = useTranslation();
  return useCallback((e: unknown) => (e instanceof ApiError ? e.localizedMessage(i18n.language) : t("errors.generic")), [t, i18n.language]);
}
