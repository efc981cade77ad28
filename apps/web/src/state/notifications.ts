/**
 * The one notification Hearth shows: "New message", with no name, no text and nothing of the
 * conversation, so a locked or shared screen gives nothing away. One tag, so a backlog after a
 * reconnect replaces rather than stacks. It is taken away as soon as it has done its job: when
 * Hearth comes to the front, when everything was read (here or on another device), on sign-out and
 * on quick exit.
 */

const TAG = "hearth-new-message";
/** Asks the service worker to close Hearth's notifications (it outlives a page that is leaving). */
const CLEAR_MESSAGE = { type: "clear-notifications" } as const;

/** A notification the page showed itself (no service worker). */
let shownByPage: Notification | undefined;

/** Shows (or replaces) the content-free notification. Never throws. */
export function showNewMessageNotification(): void {
  if (typeof Notification === "undefined" || Notification.permission !== "granted") return;
  const options: NotificationOptions = { body: "New message", tag: TAG, icon: "/icons/icon-192.png" };
  void (async () => {
    try {
      const registration = await navigator.serviceWorker?.getRegistration();
      if (registration) {
        await registration.showNotification("Hearth", options);
      } else {
        shownByPage?.close();
        shownByPage = new Notification("Hearth", options);
      }
    } catch {
      // Notifications are a convenience: never let them disturb delivery.
    }
  })();
}

/**
 * Closes Hearth's notifications. Synchronous where it matters: quick exit navigates away at once,
 * so the service worker is told by message (it finishes the job after the page is gone).
 */
export function clearNotifications(): void {
  try {
    shownByPage?.close();
    shownByPage = undefined;
    navigator.serviceWorker?.controller?.postMessage(CLEAR_MESSAGE);
    void navigator.serviceWorker
      ?.getRegistration()
      .then((r) => r?.getNotifications({ tag: TAG }))
      .then((shown) => {
        for (const n of shown ?? []) n.close();
      })
      .catch(() => undefined);
  } catch {
    // Nothing to close, or no way to: leaving still goes ahead.
  }
}
