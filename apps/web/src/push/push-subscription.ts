import type { HearthApi } from "@hearth/client";
import { API_PREFIX } from "@hearth/protocol";

/**
 * Whether this device will be told of new messages while Hearth is closed, and if not, why:
 * `unsupported` (no service worker or Push API here: an iPhone needs Hearth added to the Home
 * Screen first; private windows often have none), `blocked` (notifications refused in the
 * browser's settings), `off` (allowed but not subscribed, or the server no longer has it), `on`.
 */
export type PushState =
  | { kind: "unsupported" }
  | { kind: "blocked" }
  | { kind: "off" }
  | { kind: "on"; showSender: boolean };

const hasPush = () =>
  typeof navigator !== "undefined" &&
  "serviceWorker" in navigator &&
  typeof window !== "undefined" &&
  "PushManager" in window &&
  typeof Notification !== "undefined";

async function registration(): Promise<ServiceWorkerRegistration | undefined> {
  return (await navigator.serviceWorker.getRegistration()) ?? undefined;
}

/** This device's push state: the browser's side and the server's, both checked. */
export async function readPushState(api: HearthApi): Promise<PushState> {
  if (!hasPush()) return { kind: "unsupported" };
  if (Notification.permission === "denied") return { kind: "blocked" };
  const reg = await registration();
  if (!reg) return { kind: "unsupported" };
  const sub = await reg.pushManager.getSubscription();
  if (!sub || Notification.permission !== "granted") return { kind: "off" };
  const server = await api.call("pushStatus");
  return server.subscribed ? { kind: "on", showSender: server.showSender } : { kind: "off" };
}

const fromBase64Url = (s: string) => {
  const b = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(b, (c) => c.charCodeAt(0));
};

/**
 * Turns push on for this device (asking for the notification permission if needed), or changes
 * whether its notifications may name the sender.
 */
export async function enablePush(api: HearthApi, showSender: boolean): Promise<PushState> {
  if (!hasPush()) return { kind: "unsupported" };
  const permission =
    Notification.permission === "default" ? await Notification.requestPermission() : Notification.permission;
  if (permission === "denied") return { kind: "blocked" };
  if (permission !== "granted") return { kind: "off" };
  const reg = await registration();
  if (!reg) return { kind: "unsupported" };
  const { publicKey } = await api.call("pushKey");
  const key = fromBase64Url(publicKey);
  let sub = await reg.pushManager.getSubscription();
  if (sub && !sameKey(sub, key)) {
    // Made for another server key (a different server, or its data was reset): start over.
    await sub.unsubscribe();
    sub = null;
  }
  sub ??= await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  const json = sub.toJSON();
  const p256dh = json.keys?.p256dh;
  const auth = json.keys?.auth;
  if (!json.endpoint || !p256dh || !auth) return { kind: "off" };
  const r = await api.call("pushSubscribe", {
    body: { endpoint: json.endpoint, keys: { p256dh, auth }, showSender },
  });
  return r.subscribed ? { kind: "on", showSender: r.showSender } : { kind: "off" };
}

function sameKey(sub: PushSubscription, key: Uint8Array): boolean {
  const k = sub.options.applicationServerKey;
  if (!k) return true;
  const a = new Uint8Array(k);
  return a.length === key.length && a.every((v, i) => v === key[i]);
}

/** Turns push off for this device: the browser's subscription and the server's copy. */
export async function disablePush(api: HearthApi): Promise<PushState> {
  if (hasPush()) {
    const sub = await (await registration())?.pushManager.getSubscription();
    await sub?.unsubscribe().catch(() => false);
  }
  await api.call("pushUnsubscribe");
  return hasPush() ? { kind: "off" } : { kind: "unsupported" };
}

/**
 * Sign-out and quick exit: this device's subscription goes, on the server and in the browser,
 * without waiting. The server's copy is removed by a request that outlives the page (`keepalive`);
 * the browser's by the service worker, which outlives it too. Never throws.
 */
export function forgetPushNow(token: string | undefined): void {
  try {
    if (token) {
      void fetch(`${API_PREFIX}/push/subscription`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${token}` },
        keepalive: true,
      }).catch(() => undefined);
    }
    navigator.serviceWorker?.controller?.postMessage({ type: "push-forget" });
  } catch {
    // Leaving goes ahead regardless.
  }
}
