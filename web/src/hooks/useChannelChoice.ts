/**
 * The channel filter, remembered per member until changed (VIEW-8): on the
 * server (GET/PATCH /api/me/preferences, so it follows the member to other
 * browsers), and in this browser for an instant first paint.
 */
import { useCallback, useEffect, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { api } from "../api";
import { keys } from "./keys";
import { useChannels } from "./queries";

export function useChannelChoice(memberId: string): [string | null, (id: string | null) => void] {
  const storageKey = `parley.channel.${memberId}`;
  const [channelId, setChannelId] = useState<string | null>(() => {
    try {
      return localStorage.getItem(storageKey);
    } catch {
      return null;
    }
  });
  const channels = useChannels();
  const saved = useQuery({ queryKey: keys.preferences, queryFn: api.preferences, staleTime: Infinity, retry: false });

  const remember = useCallback(
    (id: string | null) => {
      setChannelId(id);
      try {
        if (id) localStorage.setItem(storageKey, id);
        else localStorage.removeItem(storageKey);
      } catch {
        /* private mode */
      }
    },
    [storageKey],
  );

  const choose = useCallback(
    (id: string | null) => {
      remember(id);
      api.savePreferences({ channelId: id }).catch(() => {});
    },
    [remember],
  );

  // The server's choice wins once it is known (another browser may have changed it).
  const serverChoice = saved.data && "channelId" in saved.data ? (saved.data.channelId ?? null) : undefined;
  useEffect(() => {
    if (serverChoice !== undefined) remember(serverChoice);
  }, [serverChoice, remember]);

  // A remembered channel that no longer exists falls back to 「所有事件」.
  useEffect(() => {
    if (channelId && channels.data && !channels.data.some((c) => c.id === channelId)) choose(null);
  }, [channelId, channels.data, choose]);

  return [channelId, choose];
}
