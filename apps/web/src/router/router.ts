import { useSyncExternalStore } from "react";

/** The screens of the app. */
export type Route =
  | { name: "welcome" }
  | { name: "setup" }
  | { name: "invite" }
  | { name: "conversations" }
  | { name: "search" }
  | { name: "upcoming" }
  | {
      name: "chat";
      id: string;
      /** A message to show first (`?m=`, from search). */
      messageId?: string;
    }
  /** A conversation's check-ins: answer (patient), plans, trends and export (therapist). */
  | { name: "checkins"; id: string }
  | { name: "settings" }
  | { name: "admin" }
  | { name: "admin-audit" }
  | { name: "sign-in-link" }
  | { name: "not-found" };

/** Screens shown only to a signed-in person (they get the main navigation). */
export const SIGNED_IN_ROUTES: ReadonlySet<Route["name"]> = new Set([
  "conversations",
  "chat",
  "checkins",
  "search",
  "upcoming",
  "settings",
  "admin",
  "admin-audit",
]);

/** A message id as it may appear in `?m=` (checked loosely here; the chat looks it up). */
const MESSAGE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Maps a path (and its query string, e.g. `?m=` on a conversation) to its route. Secrets never
 * appear in paths: setup and invite tokens ride in the fragment.
 */
export function matchRoute(pathname: string, search = ""): Route {
  const path = pathname.replace(/\/+$/, "") || "/";
  if (path === "/") return { name: "welcome" };
  if (path === "/setup") return { name: "setup" };
  if (path === "/invite") return { name: "invite" };
  if (path === "/conversations") return { name: "conversations" };
  if (path === "/search") return { name: "search" };
  if (path === "/upcoming") return { name: "upcoming" };
  if (path === "/settings") return { name: "settings" };
  if (path === "/admin") return { name: "admin" };
  if (path === "/admin/audit") return { name: "admin-audit" };
  if (path === "/sign-in-link") return { name: "sign-in-link" };
  const checkins = /^\/conversations\/([A-Za-z0-9_-]{1,64})\/checkin$/.exec(path);
  if (checkins?.[1]) return { name: "checkins", id: checkins[1] };
  const chat = /^\/conversations\/([A-Za-z0-9_-]{1,64})$/.exec(path);
  if (chat?.[1]) {
    const messageId = new URLSearchParams(search).get("m");
    return messageId && MESSAGE_ID.test(messageId)
      ? { name: "chat", id: chat[1], messageId }
      : { name: "chat", id: chat[1] };
  }
  return { name: "not-found" };
}

const NAVIGATE_EVENT = "hearth:navigate";

/**
 * Goes to `path` inside the app. It *replaces* the current history entry instead of pushing a
 * new one, on purpose: the app then occupies one entry in the tab's history, and quick exit's
 * `location.replace` removes Hearth from the history completely (no Back into a conversation).
 * The cost is that the browser's Back button leaves the app rather than stepping back inside
 * it; every screen has its own way back instead.
 */
export function navigate(path: string): void {
  history.replaceState(null, "", path);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener("popstate", onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener("popstate", onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

const pathAndQuery = () => location.pathname + location.search;

/** The current route, re-rendering on navigation. */
export function useRoute(): Route {
  const url = useSyncExternalStore(subscribe, pathAndQuery);
  const q = url.indexOf("?");
  return q < 0 ? matchRoute(url) : matchRoute(url.slice(0, q), url.slice(q));
}

let captured: { path: string; secret: string } | undefined;

/**
 * Moves a one-time secret (setup or invite token) out of the URL fragment into memory and
 * removes it from the address bar and the history entry, so it is neither shown on screen nor
 * left in history. Call once at startup. Fragments are never sent to the server.
 */
export function captureFragmentSecret(): void {
  const secret = location.hash.slice(1);
  if (!secret) return;
  let decoded = secret;
  try {
    decoded = decodeURIComponent(secret);
  } catch {
    // A malformed escape: keep the raw text; the server will refuse it if it is wrong.
  }
  captured = { path: location.pathname, secret: decoded };
  history.replaceState(null, "", location.pathname + location.search);
}

/** The secret captured for `path` by {@link captureFragmentSecret}, if any. */
export function fragmentSecret(path: string): string | undefined {
  return captured?.path === path ? captured.secret : undefined;
}

/** Forgets the captured secret (on quick exit, and once it has been used). */
export function forgetFragmentSecret(): void {
  captured = undefined;
}
