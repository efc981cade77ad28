import type { MlsGroup, MlsMember } from "@hearth/crypto";
import { base64ToBytes, type ConversationId, type DeviceId, type UserId } from "@hearth/protocol";
import { type E2eeState, MAX_RECONCILE_ROUNDS } from "./e2ee-state.ts";
import { loadGroup, saveGroup } from "./group-store.ts";
import { membersOf, refreshUser } from "./key-directory.ts";

/** Raises `device-added` / `device-removed` for each member in `list`. */
export function announce(
  s: E2eeState,
  conversationId: string,
  name: "device-added" | "device-removed",
  list: readonly MlsMember[],
): void {
  for (const m of list) {
    s.host.emit(name, {
      conversationId: conversationId as ConversationId,
      userId: m.userId as UserId,
      deviceId: m.deviceId as DeviceId,
    });
  }
}

/**
 * One round of group maintenance, under the conversation's lock: create the group if nobody has,
 * heal a tainted epoch, remove devices that are gone, add devices that are new (only those whose
 * key package is certified by their user's pinned identity key). A commit that loses the race
 * (`stale_commit`) is dropped; the winner arrives as a log entry and maintenance runs again.
 */
export async function reconcile(s: E2eeState, cid: ConversationId): Promise<void> {
  s.reconcileWanted.delete(cid);
  const device = s.device;
  const me = s.me;
  if (!device || !me) return;
  const engine = await s.engine();
  for (let round = 0; round < MAX_RECONCILE_ROUNDS; round++) {
    let group = await loadGroup(s, cid);
    let creating = false;
    if (!group) {
      const state = await s.host.api.groupState(cid).catch(() => undefined);
      if (!state || state.epoch > 0) return; // someone else made it: wait for a welcome
      group = await engine.createGroup(device, cid);
      creating = true;
    }
    const members = await membersOf(s, cid, true);
    const live = new Map<string, Set<string>>();
    /** Users whose identity key changed on the server: keep their devices, add none. */
    const frozen = new Set<string>();
    for (const u of members) {
      const r = await refreshUser(s, u);
      if (!r) continue;
      live.set(u, new Set(r.devices));
      if (s.identityChanged.has(u)) frozen.add(u);
    }
    const present = group.members();
    const presentIds = new Set(present.map((m) => m.deviceId));
    let pending: Awaited<ReturnType<MlsGroup["addMembers"]>>;
    let welcomeTo: { userId: string; deviceId: string }[] = [];
    const gone = present.filter(
      (m) => m.leafIndex !== group.ownLeafIndex && !live.get(m.userId)?.has(m.deviceId),
    );
    if (!creating && gone.length > 0) {
      pending = await group.removeMembers(gone.map((m) => m.leafIndex));
    } else if (!creating && group.needsUpdate) {
      pending = await group.update();
    } else {
      const missingUsers = [...live].filter(
        ([u, devs]) => !frozen.has(u) && [...devs].some((d) => d !== me.deviceId && !presentIds.has(d)),
      );
      const kps: Uint8Array[] = [];
      if (missingUsers.length > 0) {
        const claimed = await s.host.api.claimKeyPackages(missingUsers.map(([u]) => u));
        for (const k of claimed.keyPackages) {
          if (presentIds.has(k.deviceId) || !live.get(k.userId)?.has(k.deviceId)) continue;
          const bytes = base64ToBytes(k.keyPackage);
          const v = await engine.verifyKeyPackage(bytes);
          if (!v.ok || v.value.userId !== k.userId || v.value.deviceId !== k.deviceId) {
            s.host.emit("device-unverified", {
              conversationId: cid,
              userId: k.userId,
              deviceId: k.deviceId,
              code: v.ok ? "certificate_wrong_device" : v.code,
            });
            continue;
          }
          kps.push(bytes);
          welcomeTo.push({ userId: k.userId, deviceId: k.deviceId });
        }
      }
      if (kps.length > 0) pending = await group.addMembers(kps);
      else if (creating) pending = await group.update();
      else return; // nothing to do
    }
    if (!pending.ok) {
      s.host.emit("error", { code: pending.code, message: "could not prepare a group change" });
      return;
    }
    // Send the commit, then any follow-up (ts-mls rc.10: a single removal needs a path commit).
    let next: { commit: Uint8Array; welcome: Uint8Array | undefined; epoch: bigint } | undefined =
      pending.value;
    let first = true;
    while (next) {
      const epoch = Number(next.epoch) - 1;
      const welcomes = next.welcome
        ? welcomeTo.map((w) => ({ deviceId: w.deviceId as DeviceId, body: next?.welcome as Uint8Array }))
        : undefined;
      const before = group.members();
      const res = await s.host.commit({
        conversationId: cid,
        epoch,
        body: next.commit,
        ...(welcomes && welcomes.length > 0 ? { welcomes } : {}),
      });
      if (!res.ok) {
        group.discardPendingCommit();
        if (res.code === "stale_commit") s.stats.staleCommits++;
        if (creating && first) s.groups.set(cid, null);
        // stale_commit: the winner comes through the log; maintenance runs again after it.
        s.reconcileWanted.add(cid);
        return;
      }
      const follow = group.confirmPendingCommit();
      if (next.welcome) welcomeTo = [];
      await saveGroup(s, cid, group, res.seq);
      const after = group.members();
      const beforeKeys = new Set(before.map((m) => `${m.leafIndex}:${m.deviceId}`));
      const afterKeys = new Set(after.map((m) => `${m.leafIndex}:${m.deviceId}`));
      announce(
        s,
        cid,
        "device-added",
        after.filter((m) => !beforeKeys.has(`${m.leafIndex}:${m.deviceId}`)),
      );
      announce(
        s,
        cid,
        "device-removed",
        before.filter((m) => !afterKeys.has(`${m.leafIndex}:${m.deviceId}`)),
      );
      next = follow;
      first = false;
      creating = false;
    }
  }
}
