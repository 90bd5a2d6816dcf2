/** Top bar: product, workspace, the tag export (PROF-22, for roles allowed it), the signed-in member with their role, language, logout. */
import { useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api } from "../api";
import { ROLE_NAMES, localized } from "../domain";
import { replaceSession } from "../hooks/queries";
import { closeSocket } from "../socket";
import type { Me } from "../types";
import { initialOf } from "../util";
import { LanguageSwitch } from "./LanguageSwitch";
import { TagExportButton } from "./TagExport";

export function AppHeader({ me, member }: { me: Me; member: NonNullable<Me["member"]> }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();

  async function logout() {
    await api.logout().catch(() => {});
    closeSocket();
    // The URL stays: signing in again returns to the same place.
    replaceSession(qc, null);
  }

  return (
    <header className="app-header">
      <div className="brand">
        <span className="logo" aria-hidden="true" />
        <span className="brand-name">{t("app.name")}</span>
        <span className="workspace-name">{me.workspace.name}</span>
      </div>
      <div className="header-right">
        <TagExportButton me={me} />
        <div className="who" aria-label={t("header.account")}>
          <span className="avatar avatar-sm" aria-hidden="true">
            {initialOf(member.name)}
          </span>
          <span className="who-text">
            <span className="who-name">{member.name}</span>
            <span className="who-role">{localized(ROLE_NAMES[member.role], i18n.language)}</span>
          </span>
        </div>
        <LanguageSwitch persist />
        <button type="button" className="btn btn-ghost" onClick={() => void logout()}>
          {t("header.logout")}
        </button>
      </div>
    </header>
  );
}
