import { SESSION_KEY } from "../../session/saved-session.ts";

/** What a signed-in page does when the browser tells it something. */
export interface PageHandlers {
  /** The session token this tab holds (to tell another tab's sign-in from its own). */
  token: string;
  /** Another tab signed out, or signed in as someone else: this tab's session is over too. */
  onSignedOutInAnotherTab: () => void;
  /** The network is back, or the page came to the front: reconnect now, not after the backoff. */
  onBack: () => void;
  /** The browser says the network is gone. */
  onNetworkLost: () => void;
  /** The page went to the background. */
  onHidden: () => void;
  /** The page came to the front. */
  onShown: () => void;
}

/**
 * Listens to the page's `storage`, `online`, `offline` and `visibilitychange` events; answers
 * the function that stops listening.
 */
export function watchPage(h: PageHandlers): () => void {
  const onStorage = (e: StorageEvent): void => {
    if (e.key !== SESSION_KEY && e.key !== null) return;
    let token: unknown;
    try {
      token =
        e.key === null ? undefined : (JSON.parse(e.newValue ?? "null") as { token?: unknown } | null)?.token;
    } catch {
      token = undefined;
    }
    if (token === h.token) return;
    h.onSignedOutInAnotherTab();
  };
  const onVisibility = (): void => {
    if (document.visibilityState === "hidden") h.onHidden();
    else h.onShown();
  };
  window.addEventListener("storage", onStorage);
  window.addEventListener("online", h.onBack);
  window.addEventListener("offline", h.onNetworkLost);
  document.addEventListener("visibilitychange", onVisibility);
  return () => {
    window.removeEventListener("storage", onStorage);
    window.removeEventListener("online", h.onBack);
    window.removeEventListener("offline", h.onNetworkLost);
    document.removeEventListener("visibilitychange", onVisibility);
  };
}
