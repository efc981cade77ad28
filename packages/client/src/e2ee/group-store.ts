import type { MlsGroup } from "@hearth/crypto";
import type { E2eeState } from "./e2ee-state.ts";

/*
 * Persistence of each conversation's MLS group: its exported state under `group:<id>` and the log
 * seq of the last commit or welcome applied to it under `group-seq:<id>`.
 */

const enc = new TextEncoder();
const seqBytes = (n: number) => enc.encode(String(n));
const seqOf = (b: Uint8Array | undefined) => (b ? Number(new TextDecoder().decode(b)) || 0 : 0);

/** This device's group of a conversation (loaded once from the key store), if it has one. */
export async function loadGroup(s: E2eeState, conversationId: string): Promise<MlsGroup | undefined> {
  if (s.groups.has(conversationId)) return s.groups.get(conversationId) ?? undefined;
  const state = await s.ks.get(`group:${conversationId}`);
  let group: MlsGroup | undefined;
  if (state) {
    const r = (await s.engine()).loadGroup(state);
    if (r.ok) group = r.value;
  }
  s.groups.set(conversationId, group ?? null);
  return group;
}

/** Stores a group (or forgets it when inactive or absent); `seq` records the entry just applied. */
export async function saveGroup(
  s: E2eeState,
  conversationId: string,
  group: MlsGroup | undefined,
  seq?: number,
): Promise<void> {
  if (group?.active) {
    s.groups.set(conversationId, group);
    await s.ks.set(`group:${conversationId}`, group.exportState());
  } else {
    s.groups.set(conversationId, null);
    await s.ks.delete(`group:${conversationId}`);
  }
  if (seq !== undefined) await s.ks.set(`group-seq:${conversationId}`, seqBytes(seq));
}

/** The log seq of the last commit or welcome applied to a conversation's group (0 if none). */
export async function appliedSeq(s: E2eeState, conversationId: string): Promise<number> {
  return seqOf(await s.ks.get(`group-seq:${conversationId}`));
}

/** Deletes a conversation's stored group state (not the loaded copy). */
export async function deleteStoredGroup(s: E2eeState, conversationId: string): Promise<void> {
  await s.ks.delete(`group:${conversationId}`);
  await s.ks.delete(`group-seq:${conversationId}`);
}
