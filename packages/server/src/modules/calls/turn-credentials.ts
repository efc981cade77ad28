import { createHmac } from "node:crypto";

/** Short-lived TURN credentials by coturn's REST shared-secret scheme (`use-auth-secret`). */
export interface TurnCredentials {
  username: string;
  credential: string;
  /** Unix seconds after which coturn refuses the username. */
  expiresAtSeconds: number;
}

/**
 * The opaque part of the TURN username: derived from the user id under the shared secret, so that
 * coturn's logs and the relay's operator can tell one user's allocations apart (for abuse limits)
 * without learning who that user is.
 */
export function turnUserHash(secret: string, userId: string): string {
  return createHmac("sha256", secret).update(`hearth-turn-user:${userId}`).digest("base64url").slice(0, 22);
}

/**
 * Issues credentials that coturn accepts until `nowSeconds + ttlSeconds`:
 * `username = "<expiry>:<user hash>"`, `credential = base64(HMAC-SHA1(secret, username))` (the TURN
 * REST API draft, draft-uberti-behave-turn-rest-00, as coturn implements it).
 *
 * @example
 * const c = issueTurnCredentials({ secret, userId, nowSeconds: Date.now() / 1000, ttlSeconds: 3600 });
 */
export function issueTurnCredentials(a: {
  secret: string;
  userId: string;
  nowSeconds: number;
  ttlSeconds: number;
}): TurnCredentials {
  const expiresAtSeconds = Math.floor(a.nowSeconds) + a.ttlSeconds;
  const username = `${expiresAtSeconds}:${turnUserHash(a.secret, a.userId)}`;
  const credential = createHmac("sha1", a.secret).update(username).digest("base64");
  return { username, credential, expiresAtSeconds };
}
