/*
 * Hearth's service worker, its Web Push part: the `push` and `notificationclick` handlers.
 * build/service-worker-plugin.ts appends this file to service-worker.js (one worker, one file).
 *
 * A push carries only `{v, kind, ref}` — `ref` an opaque reference to a conversation that only the
 * server can resolve for this device — and a sender's user id only if this device chose to see who
 * wrote. Every push shows a notification (Safari withdraws a subscription whose pushes show none),
 * and it says nothing a locked screen should not: "New message in Hearth". A click opens Hearth;
 * after sign-in (and unlock) the app resolves the reference and opens the conversation.
 */

const PUSH_TAG = "hearth-new-message";
const REMINDER_TAG = "hearth-reminder";
const PUSH_REF = /^[A-Za-z0-9_-]{22}$/;
/** Where the app keeps the names this device may show (only when it chose to see who wrote). */
const PUSH_NAMES_CACHE = "hearth-push-names";
const PUSH_NAMES_URL = "/__hearth/push-names.json";

/** The conversation reference of a push's data or a notification's data, if well formed. */
function pushRefOf(data) {
  return data && typeof data.ref === "string" && PUSH_REF.test(data.ref) ? data.ref : undefined;
}

/** Where a click on a notification leads: the conversation list, told which conversation to open. */
function notificationTarget(data) {
  if (data && data.reminder === true) return "/upcoming";
  const ref = pushRefOf(data);
  if (!ref) return "/conversations";
  // A check-in reminder opens the check-in itself (the first of the patient's two taps).
  return data.kind === "checkin" ? `/conversations#checkin=${ref}` : `/conversations#push=${ref}`;
}

/** A name for `userId` from the names the app stored for this device, if it stored any. */
async function pushSenderName(userId) {
  try {
    const cache = await caches.open(PUSH_NAMES_CACHE);
    const res = await cache.match(PUSH_NAMES_URL);
    if (!res) return undefined;
    const names = await res.json();
    const name = names && typeof names[userId] === "string" ? names[userId] : undefined;
    return name && name.length <= 64 ? name : undefined;
  } catch {
    return undefined;
  }
}

self.addEventListener("push", (event) => {
  let data;
  try {
    data = event.data ? event.data.json() : undefined;
  } catch {
    data = undefined;
  }
  const ref = pushRefOf(data);
  if (data && data.kind === "reminder") {
    // An appointment reminder: content-free unless the person chose to see the time.
    const at = typeof data.at === "string" ? new Date(data.at) : undefined;
    const time =
      at && !Number.isNaN(at.getTime())
        ? at.toLocaleString(undefined, { weekday: "long", hour: "2-digit", minute: "2-digit" })
        : undefined;
    event.waitUntil(
      self.registration.showNotification("Hearth", {
        body: time ? `Reminder from Hearth: session ${time}` : "Reminder from Hearth",
        tag: REMINDER_TAG,
        renotify: false,
        icon: "/icons/icon-192.png",
        data: { reminder: true },
      }),
    );
    return;
  }
  if (data && data.kind === "checkin") {
    // A check-in reminder names nothing: not the questionnaire, not the therapist.
    event.waitUntil(
      self.registration.showNotification("Hearth", {
        body: "Reminder from Hearth",
        tag: "hearth-checkin",
        renotify: false,
        icon: "/icons/icon-192.png",
        data: ref ? { ref, kind: "checkin" } : {},
      }),
    );
    return;
  }
  if (data && data.kind === "call") {
    // A call rings while Hearth is closed: who calls is not said (a locked screen may be seen by
    // others). Opening it opens the conversation, where the call rings (the caller rings again).
    event.waitUntil(
      self.registration.showNotification("Hearth", {
        body: "Incoming call in Hearth",
        tag: "hearth-call",
        renotify: true,
        requireInteraction: true,
        icon: "/icons/icon-192.png",
        data: ref ? { ref } : {},
      }),
    );
    return;
  }
  event.waitUntil(
    (async () => {
      const name = data && typeof data.sender === "string" ? await pushSenderName(data.sender) : undefined;
      await self.registration.showNotification("Hearth", {
        body: name ? `New message from ${name}` : "New message in Hearth",
        tag: PUSH_TAG,
        renotify: false,
        icon: "/icons/icon-192.png",
        data: ref ? { ref } : {},
      });
    })(),
  );
});

// Opening a notification brings Hearth forward (or opens it) at the conversation it is about.
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const data = event.notification.data;
  const ref = pushRefOf(data);
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((w) => new URL(w.url).origin === self.location.origin);
      if (!open) return self.clients.openWindow(notificationTarget(data));
      if (ref) {
        open.postMessage(
          data.kind === "checkin" ? { type: "open-push", ref, checkin: true } : { type: "open-push", ref },
        );
      }
      return open.focus();
    }),
  );
});

// Sign-out and quick exit: this device's push subscription goes (the page may be gone already),
// with the names it kept for notifications.
self.addEventListener("message", (event) => {
  if (event.data?.type !== "push-forget") return;
  event.waitUntil(
    self.registration.pushManager
      .getSubscription()
      .then((s) => s?.unsubscribe())
      .catch(() => undefined)
      .then(() => caches.delete(PUSH_NAMES_CACHE)),
  );
});
