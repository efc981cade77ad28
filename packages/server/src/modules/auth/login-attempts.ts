import { createHmac, randomBytes } from "node:crypto";
import type { ServerOptions } from "../../config.ts";
import type { AuthStore } from "./auth-store.ts";

/** The meta key of the server secret that login keys are made with. */
const LOGIN_KEY_SECRET = "login_key_secret";

/**
 * The sign-in lockout, counted per login key rather than per account: `HMAC-SHA256(secret,
 * normalised login)`, where the secret is 32 random bytes made on first use and kept in the store's
 * `meta` table (so every node of a deployment shares it). A login that no account has is counted
 * and locked exactly like a real one, with the same writes, so neither the answers nor the database
 * tell who has an account; and the table of attempts holds no login in the clear (made-up logins
 * are often mistyped emails, or passwords typed into the wrong field).
 */
export class LoginAttempts {
  readonly #store: AuthStore;
  readonly #lockout: ServerOptions["lockout"];
  #secret: Promise<Buffer> | undefined;

  constructor(deps: { store: AuthStore; lockout: ServerOptions["lockout"] }) {
    this.#store = deps.store;
    this.#lockout = deps.lockout;
  }

  /**
   * Makes (or loads) the secret, so that no sign-in is the first one to write it: the first attempt
   * would otherwise write one more row than the others.
   */
  async start(): Promise<void> {
    await this.keyOf("");
  }

  /** The key of a login: the same normalisation as `LoginSchema` (trimmed, lowercase), then NFC. */
  async keyOf(login: string): Promise<string> {
    this.#secret ??= this.#store
      .ensureMeta(LOGIN_KEY_SECRET, randomBytes(32).toString("base64"))
      .then((s) => Buffer.from(s, "base64"));
    const secret = await this.#secret.catch((err: unknown) => {
      this.#secret = undefined; // a store hiccup: try again on the next sign-in
      throw err;
    });
    const normalised = login.trim().toLowerCase().normalize("NFC");
    return createHmac("sha256", secret).update(normalised, "utf8").digest("hex");
  }

  /** Whether the key is locked at `now` (ms). */
  async isLocked(key: string, now: number): Promise<boolean> {
    const row = await this.#store.getLoginAttempt(key);
    return row?.lockedUntil != null && Date.parse(row.lockedUntil) > now;
  }

  /** Counts one failure; the one that reaches `maxFailures` locks the key for `lockMs`. */
  countFailure(key: string, now: number): Promise<"counted" | "locked"> {
    const { maxFailures, lockMs, forgetMs } = this.#lockout;
    return this.#store.countLoginFailure(key, {
      maxFailures,
      lockUntil: new Date(now + lockMs).toISOString(),
      at: new Date(now).toISOString(),
      forgetBefore: new Date(now - forgetMs).toISOString(),
    });
  }
}
