import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import "./i18n";
import "./styles.css";
import { ApiError, api, setUnauthorizedHandler } from "./api";
import { App } from "./App";
import { keys } from "./hooks/queries";
import { closeSocket, getSocket, onAccessChanged, reconnectSocket } from "./socket";

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      // A refusal (4xx) will not change by asking again; network and 5xx errors are retried.
      retry: (count, e) => !(e instanceof ApiError && e.status >= 400 && e.status < 500) && count < 2,
    },
  },
});

// Session expired or revoked: back to the login page.
setUnauthorizedHandler(() => {
  closeSocket();
  queryClient.setQueryData(keys.me, null);
});

// The realtime server closed or refused the socket: if the session still holds
// (e.g. the role changed), reload who the member is and reconnect; if not, the
// 401 of GET /api/me leads to the login page. A server that cannot be reached
// (a restart) is asked again with a growing pause until it answers, unless the
// member reconnected meanwhile with 「重新連線」.
function checkAccess(serverClosed: boolean, attempt = 0): void {
  api
    .me()
    .then((me) => {
      queryClient.setQueryData(keys.me, me);
      if (!me?.member) return;
      void queryClient.invalidateQueries({ predicate: (q) => q.queryKey[0] !== keys.me[0] });
      if (serverClosed && !getSocket().connected) reconnectSocket();
    })
    .catch(() => {
      if (!serverClosed) return;
      window.setTimeout(() => {
        if (!getSocket().connected) checkAccess(true, attempt + 1);
      }, Math.min(1000 * 2 ** attempt, 10_000));
    });
}
onAccessChanged((serverClosed) => checkAccess(serverClosed));

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
