import type { HearthApi } from "@hearth/client";
import { useEffect, useState } from "react";
import { navigate } from "../router/router.ts";

const PUSH_FRAGMENT = /^#(push|checkin)=([A-Za-z0-9_-]{22})$/;

/** The reference to open, and whether it was a check-in reminder (open the check-in, not the chat). */
let pending: string | undefined;
let pendingCheckin = false;
const listeners = new Set<() => void>();

function setPending(ref: string | undefined, checkin = false) {
  pending = ref;
  pendingCheckin = checkin;
  for (const l of listeners) l();
}

/**
 * Call once, before rendering: a notification click opened Hearth at `/conversations#push=<ref>`.
 * The reference is taken out of the address bar (and the history entry) at once and kept in memory
 * until the person is signed in. A click while Hearth is open arrives from the service worker as
 * a message instead.
 */
export function capturePushRef(): void {
  const m = PUSH_FRAGMENT.exec(location.hash);
  if (m?.[2]) {
    setPending(m[2], m[1] === "checkin");
    history.replaceState(history.state, "", location.pathname + location.search);
  }
  navigator.serviceWorker?.addEventListener("message", (event: MessageEvent) => {
    const data = event.data as { type?: unknown; ref?: unknown; checkin?: unknown } | null;
    if (data?.type === "open-push" && typeof data.ref === "string" && /^[A-Za-z0-9_-]{22}$/.test(data.ref)) {
      setPending(data.ref, data.checkin === true);
    }
  });
}

/** Forgets a reference not yet opened (sign-out, quick exit). */
export function forgetPushRef(): void {
  setPending(undefined);
}

/**
 * Once signed in and unlocked, opens the conversation a notification was about: the server says
 * which one the reference names for this device (the push itself names none). A reference it does
 * not know (an older subscription) leaves the person on the conversation list.
 */
export function useOpenFromPush(api: HearthApi | undefined, ready: boolean): void {
  const [ref, setRef] = useState(pending);
  useEffect(() => {
    const l = () => setRef(pending);
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, []);
  useEffect(() => {
    if (!api || !ready || !ref) return;
    const checkin = pendingCheckin;
    setPending(undefined);
    api
      .call("pushRef", { params: { ref } })
      .then((r) => navigate(`/conversations/${r.conversationId}${checkin ? "/checkin" : ""}`))
      .catch(() => navigate("/conversations"));
  }, [api, ready, ref]);
}
