/** Login gate: the inbox for a signed-in member, the login page otherwise. */
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { applyMemberLocale } from "./i18n";
import { useMe } from "./hooks/queries";
import { LoginPage } from "./components/LoginPage";
import { Inbox } from "./components/Inbox";
import { Toaster } from "./components/Toaster";

export function App() {
  const { t } = useTranslation();
  const me = useMe();
  const member = me.data?.member ?? null;

  useEffect(() => applyMemberLocale(member?.locale), [member?.locale]);

  let body;
  if (me.isPending) body = <div className="splash" role="status">{t("app.loading")}</div>;
  // A failed refresh keeps the console of the member already known.
  else if (me.isError && me.data === undefined)
    body = (
      <div className="splash" role="alert">
        <p>{t("app.loadFailed")}</p>
        <button type="button" className="btn" onClick={() => void me.refetch()}>
          {t("app.retry")}
        </button>
      </div>
    );
  else if (!me.data || !member) body = <LoginPage />;
  else body = <Inbox me={me.data} member={member} />;

  return (
    <>
      {body}
      <Toaster />
    </>
  );
}
