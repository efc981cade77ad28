import {
  base64ToBytes,
  type ConversationId,
  type DeviceId,
  type LogEntry,
  type UserId,
} from "@hearth/protocol";
import { type E2eeState, MAX_RECONCILE_ROUNDS, sameBytes } from "./e2ee-state.ts";
import { EncryptionError } from "./e2ee-types.ts";
import { announce, reconcile } from "./group-reconcile.ts";
import { appliedSeq, loadGroup, saveGroup } from "./group-store.ts";
import { membersOf } from "./key-directory.ts";
import { loadKeyPackages, replenishKeyPackages, saveKeyPackages } from "./key-packages.ts";

/*
 * Each conversation's MLS group over time: joining by welcome, applying the log's commits in
 * order, rotating this device's keys, and scheduling the maintenance that adds and removes devices.
 */

/** The devices in this device's MLS group of a conversation (empty when not a member). */
export function groupMembers(
  s: E2eeState,
  conversationId: ConversationId,
): Promise<{ userId: UserId; deviceId: DeviceId }[]> {
  return s.lock.run(conversationId, async () => {
    const g = await loadGroup(s, conversationId);
    return (g?.members() ?? []).map((m) => ({
      userId: m.userId as UserId,
      deviceId: m.deviceId as DeviceId,
    }));
  });
}

/** The MLS epoch this device is in for a conversation (undefined when not a member). */
export function groupEpoch(s: E2eeState, conversationId: ConversationId): Promise<number | undefined> {
  return s.lock.run(conversationId, async () => {
    const g = await loadGroup(s, conversationId);
    return g ? Number(g.epoch) : undefined;
  });
}

/** A welcome for this device: join the group and read the log after `seq`. */
export async function onWelcome(
  s: E2eeState,
  conversationId: ConversationId,
  seq: number,
  body: Uint8Array,
): Promise<void> {
  if (!s.ready) return;
  await s.lock.run(conversationId, async () => {
    const existing = await loadGroup(s, conversationId);
    if (existing && (await appliedSeq(s, conversationId)) >= seq)
      return s.host.welcomeProcessed(conversationId);
    const bundles = await loadKeyPackages(s);
    const r = await (await s.engine()).joinFromWelcome(body, bundles);
    if (!r.ok) {
      if (r.code !== "mls_welcome_not_for_us")
        s.host.emit("error", { code: r.code, message: "could not join a conversation's group" });
      return;
    }
    const used = r.value.usedKeyPackageRef;
    await saveKeyPackages(
      s,
      bundles.filter((b) => b.lastResort || !sameBytes(b.ref, used)),
    );
    await saveGroup(s, conversationId, r.value.group, seq);
    s.host.welcomeProcessed(conversationId);
  });
  scheduleReconcile(s, conversationId);
  void replenishKeyPackages(s).catch(() => undefined);
}

/** A commit entry of the log, in order: apply it to the group. */
export async function onCommit(s: E2eeState, entry: LogEntry): Promise<void> {
  if (!s.ready || entry.body === undefined) return;
  const cid = entry.conversationId;
  const body = base64ToBytes(entry.body);
  let again = false;
  await s.lock.run(cid, async () => {
    const group = await loadGroup(s, cid);
    if (!group) return;
    if (entry.seq <= (await appliedSeq(s, cid))) return;
    const r = await group.processMessage(body);
    if (r.kind === "commit") {
      await saveGroup(s, cid, group, entry.seq);
      announce(s, cid, "device-added", r.added);
      announce(s, cid, "device-removed", r.removed);
      again = r.needsUpdate || s.reconcileWanted.has(cid);
      if (r.removedSelf)
        s.host.emit("error", { code: "removed_from_group", message: "this device was removed" });
    } else if (r.kind === "error") {
      s.host.emit("error", { code: r.code, message: "a commit could not be applied" });
      if (r.code === "mls_future_epoch") {
        // We missed a commit: this group copy is useless now. Wait to be added again.
        await saveGroup(s, cid, undefined);
      }
      if (r.code === "mls_unauthenticated") {
        s.host.emit("device-unverified", {
          conversationId: cid,
          userId: entry.senderId,
          deviceId: entry.senderDeviceId,
          code: r.code,
        });
      }
    }
  });
  for (const l of [...s.commitListeners]) l();
  if (again) scheduleReconcile(s, cid);
}

/** Resolves once this device's group of `cid` has reached `epoch` (or left the group). */
function epochReached(s: E2eeState, cid: string, epoch: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      const g = s.groups.get(cid);
      if (!g || Number(g.epoch) >= epoch) {
        s.commitListeners.delete(check);
        resolve();
      }
    };
    s.commitListeners.add(check);
    check();
  });
}

/**
 * Commits a fresh UpdatePath for this device (post-compromise security: new keys for this leaf).
 * On `stale_commit` it processes the winning commit and proposes again (at most 8 times).
 */
export async function rotate(
  s: E2eeState,
  cid: ConversationId,
): Promise<{ epoch: number; attempts: number }> {
  for (let attempt = 1; attempt <= MAX_RECONCILE_ROUNDS; attempt++) {
    const r = await s.lock.run(cid, async () => {
      const g = await loadGroup(s, cid);
      if (!g) throw new EncryptionError("not_in_group");
      const pending = await g.update();
      if (!pending.ok) throw new EncryptionError(pending.code);
      let next: typeof pending.value | undefined = pending.value;
      while (next) {
        const res = await s.host.commit({
          conversationId: cid,
          epoch: Number(next.epoch) - 1,
          body: next.commit,
        });
        if (!res.ok) {
          g.discardPendingCommit();
          return { ok: false as const, epoch: res.epoch ?? Number(next.epoch) };
        }
        next = g.confirmPendingCommit();
        await saveGroup(s, cid, g, res.seq);
      }
      return { ok: true as const, epoch: Number(g.epoch) };
    });
    if (r.ok) return { epoch: r.epoch, attempts: attempt };
    s.stats.staleCommits++;
    // Another device's commit won this epoch: wait until it is applied here, then propose again.
    await epochReached(s, cid, r.epoch);
  }
  throw new EncryptionError("stale_commit");
}

/** Something about a conversation's devices changed: bring its group up to date soon. */
export function scheduleReconcile(s: E2eeState, conversationId: string): void {
  if (!s.ready) return;
  s.reconcileWanted.add(conversationId);
  const p = s.lock
    .run(conversationId, () => reconcile(s, conversationId as ConversationId))
    .catch((err: unknown) => s.host.emit("error", { code: "encryption_error", message: String(err) }));
  s.pendingReconciles.add(p);
  void p.finally(() => s.pendingReconciles.delete(p));
}

/** Brings every conversation's group up to date (after sync). */
export async function reconcileAll(s: E2eeState): Promise<void> {
  if (!s.ready) return;
  await membersOf(s, "", true).catch(() => []);
  for (const cid of s.members.keys()) scheduleReconcile(s, cid);
}

/** Resolves once no group maintenance is running or queued (for tests and orderly shutdown). */
export async function idle(s: E2eeState): Promise<void> {
  while (s.pendingReconciles.size > 0) await Promise.allSettled([...s.pendingReconciles]);
}
