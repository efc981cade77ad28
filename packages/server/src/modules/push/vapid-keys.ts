import webpush from "web-push";
import type { AuthStore } from "../auth/auth-store.ts";

/** The server's VAPID key pair (RFC 8292), base64url: a P-256 public point and private scalar. */
export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

/** The `meta` key the pair is kept under (one JSON value, so every node reads the same pair). */
export const VAPID_META_KEY = "push.vapid";

/**
 * The server's VAPID key pair: made on first start and kept in the database's `meta` table beside
 * the server's other secrets. Several nodes starting at once agree on the first one stored. The
 * private key is never logged or sent anywhere; only the public key is served (`GET /v1/push/key`).
 */
export async function loadVapidKeys(meta: Pick<AuthStore, "ensureMeta">): Promise<VapidKeys> {
  const fresh = webpush.generateVAPIDKeys();
  const stored = await meta.ensureMeta(VAPID_META_KEY, JSON.stringify(fresh));
  const keys = JSON.parse(stored) as VapidKeys;
  if (typeof keys.publicKey !== "string" || typeof keys.privateKey !== "string") {
    throw new Error("push: the stored VAPID key pair is unreadable");
  }
  return keys;
}
