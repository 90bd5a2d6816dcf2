/** Email + password → POST /api/auth/login (the server sets the HttpOnly session cookie), then GET /api/me. */
import { useState, type FormEvent } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api } from "../api";
import { replaceSession } from "../hooks/queries";
import { useErrorText } from "../hooks/useErrorText";
import { LanguageSwitch } from "./LanguageSwitch";

export function LoginPage() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const errorText = useErrorText();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.login(email.trim(), password);
      replaceSession(qc, await api.me());
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  }

  return (
    <div className="login">
      <form className="login-card" onSubmit={submit} aria-labelledby="login-title" noValidate={false}>
        <div className="login-brand">
          <span className="logo" aria-hidden="true" />
          <span>{t("app.name")}</span>
        </div>
        <h1 id="login-title">{t("login.title")}</h1>
        <p className="muted">{t("login.subtitle")}</p>
        <label className="field">
          <span>{t("login.email")}</span>
          <input type="email" autoComplete="username" required autoFocus value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label className="field">
          <span>{t("login.password")}</span>
          <input type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        <p className="form-error" role="alert">
          {error}
        </p>
        <button type="submit" className="btn btn-primary btn-block" disabled={busy || !email || !password}>
          {busy ? t("login.submitting") : t("login.submit")}
        </button>
        <div className="login-footer">
          <LanguageSwitch />
        </div>
      </form>
    </div>
  );
}
