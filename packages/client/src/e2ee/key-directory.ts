import { openArchiveKeyRecord } from "@hearth/crypto";
import { base64ToBytes, type UserId } from "@hearth/protocol";
import { type HearthApi, HearthApiError } from "../hearth-api.ts";
import { type E2eeState, sameBytes } from "./e2ee-state.ts";

/*
 * What this device knows about other users' keys: the identity key pinned for each user, their
 * current archive public key (checked against the pin), and who is in each conversation.
 *
 * All of it outlives a reload, so a device without a network can still encrypt (the message waits
 * in the outbox): pins and each user's signed archive key record in the key store
 * (`pin:<userId>`, `archive-key:<userId>`, protected like the device's other secrets), members in
 * the conversation list the client saves. Only what the server answers fresh replaces them.
 */

const archiveKeyName = (userId: string) => `archive-key:${userId}`;

/** The server could not be reached (as opposed to a refusal): what the device saved will do. */
const unreachable = (err: unknown) => err instanceof HearthApiError && err.code === "network_error";

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
  const record = keys.archiveKey ? base64ToBytes(keys.archiveKey) : undefined;
  const key = record ? openRecord(userId, record, pin) : null;
  s.archiveKeys.set(userId, key);
  if (record && key) await s.ks.set(archiveKeyName(userId), record);
  else await s.ks.delete(archiveKeyName(userId));
  return { devices: keys.devices };
}

/** A user's archive key from their signed record, if it is theirs and signed by their pinned key. */
function openRecord(
  userId: string,
  record: Uint8Array,
  pin: Uint8Array,
): { generation: number; publicKey: Uint8Array } | null {
  const r = openArchiveKeyRecord(record, pin);
  return r.ok && r.value.userId === userId
    ? { generation: r.value.generation, publicKey: r.value.publicKey }
    : null;
}

/** A user's archive key as this device saved it (the record checked again against the pin). */
async function savedArchiveKey(
  s: E2eeState,
  userId: string,
): Promise<{ generation: number; publicKey: Uint8Array } | null> {
  const record = await s.ks.get(archiveKeyName(userId));
  const pin = s.pins.get(userId) ?? (await s.ks.get(`pin:${userId}`));
  return record && pin ? openRecord(userId, record, pin) : null;
}

/** A user's current archive public key, if it is signed by their pinned identity key. */
export async function archiveKeyOf(
  s: E2eeState,
  userId: string,
): Promise<{ generation: number; publicKey: Uint8Array } | undefined> {
  if (!s.archiveKeys.has(userId)) {
    try {
      await refreshUser(s, userId);
    } catch (err) {
      if (!unreachable(err)) throw err;
      // Offline: the record saved last time (not remembered as current, so online asks again).
      return (await savedArchiveKey(s, userId)) ?? undefined;
    }
  }
  return s.archiveKeys.get(userId) ?? undefined;
}

/** Forgets the archive keys this device saved for `userIds` (sign-out). */
export async function forgetArchiveKeys(s: E2eeState, userIds: Iterable<string>): Promise<void> {
  for (const u of new Set(userIds)) await s.ks.delete(archiveKeyName(u));
  s.archiveKeys.clear();
}

/** The server's conversation list arrived: who is in each conversation, for encrypting. */
export function membersKnown(
  s: E2eeState,
  conversations: readonly { conversationId: string; members: readonly { userId: UserId }[] }[],
): void {
  for (const c of conversations)
    s.members.set(
      c.conversationId,
      c.members.map((m) => m.userId),
    );
}

/**
 * The users in a conversation (cached; `fresh` asks the server again). Without `fresh`, a device
 * that cannot reach the server uses the conversation list it saved.
 */
export async function membersOf(s: E2eeState, conversationId: string, fresh = false): Promise<UserId[]> {
  if (!fresh) {
    const m = s.members.get(conversationId);
    if (m) return m;
  }
  try {
    membersKnown(s, await s.host.conversations());
  } catch (err) {
    if (fresh || !unreachable(err)) throw err;
    const saved = (await s.host.savedConversations()).find((c) => c.conversationId === conversationId);
    return saved ? saved.members.map((m) => m.userId) : [];
  }
  return s.members.get(conversationId) ?? [];
}
