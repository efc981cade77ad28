import type { Role } from "@hearth/protocol";
import { clearPin } from "./lock-pin.ts";

/**
 * The screen lock (automatic logoff after inactivity, HIPAA §164.312(a)(2)(iii)): after a chosen
 * time without a touch, a key or a scroll, Hearth hides every conversation behind a lock screen
 * that only the person's password lifts (checked by the server, counted towards the sign-in
 * lockout). The device stays signed in, so messages keep arriving; nothing of them is on screen.
 *
 * Time away counts too: the last activity is remembered (localStorage), so a tab left in the
 * background, a closed and reopened browser, or a reload all lock once the time has passed. The
 * locked state is remembered as well, so a reload never lifts it, and it is shared by every tab.
 *
 * Quick exit locks too (unless the person turned that off): whoever opens Hearth's address after
 * it, on the same device, meets the lock screen and not the conversations. A short PIN the person
 * set (lock-pin.ts) may lift the lock instead of the password, on this device only.
 */

/** The choices offered, in minutes; 0 is "never". */
export const LOCK_CHOICES = [0, 5, 15, 30, 60] as const;
export type LockMinutes = (typeof LOCK_CHOICES)[number];

const MINUTES_KEY = "hearth.lock.minutes";
const ACTIVE_KEY = "hearth.lock.lastActive";
const LOCKED_KEY = "hearth.lock.locked";
/** "0" when the person chose that quick exit should not lock; anything else: it locks. */
const EXIT_KEY = "hearth.lock.onQuickExit";
/** Activity is written down at most this often (a scroll fires many events). */
const WRITE_EVERY_MS = 5_000;
/** How often the time away is checked while the page is open. */
const CHECK_EVERY_MS = 10_000;

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string | undefined): void {
  try {
    if (value === undefined) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Without storage the lock still works for this page.
  }
}

/**
 * The default: staff (therapists, admins) often work on shared or clinic computers, so Hearth
 * locks after 15 minutes; patients' own phones have their own lock, and quick exit is theirs, so
 * it is off until they turn it on.
 */
export function defaultLockMinutes(role: Role | string): LockMinutes {
  return role === "patient" ? 0 : 15;
}

/** The chosen time, or the role's default. */
export function loadLockMinutes(role: Role | string): LockMinutes {
  const stored = read(MINUTES_KEY);
  const n = Number(stored);
  return stored !== null && (LOCK_CHOICES as readonly number[]).includes(n)
    ? (n as LockMinutes)
    : defaultLockMinutes(role);
}

/** Forgets the lock's choices and state, and the PIN (sign-out, or a new sign-in). */
export function clearLock(): void {
  for (const key of [MINUTES_KEY, ACTIVE_KEY, LOCKED_KEY, EXIT_KEY]) write(key, undefined);
  clearPin();
}

/**
 * Whether quick exit locks Hearth: yes unless turned off. On for everyone by default: the person
 * most at risk (a patient whose phone is taken) is the one least likely to change a setting first.
 */
export function locksOnQuickExit(): boolean {
  return read(EXIT_KEY) !== "0";
}

/** Remembers whether quick exit locks Hearth (Settings › Privacy). */
export function setLocksOnQuickExit(on: boolean): void {
  write(EXIT_KEY, on ? "1" : "0");
}

/**
 * Called by quick exit, synchronously, before the page goes: locks (for every tab, and for the
 * next time Hearth opens) when this device is signed in and the person has not turned it off.
 * `signedIn` is checked by the caller's session key, so a signed-out device writes nothing.
 */
export function lockForQuickExit(signedIn: boolean): void {
  if (signedIn && locksOnQuickExit()) write(LOCKED_KEY, "1");
}

/**
 * What counts as the person being there. Not "scroll": the app scrolls by itself (following a
 * conversation as messages arrive), and that must never keep an unattended screen open.
 */
const ACTIVITY = ["pointerdown", "pointermove", "keydown", "wheel", "touchstart"] as const;

/** Watches for activity and locks after the chosen time; see the module comment. */
export class AppLock {
  readonly #role: Role | string;
  #minutes: LockMinutes;
  #locked: boolean;
  #lastWrite = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #onChange: () => void;

  constructor(role: Role | string, onChange: () => void) {
    this.#role = role;
    this.#minutes = loadLockMinutes(role);
    this.#onChange = onChange;
    this.#locked = read(LOCKED_KEY) === "1" || this.#expired();
    if (this.#locked) write(LOCKED_KEY, "1");
  }

  get locked(): boolean {
    return this.#locked;
  }

  get minutes(): LockMinutes {
    return this.#minutes;
  }

  /** Starts watching (once the session starts). */
  start(): void {
    if (!this.#locked) this.#touch(true);
    for (const type of ACTIVITY)
      window.addEventListener(type, this.#onActivity, { passive: true, capture: true });
    document.addEventListener("visibilitychange", this.#check);
    window.addEventListener("storage", this.#onStorage);
    this.#timer = setInterval(this.#check, CHECK_EVERY_MS);
  }

  stop(): void {
    for (const type of ACTIVITY) window.removeEventListener(type, this.#onActivity, { capture: true });
    document.removeEventListener("visibilitychange", this.#check);
    window.removeEventListener("storage", this.#onStorage);
    clearInterval(this.#timer);
  }

  /** Changes the time (0: never) and remembers it. */
  setMinutes(minutes: LockMinutes): void {
    this.#minutes = minutes;
    write(MINUTES_KEY, String(minutes));
    this.#touch(true);
    this.#onChange();
  }

  /** Locks now (also "Lock now" in Settings). */
  lock(): void {
    if (this.#locked) return;
    this.#locked = true;
    write(LOCKED_KEY, "1");
    this.#onChange();
  }

  /** Something the person is doing without touching the screen (recording a voice note). */
  active(): void {
    if (!this.#locked) this.#touch();
  }

  /** Lifts the lock; call only once the server accepted the password. */
  unlocked(): void {
    this.#locked = false;
    // An explicit "0", not a removal: a removal is what signing out in another tab looks like,
    // and that must never unlock this one.
    write(LOCKED_KEY, "0");
    this.#touch(true);
    this.#onChange();
  }

  #expired(): boolean {
    if (this.#minutes === 0) return false;
    const last = Number(read(ACTIVE_KEY));
    return Number.isFinite(last) && last > 0 && Date.now() - last > this.#minutes * 60_000;
  }

  #touch(force = false): void {
    const now = Date.now();
    if (!force && now - this.#lastWrite < WRITE_EVERY_MS) return;
    this.#lastWrite = now;
    write(ACTIVE_KEY, String(now));
  }

  readonly #onActivity = (): void => {
    if (this.#locked) return;
    // Coming back after the time has passed: the first touch must not count as activity.
    if (this.#expired()) this.lock();
    else this.#touch();
  };

  readonly #check = (): void => {
    if (!this.#locked && this.#expired()) this.lock();
  };

  /** Another tab locked, unlocked or changed the time. */
  readonly #onStorage = (e: StorageEvent): void => {
    if (e.key === MINUTES_KEY) {
      this.#minutes = loadLockMinutes(this.#role);
      this.#onChange();
      return;
    }
    if (e.key !== LOCKED_KEY || (e.newValue !== "1" && e.newValue !== "0")) return;
    const locked = e.newValue === "1";
    if (locked === this.#locked) return;
    this.#locked = locked;
    if (!locked) this.#touch(true);
    this.#onChange();
  };
}
