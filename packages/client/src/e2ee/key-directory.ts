import { openArchiveKeyRecord } from "@hearth/crypto";
import { base64ToBytes, type UserId } from "@hearth/protocol";
import { type HearthApi, HearthApiError } from "../hearth-api.ts";
import { type E2eeState, sameBytes } from "./e2ee-state.ts";

/*
 * What this device knows about other users' keys: the identity key pinned for each user, their
 * current archive public key (checked against the pin), and who is in each conversation.
 */

/** The identity key pinned for a user: trust on first use from the server, then fixed. */
export async function pinnedIdentity(s: E2eeState, userId: string): Promise<Uint8Array | undefined> {
  const cached = s.pins.get(userId);
  if (cached) return cached;
  const stored = await s.ks.get(`pin:${userId}`);
  if (stored) {
    s.pins.set(userId, stored);
    return stored;
  }
  await refreshUser(s, userId);
  return s.pins.get(userId);
}

/** Reads a user's keys from the server: pins on first use, checks the archive record's signature. */
export async function refreshUser(s: E2eeState, userId: string): Promise<{ devices: string[] } | undefined> {
  let keys: Awaited<ReturnType<HearthApi["userKeys"]>>;
  try {
    keys = await s.host.api.userKeys(userId);
  } catch (err) {
    if (err instanceof HearthApiError && err.code === "not_found") return undefined;
    throw err;
  }
  if (keys.identityKey === null) return { devices: keys.devices };
  const served = base64ToBytes(keys.identityKey);
  let pin = s.pins.get(userId) ?? (await s.ks.get(`pin:${userId}`));
  if (!pin) {
    pin = served;
    await s.ks.set(`pin:${userId}`, pin);
  }
  s.pins.set(userId, pin);
  if (!sameBytes(pin, served)) {
    if (!s.identityChanged.has(userId)) {
      s.identityChanged.add(userId);
      s.host.emit("identity-changed", { userId: userId as UserId });
    }
    s.archiveKeys.set(userId, null);
    return { devices: keys.devices };
  }
  if (keys.archiveKey) {
    const r = openArchiveKeyRecord(base64ToBytes(keys.archiveKey), pin);
    s.archiveKeys.set(
      userId,
      r.ok && r.value.userId === userId
        ? { generation: r.value.generation, publicKey: r.value.publicKey }
        : null,
    );
  } else s.archiveKeys.set(userId, null);
  return { devices: keys.devices };
}

/** A user's current archive public key, if it is signed by their pinned identity key. */
export async function archiveKeyOf(
  s: E2eeState,
  userId: string,
): Promise<{ generation: number; publicKey: Uint8Array } | undefined> {
  if (!s.archiveKeys.has(userId)) await refreshUser(s, userId);
  return s.archiveKeys.get(userId) ?? undefined;
}

/** The users in a conversation (cached; `fresh` asks the server again). */
export async function membersOf(s: E2eeState, conversationId: string, fresh = false): Promise<UserId[]> {
  if (!fresh) {
    const m = s.members.get(conversationId);
    if (m) return m;
  }
  for (const c of await s.host.api.conversations()) {
    s.members.set(
      c.conversationId,
      c.members.map((m) => m.userId),
    );
  }
  return s.members.get(conversationId) ?? [];
}
