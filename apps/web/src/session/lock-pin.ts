/**
 * A short PIN that lifts Hearth's lock on this device instead of the password (see app-lock.ts).
 *
 * What is kept: only a slow hash of the PIN (PBKDF2-SHA-256, {@link PIN_ITERATIONS} rounds, a
 * random 16-byte salt), in this browser's localStorage, with the number of tries left. The PIN
 * never leaves the device and the server never sees it. After {@link PIN_ATTEMPTS} wrong PINs in a
 * row the PIN is forgotten and only the password (checked by the server, with its lockout) lifts
 * the lock. A PIN is a screen guard against someone picking up the phone, not encryption: someone
 * who can read this browser's storage could try all PINs offline, which is why it is short-lived
 * in tries and why the password stays the way back (docs/security.md).
 */

/** Digits only, 4 to 8 of them. */
export const PIN_PATTERN = /^[0-9]{4,8}$/;
/** Wrong PINs in a row before the PIN is forgotten. */
export const PIN_ATTEMPTS = 5;
/** PBKDF2 rounds: about a quarter of a second on a mid-range phone. */
export const PIN_ITERATIONS = 310_000;

const PIN_KEY = "hearth.lock.pin";

interface StoredPin {
  salt: string;
  hash: string;
  iterations: number;
  triesLeft: number;
}

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const unb64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

function load(): StoredPin | undefined {
  try {
    const raw = localStorage.getItem(PIN_KEY);
    if (!raw) return undefined;
    const p = JSON.parse(raw) as Partial<StoredPin>;
    if (
      typeof p.salt !== "string" ||
      typeof p.hash !== "string" ||
      typeof p.iterations !== "number" ||
      typeof p.triesLeft !== "number" ||
      p.triesLeft < 1
    )
      return undefined;
    return p as StoredPin;
  } catch {
    return undefined;
  }
}

function store(p: StoredPin | undefined): void {
  try {
    if (p) localStorage.setItem(PIN_KEY, JSON.stringify(p));
    else localStorage.removeItem(PIN_KEY);
  } catch {
    // Without storage there is no PIN: the password lifts the lock.
  }
}

async function derive(pin: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(pin), "PBKDF2", false, [
    "deriveBits",
  ]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: salt as BufferSource, iterations },
    key,
    256,
  );
  return new Uint8Array(bits);
}

/** Whether a PIN is set on this device (and has tries left). */
export function hasPin(): boolean {
  return load() !== undefined;
}

/** Sets (or replaces) the PIN; throws a TypeError unless it is 4 to 8 digits. */
export async function setPin(pin: string): Promise<void> {
  if (!PIN_PATTERN.test(pin)) throw new TypeError("A PIN is 4 to 8 digits.");
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await derive(pin, salt, PIN_ITERATIONS);
  store({ salt: b64(salt), hash: b64(hash), iterations: PIN_ITERATIONS, triesLeft: PIN_ATTEMPTS });
}

/** Forgets the PIN (turned off in Settings, sign-out, too many wrong tries). */
export function clearPin(): void {
  store(undefined);
}

/** What a PIN try came to. */
export type PinCheck =
  | { result: "ok" }
  | { result: "wrong"; triesLeft: number }
  /** No PIN (never set, or forgotten after too many wrong tries): only the password now. */
  | { result: "none" };

/** Checks a PIN; a wrong one uses up a try, and the last wrong try forgets the PIN. */
export async function checkPin(pin: string): Promise<PinCheck> {
  const p = load();
  if (!p) return { result: "none" };
  // Count the try before the slow work, so closing the page mid-check still spends it.
  const triesLeft = p.triesLeft - 1;
  store(triesLeft > 0 ? { ...p, triesLeft } : undefined);
  const got = PIN_PATTERN.test(pin) ? await derive(pin, unb64(p.salt), p.iterations) : new Uint8Array(32);
  const want = unb64(p.hash);
  let diff = got.length ^ want.length;
  for (let i = 0; i < want.length; i++) diff |= (got[i] ?? 0) ^ (want[i] ?? 0);
  if (diff === 0) {
    store({ ...p, triesLeft: PIN_ATTEMPTS });
    return { result: "ok" };
  }
  return triesLeft > 0 ? { result: "wrong", triesLeft } : { result: "none" };
}
