import type { ClientState, LeafNode } from "ts-mls";
import { nodeTypes } from "ts-mls";
import { decodeDeviceCertificate } from "../identity/device-certificate.ts";
import type { MlsMember } from "./mls-group-types.ts";

function memberOf(leafIndex: number, leaf: LeafNode): MlsMember | undefined {
  if (!("identity" in leaf.credential)) return undefined;
  const cert = decodeDeviceCertificate(leaf.credential.identity);
  if (!cert.ok) return undefined;
  return {
    leafIndex,
    userId: cert.value.userId,
    deviceId: cert.value.deviceId,
    signaturePublicKey: leaf.signaturePublicKey,
  };
}

export function membersOf(state: ClientState): MlsMember[] {
  const out: MlsMember[] = [];
  // Leaves sit at even node indices of the array-represented tree (RFC 9420 §4.1).
  state.ratchetTree.forEach((node, nodeIndex) => {
    if (node?.nodeType !== nodeTypes.leaf) return;
    const m = memberOf(nodeIndex / 2, node.leaf);
    if (m !== undefined) out.push(m);
  });
  return out;
}

function key(m: MlsMember): string {
  return `${m.leafIndex}:${Array.from(m.signaturePublicKey).join(",")}`;
}

/** Which members a change added and removed (a leaf whose key changed counts as both). */
export function diff(before: MlsMember[], after: MlsMember[]): { added: MlsMember[]; removed: MlsMember[] } {
  const b = new Set(before.map(key));
  const a = new Set(after.map(key));
  return { added: after.filter((m) => !b.has(key(m))), removed: before.filter((m) => !a.has(key(m))) };
}

/**
 * Which member sent an application message. ts-mls verifies the sender's signature but does not
 * report the sender, so we read it off the one secret-tree leaf whose application ratchet moved
 * (RFC 9420 §9: each sender has its own ratchet). Member list and tree are taken from the
 * message's epoch, which may be a retained past epoch.
 */
export function applicationSender(
  before: ClientState,
  after: ClientState,
  epoch: bigint,
): MlsMember | undefined {
  const current = epoch === before.groupContext.epoch;
  const old = before.historicalReceiverData.get(epoch);
  const treeBefore = current ? before.secretTree : old?.secretTree;
  const treeAfter = current ? after.secretTree : after.historicalReceiverData.get(epoch)?.secretTree;
  const ratchetTree = current ? before.ratchetTree : old?.ratchetTree;
  if (treeBefore === undefined || treeAfter === undefined || ratchetTree === undefined) return undefined;
  for (const [k, a] of Object.entries(treeAfter.leafNodes)) {
    const b = treeBefore.leafNodes[Number(k)];
    const moved =
      b === undefined ||
      b.application.generation !== a.application.generation ||
      Object.keys(b.application.unusedGenerations).length !==
        Object.keys(a.application.unusedGenerations).length;
    if (!moved) continue;
    const node = ratchetTree[Number(k)];
    return node?.nodeType === nodeTypes.leaf ? memberOf(Number(k) / 2, node.leaf) : undefined;
  }
  return undefined;
}
