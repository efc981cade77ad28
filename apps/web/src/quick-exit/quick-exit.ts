/**
 * Quick exit: leave Hearth instantly for a neutral page, leaving nothing of Hearth behind in the
 * tab's back-button history.
 *
 * Why an outside site and not a local `/weather.html`: a local page would keep Hearth's own
 * address (often "therapy.example.org") in the address bar and in history, which is exactly what
 * someone reading over a shoulder would notice. A widely used weather page is unremarkable. The
 * server sends `Referrer-Policy: no-referrer`, so the weather site is not told where the person
 * came from. If the network is down, the browser shows its own offline page for that address,
 * which still shows nothing of Hearth.
 *
 * How the history stays clean: the app keeps exactly one history entry (the router navigates with
 * `history.replaceState`, see `router/router.ts`), and the exit uses `location.replace`, which
 * swaps that one entry for the neutral page. As a second line of defence, a flag in
 * sessionStorage (per tab) makes any Hearth page reached with Back/Forward leave again at once.
 *
 * What stays behind is a signed-in device, so leaving also locks it (session/app-lock.ts): whoever
 * types Hearth's address afterwards meets the lock screen, and only the password (or the person's
 * PIN) opens the conversations again. The person can turn that off in Settings.
 */
import { lockForQuickExit } from "../session/app-lock.ts";
import { loadSession } from "../session/saved-session.ts";

/** Where quick exit goes. */
export const QUICK_EXIT_URL = "https://www.bbc.com/weather";

/** Two presses of Escape within this many milliseconds leave. */
export const DOUBLE_ESCAPE_MS = 1500;

const EXITED_KEY = "hearth.exited";

let teardown: (() => void) | undefined;

/** Registers what must be cleared from memory on exit (the React tree, cached secrets). */
export function setQuickExitTeardown(fn: () => void): void {
  teardown = fn;
}

function markExited(): void {
  try {
    sessionStorage.clear();
    sessionStorage.setItem(EXITED_KEY, "1");
  } catch {
    // No session storage: the single history entry is still replaced.
  }
}

/** Leaves now: clears the UI from memory and the screen, then replaces this history entry. */
export function quickExit(url: string = QUICK_EXIT_URL): void {
  // First, and synchronously: the lock must be written even if the page is gone a moment later.
  lockForQuickExit(loadSession() !== undefined);
  markExited();
  try {
    teardown?.();
  } catch {
    // Leaving matters more than a clean unmount.
  }
  document.title = "";
  document.body.replaceChildren();
  location.replace(url);
}

/**
 * Call once, before rendering. If this tab used quick exit and the person (or someone else) came
 * back with Back/Forward, leave again before anything is shown. A fresh visit (typing the
 * address, a link, a reload) clears the flag: the person came back on purpose.
 *
 * @returns true when the page is leaving (do not render).
 */
export function leaveIfReturningAfterExit(url: string = QUICK_EXIT_URL): boolean {
  let exited = false;
  try {
    exited = sessionStorage.getItem(EXITED_KEY) === "1";
  } catch {
    exited = false;
  }
  // A page restored from the back/forward cache does not run this module again: catch it here.
  window.addEventListener("pageshow", (event) => {
    let flagged = false;
    try {
      flagged = sessionStorage.getItem(EXITED_KEY) === "1";
    } catch {
      flagged = false;
    }
    if (event.persisted && flagged) {
      document.body.replaceChildren();
      location.replace(url);
    }
  });
  if (!exited) return false;
  const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
  if (nav?.type === "back_forward") {
    location.replace(url);
    return true;
  }
  try {
    sessionStorage.removeItem(EXITED_KEY);
  } catch {
    // Nothing to clear.
  }
  return false;
}

/**
 * Listens for Escape pressed twice within {@link DOUBLE_ESCAPE_MS} anywhere in the page (capture
 * phase, so no component can swallow it). Held-down keys and IME composition do not count.
 *
 * @returns a function that removes the listener.
 */
export function installQuickExitKeys(onExit: () => void = () => quickExit()): () => void {
  let last = Number.NEGATIVE_INFINITY;
  const onKey = (event: KeyboardEvent) => {
    if (event.key !== "Escape" || event.repeat || event.isComposing) return;
    const now = event.timeStamp;
    if (now - last <= DOUBLE_ESCAPE_MS) {
      last = Number.NEGATIVE_INFINITY;
      onExit();
    } else {
      last = now;
    }
  };
  window.addEventListener("keydown", onKey, { capture: true });
  return () => window.removeEventListener("keydown", onKey, { capture: true });
}
