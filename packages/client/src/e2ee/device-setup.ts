import {
  type ArchiveRoot,
  createDeviceIdentity,
  decodeDeviceIdentity,
  encodeDeviceIdentity,
  generateArchiveRoot,
  identityKeyPairFromArchiveRoot,
  parseRecoveryKey,
  recoveryKeyFromRoot,
  signArchiveKeyRecord,
} from "@hearth/crypto";
import { base64ToBytes, bytesToBase64, type DeviceId, type UserId } from "@hearth/protocol";
import { type E2eeState, sameBytes } from "./e2ee-state.ts";
import { EncryptionError, type EncryptionSetup } from "./e2ee-types.ts";
import { deleteStoredGroup } from "./group-store.ts";
import { forgetArchiveKeys } from "./key-directory.ts";
import { replenishKeyPackages } from "./key-packages.ts";

/*
 * This device's own keys: the archive root (from which the identity key derives), the device's
 * certified MLS identity, its published archive key, and forgetting all of it on sign-out.
 */

/**
 * Picks up the keys a previous session left in the key store (no network), so a restarted client
 * decrypts its backlog even before setUp runs again. False if there are none.
 */
export async function resume(s: E2eeState): Promise<boolean> {
  if (s.ready) return true;
  if (!(await s.loadRoot()) || !s.identity) return false;
  const stored = await s.ks.get("device");
  const decoded = stored ? decodeDeviceIdentity(stored) : undefined;
  if (!decoded?.ok || !sameBytes(decoded.value.certificate.identityPublicKey, s.identity.publicKey))
    return false;
  s.device = decoded.value;
  s.me ??= { userId: decoded.value.userId as UserId, deviceId: decoded.value.deviceId as DeviceId };
  s.pins.set(decoded.value.userId, s.identity.publicKey);
  return true;
}

/** The socket says which device this is: keys resumed for another device are not used. */
export function signedInAs(s: E2eeState, userId: UserId, deviceId: DeviceId): void {
  if (s.device && (s.device.deviceId !== deviceId || s.device.userId !== userId)) {
    s.device = undefined;
    s.me = { userId, deviceId };
  }
}

/** Loads or creates this user's keys; `needs-history` when another device holds the root. */
export async function setUp(s: E2eeState): Promise<EncryptionSetup> {
  const me = await s.whoAmI();
  if (await s.loadRoot()) {
    await finishSetUp(s);
    return { kind: "ready" };
  }
  const keys = await s.host.api.userKeys(me.userId);
  if (keys.identityKey !== null) return { kind: "needs-history" };
  const root = generateArchiveRoot();
  const identity = identityKeyPairFromArchiveRoot(root);
  await s.host.api.setIdentityKey(bytesToBase64(identity.publicKey));
  await s.ks.set("root", root.seed);
  s.useRoot(root);
  await finishSetUp(s);
  return { kind: "new-identity", recoveryKey: recoveryKeyFromRoot(root) };
}

export async function restoreFromRecoveryKey(s: E2eeState, recoveryKey: string): Promise<void> {
  const parsed = parseRecoveryKey(recoveryKey);
  if (!parsed.ok) throw new EncryptionError(parsed.code);
  await adoptRoot(s, parsed.value);
}

/** Accepts a root brought by recovery key or transfer: it must yield the user's pinned identity key. */
export async function adoptRoot(s: E2eeState, root: ArchiveRoot): Promise<void> {
  const me = await s.whoAmI();
  const identity = identityKeyPairFromArchiveRoot(root);
  const keys = await s.host.api.userKeys(me.userId);
  if (keys.identityKey === null) {
    await s.host.api.setIdentityKey(bytesToBase64(identity.publicKey));
  } else if (!sameBytes(base64ToBytes(keys.identityKey), identity.publicKey)) {
    throw new EncryptionError("wrong_recovery_key");
  }
  await s.ks.set("root", root.seed);
  s.useRoot(root);
  await finishSetUp(s);
}

async function finishSetUp(s: E2eeState): Promise<void> {
  const me = await s.whoAmI();
  const identity = s.identity;
  const root = s.root;
  if (!identity || !root) throw new Error("internal: no root");
  // Our own identity is the one our root derives: never taken from the server.
  s.pins.set(me.userId, identity.publicKey);
  await s.ks.set(`pin:${me.userId}`, identity.publicKey);
  const stored = await s.ks.get("device");
  const decoded = stored ? decodeDeviceIdentity(stored) : undefined;
  if (
    decoded?.ok &&
    decoded.value.deviceId === me.deviceId &&
    sameBytes(decoded.value.certificate.identityPublicKey, identity.publicKey)
  ) {
    s.device = decoded.value;
  } else {
    // A new device (or the key store of an earlier sign-in): its old group states are useless.
    if (decoded?.ok) {
      for (const c of await s.host.api.conversations()) await deleteStoredGroup(s, c.conversationId);
      s.groups.clear();
    }
    s.device = createDeviceIdentity(identity, { userId: me.userId, deviceId: me.deviceId });
    await s.ks.set("device", encodeDeviceIdentity(s.device));
    await s.ks.delete("key-packages");
  }
  // Publish the archive key (generation 0), signed by the identity key.
  const pair = await s.archivePair(0);
  const record = signArchiveKeyRecord(identity, {
    userId: me.userId,
    generation: 0,
    publicKey: pair.publicKey,
  });
  const keys = await s.host.api.userKeys(me.userId);
  if (keys.archiveKey !== bytesToBase64(record)) await s.host.api.setArchiveKey(bytesToBase64(record));
  s.archiveKeys.set(me.userId, { generation: 0, publicKey: pair.publicKey });
  await replenishKeyPackages(s);
}

/** The recovery key again, from the keys on this device (for settings); `not_set_up` without them. */
export async function recoveryKey(s: E2eeState): Promise<string> {
  if (!(await s.loadRoot()) || !s.root) throw new EncryptionError("not_set_up");
  return recoveryKeyFromRoot(s.root);
}

/** Forgets every secret of this device (after signing out). */
export async function wipe(s: E2eeState, conversationIds: Iterable<string>): Promise<void> {
  for (const k of ["root", "device", "key-packages"]) await s.ks.delete(k);
  for (const cid of new Set([...conversationIds, ...s.groups.keys(), ...s.members.keys()]))
    await deleteStoredGroup(s, cid);
  await forgetArchiveKeys(s, [...s.pins.keys(), ...s.archiveKeys.keys()]);
  for (const u of s.pins.keys()) await s.ks.delete(`pin:${u}`);
  s.root = s.identity = s.device = undefined;
  s.groups.clear();
  s.pins.clear();
  s.archivePairs.clear();
}
