import {
  formatSafetyNumber,
  safetyNumber,
  safetyNumberQrPayload,
  verifySafetyNumberQr,
} from "@hearth/crypto";
import type { UserId } from "@hearth/protocol";
import type { E2eeState } from "./e2ee-state.ts";
import { EncryptionError } from "./e2ee-types.ts";
import { pinnedIdentity } from "./key-directory.ts";

/** The safety number (digits and QR payload) of this user and `userId`, from both pinned identity keys. */
export async function safetyNumberWith(
  s: E2eeState,
  userId: UserId,
): Promise<{ digits: string; qr: string }> {
  const me = await s.whoAmI();
  const mine = s.identity?.publicKey;
  const theirs = await pinnedIdentity(s, userId);
  if (!mine || !theirs) throw new EncryptionError("missing_keys");
  const local = { userId: me.userId, identityPublicKey: mine };
  const remote = { userId, identityPublicKey: theirs };
  return {
    digits: formatSafetyNumber(safetyNumber(local, remote)),
    qr: safetyNumberQrPayload(local, remote),
  };
}

/** Checks a safety-number QR code scanned from `userId`'s screen: made by them, about us. */
export async function verifySafetyQr(s: E2eeState, userId: UserId, scanned: string): Promise<boolean> {
  const me = await s.whoAmI();
  const mine = s.identity?.publicKey;
  const theirs = await pinnedIdentity(s, userId);
  if (!mine || !theirs) return false;
  return verifySafetyNumberQr(
    scanned,
    { userId: me.userId, identityPublicKey: mine },
    { userId, identityPublicKey: theirs },
  ).ok;
}
