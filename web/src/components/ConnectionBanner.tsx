/** 「連線已中斷」 with a 「重新連線」 button while the realtime connection is down (ADV-46). */
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { reconnectSocket, useConnectionStatus } from "../socket";
import { toast } from "../toast";

export function ConnectionBanner() {
  const { t } = useTranslation();
  const status = useConnectionStatus();
  const [lost, setLost] = useState(false);
  const wasLost = useRef(false);

  useEffect(() => {
    if (status === "disconnected") {
      setLost(true);
      wasLost.current = true;
    } else if (status === "connected") {
      setLost(false);
      if (wasLost.current) toast(t("connection.restored"), "success");
      wasLost.current = false;
    } else if (status === "idle") setLost(false);
  }, [status, t]);

  if (!lost) return null;
  const connecting = status === "connecting";
  return (
    <div className="connection-banner" role="alert">
      <span className="banner-icon" aria-hidden="true">
        !
      </span>
      <span className="banner-text">
        <strong>{t("connection.lost")}</strong>
        <span className="banner-hint">{t("connection.hint")}</span>
      </span>
      <button type="button" className="btn btn-small" onClick={reconnectSocket} disabled={connecting}>
        {connecting ? t("connection.reconnecting") : t("connection.reconnect")}
      </button>
    </div>
  );
}
