/** The eye icon's choice (PROF-4, PROF-7): a display preference of this member, remembered in this browser. */
import { useCallback, useState } from "react";

export function usePanelHidden(memberId: string): [boolean, (hidden: boolean) => void] {
  const key = `parley.panelHidden.${memberId}`;
  const [hidden, setHidden] = useState(() => {
    try {
      return localStorage.getItem(key) === "1";
    } catch {
      return false;
    }
  });
  const set = useCallback(
    (h: boolean) => {
      setHidden(h);
      try {
        if (h) localStorage.setItem(key, "1");
        else localStorage.removeItem(key);
      } catch {
        /* private mode */
      }
    },
    [key],
  );
  return [hidden, set];
}
