// The shared styles first, in this order: each component's own CSS (imported beside it) comes
// after them, as the sections of one stylesheet did, so a component's rules win over the generic
// ones they refine (and the phone .page padding in screens.css stays after .page--chat).
import "./styles/app.css";
import "./styles/buttons.css";
import "./styles/page.css";
import "./styles/forms.css";
import "./styles/screens.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app.tsx";
import { capturePushRef, forgetPushRef } from "./push/open-from-push.ts";
import { forgetPushNow } from "./push/push-subscription.ts";
import {
  installQuickExitKeys,
  leaveIfReturningAfterExit,
  setQuickExitTeardown,
} from "./quick-exit/quick-exit.ts";
import { captureFragmentSecret, forgetFragmentSecret } from "./router/router.ts";
import { loadSession } from "./session/saved-session.ts";
import { clearNotifications } from "./state/notifications.ts";
import { applyTheme, storedTheme } from "./theme/theme.ts";

function start(): void {
  // Before anything is shown: someone pressing Back after a quick exit must not see Hearth.
  if (leaveIfReturningAfterExit()) return;
  // Take a notification click's conversation reference (`#push=`), then setup/invite tokens, out
  // of the address bar (and the history entry) right away.
  capturePushRef();
  captureFragmentSecret();
  applyTheme(storedTheme(), false);
  installQuickExitKeys();
  // A file dropped anywhere but a conversation must not make the browser leave Hearth to open it.
  for (const type of ["dragover", "drop"] as const) {
    window.addEventListener(type, (e) => {
      if (e.dataTransfer?.types.includes("Files")) e.preventDefault();
    });
  }

  const container = document.getElementById("root");
  if (!container) throw new Error("index.html has no #root");
  const root = createRoot(container);
  setQuickExitTeardown(() => {
    forgetFragmentSecret();
    clearNotifications();
    forgetPushRef();
    forgetPushNow(loadSession()?.token);
    root.unmount();
  });
  root.render(
    <StrictMode>
      <App />
    </StrictMode>,
  );

  // The service worker keeps the app shell and the crisis directory available offline.
  if (import.meta.env.PROD && "serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
      // Not fatal: the app still works online. (Private windows may refuse service workers.)
    });
  }
}

start();
