/**
 * Client routes: /login and /inbox/:view/:conversationId?. The server answers
 * index.html for these paths (src/api/static.ts), so links can be shared and
 * reloaded.
 */
import { useSyncExternalStore } from "react";

const EVENT = "parley:navigate";

function subscribe(cb: () => void): () => void {
  window.addEventListener("popstate", cb);
  window.addEventListener(EVENT, cb);
  return () => {
    window.removeEventListener("popstate", cb);
    window.removeEventListener(EVENT, cb);
  };
}

export function navigate(path: string, opts: { replace?: boolean } = {}): void {
  if (window.location.pathname === path) return;
  if (opts.replace) window.history.replaceState(null, "", path);
  else window.history.pushState(null, "", path);
  window.dispatchEvent(new Event(EVENT));
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

export interface InboxRoute {
  view: string | null;
  conversationId: string | null;
}

export function parseInboxPath(path: string): InboxRoute {
  const m = /^\/inbox(?:\/([a-z_]+))?(?:\/([0-9a-f-]{36}))?\/?$/i.exec(path);
  return { view: m?.[1] ?? null, conversationId: m?.[2] ?? null };
}

export function inboxPath(view: string, conversationId?: string | null): string {
  return `/inbox/${view}${conversationId ? `/${conversationId}` : ""}`;
}
