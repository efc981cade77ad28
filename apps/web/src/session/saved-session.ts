import type { Role, SessionResponse } from "@hearth/protocol";
import { clearLock } from "./app-lock.ts";

/** What this device remembers of its sign-in: the device session token and who it belongs to. */
export interface SavedSession {
  token: string;
  userId: string;
  deviceId: string;
  role: Role;
}

/** Where the session is kept (another tab removing or replacing it means this tab was signed out). */
export const SESSION_KEY = "hearth.session";
const PRIVACY_KEY = "hearth.privacy";
const DISPLAY_KEY = "hearth.display";

/** The saved session, if this device is signed in. */
export function loadSession(): SavedSession | undefined {
  try {
    const raw = localStorage.getItem(SESSION_KEY);
    if (!raw) return undefined;
    const s = JSON.parse(raw) as Partial<SavedSession>;
    if (typeof s.token !== "string" || typeof s.userId !== "string" || typeof s.role !== "string")
      return undefined;
    return { token: s.token, userId: s.userId, deviceId: String(s.deviceId ?? ""), role: s.role };
  } catch {
    return undefined;
  }
}

/** Remembers a new device session (from setup, sign-in or an accepted invite). */
export function saveSession(r: SessionResponse): SavedSession {
  const s: SavedSession = { token: r.token, userId: r.userId, deviceId: r.deviceId, role: r.role };
  // A new sign-in starts unlocked, whatever an earlier session on this device left behind.
  clearLock();
  try {
    localStorage.setItem(SESSION_KEY, JSON.stringify(s));
  } catch {
    // Private mode without storage: signed in for this page only.
  }
  return s;
}

/** Forgets the session on this device. */
export function clearSession(): void {
  try {
    localStorage.removeItem(SESSION_KEY);
    localStorage.removeItem(PRIVACY_KEY);
    localStorage.removeItem(DISPLAY_KEY);
  } catch {
    // Nothing stored.
  }
  clearLock();
}

/** This device's privacy choices (the SDK's `sendReadReceipts` and `sendTyping`). */
export interface Privacy {
  sendReadReceipts: boolean;
  sendTyping: boolean;
}

/** The stored privacy choices; both on by default. */
export function loadPrivacy(): Privacy {
  try {
    const p = JSON.parse(localStorage.getItem(PRIVACY_KEY) ?? "{}") as Partial<Privacy>;
    return { sendReadReceipts: p.sendReadReceipts !== false, sendTyping: p.sendTyping !== false };
  } catch {
    return { sendReadReceipts: true, sendTyping: true };
  }
}

/** Stores the privacy choices for this device. */
export function savePrivacy(p: Privacy): void {
  try {
    localStorage.setItem(PRIVACY_KEY, JSON.stringify(p));
  } catch {
    // Lasts for this page only.
  }
}

/** A human name for this device, from the browser ("Chrome on Linux"). */
export function deviceName(): string {
  const ua = navigator.userAgent;
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /Firefox\//.test(ua)
      ? "Firefox"
      : /Chrome\//.test(ua)
        ? "Chrome"
        : /Safari\//.test(ua)
          ? "Safari"
          : "Browser";
  const os = /Android/.test(ua)
    ? "Android"
    : /iPhone|iPad/.test(ua)
      ? "iOS"
      : /Mac OS X/.test(ua)
        ? "macOS"
        : /Windows/.test(ua)
          ? "Windows"
          : /Linux/.test(ua)
            ? "Linux"
            : "this device";
  return `${browser} on ${os}`;
}

/**
 * What this device shows of the others, and whether it notifies: separate from what it sends
 * ({@link Privacy}), so someone can keep their own receipts private and still see others', or the
 * other way round.
 */
export interface Display {
  /** Show "Read" on my messages (off: never more than "Delivered"). */
  showReadReceipts: boolean;
  /** Show "… is typing". */
  showTyping: boolean;
  /** A content-free notification when a message arrives while Hearth is in the background. */
  notify: boolean;
}

/** The stored display choices: receipts and typing shown, notifications off until asked for. */
export function loadDisplay(): Display {
  try {
    const d = JSON.parse(localStorage.getItem(DISPLAY_KEY) ?? "{}") as Partial<Display>;
    return {
      showReadReceipts: d.showReadReceipts !== false,
      showTyping: d.showTyping !== false,
      notify: d.notify === true,
    };
  } catch {
    return { showReadReceipts: true, showTyping: true, notify: false };
  }
}

/** Remembers this device's display choices. */
export function saveDisplay(d: Display): void {
  try {
    localStorage.setItem(DISPLAY_KEY, JSON.stringify(d));
  } catch {
    // Not kept: applies until the page closes.
  }
}
