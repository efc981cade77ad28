import {
  type ArchiveKeyPair,
  type ArchiveRoot,
  archiveTransferCode,
  beginArchiveTransfer,
  completeArchiveTransfer,
  createArchiveEnvelope,
  createDeviceIdentity,
  type DeviceIdentity,
  decodeDeviceCertificate,
  decodeDeviceIdentity,
  decodeKeyPackageBundle,
  decodeSealedContentKey,
  deriveArchiveKeyPair,
  encodeDeviceCertificate,
  encodeDeviceIdentity,
  encodeKeyPackageBundle,
  formatSafetyNumber,
  generateArchiveRoot,
  type IdentityKeyPair,
  identityKeyPairFromArchiveRoot,
  type KeyPackageBundle,
  MlsEngine,
  type MlsGroup,
  type MlsMember,
  openArchiveEnvelope,
  openArchiveKeyRecord,
  parseRecoveryKey,
  recoveryKeyFromRoot,
  safetyNumber,
  safetyNumberQrPayload,
  sendArchiveTransfer,
  signArchiveKeyRecord,
  signAsDevice,
  verifyDeviceSignature,
  verifySafetyNumberQr,
} from "@hearth/crypto";
import {
  base64ToBytes,
  bytesToBase64,
  type ConversationId,
  type DeviceId,
  type LogEntry,
  type UserId,
} from "@hearth/protocol";
import type { DeviceKeyStore } from "../device-key-store.ts";
import { type HearthApi, HearthApiError } from "../hearth-api.ts";
import {
  type CodecContext,
  type DecodeResult,
  jsonCodec,
  type MessageContent,
  type PayloadCodec,
} from "../payload-codec.ts";
import {
  concat,
  decodeE2eePayload,
  encodeE2eePayload,
  mlsPlaintext,
  parseTransferQr,
  signedPart,
  splitMlsPlaintext,
} from "./e2ee-payload.ts";

/** What {@link E2eeSession.setUp} found. */
export type EncryptionSetup =
  | { kind: "new-identity"; recoveryKey: string }
  | { kind: "ready" }
  | { kind: "needs-history" };

/** Events the session raises through the client. */
export interface E2eeEvents {
  "device-added": { conversationId: ConversationId; userId: UserId; deviceId: DeviceId };
  "device-removed": { conversationId: ConversationId; userId: UserId; deviceId: DeviceId };
  "identity-changed": { userId: UserId };
  "device-unverified": { conversationId: ConversationId; userId: UserId; deviceId: DeviceId; code: string };
  error: { code: string; message: string };
}

/** What the session needs from the client it belongs to. */
export interface E2eeHost {
  api: HearthApi;
  commit(frame: {
    conversationId: ConversationId;
    epoch: number;
    body: Uint8Array;
    welcomes?: { deviceId: DeviceId; body: Uint8Array }[];
  }): Promise<{ ok: true; seq: number; epoch: number } | { ok: false; code: string; epoch?: number }>;
  welcomeProcessed(conversationId: ConversationId): void;
  emit<K extends keyof E2eeEvents>(name: K, payload: E2eeEvents[K]): void;
}

const KEY_PACKAGE_TARGET = 20;
const KEY_PACKAGE_LOW = 8;
const SIGNATURE_LABEL = "hearth/message/v1";
const MAX_RECONCILE_ROUNDS = 8;
const OWN_RECENT_MAX = 1000;
const enc = new TextEncoder();

const seqBytes = (n: number) => enc.encode(String(n));
const seqOf = (b: Uint8Array | undefined) => (b ? Number(new TextDecoder().decode(b)) || 0 : 0);
const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Runs jobs one at a time per key. */
class KeyedMutex {
  readonly #tails = new Map<string, Promise<unknown>>();
  run<T>(key: string, job: () => Promise<T>): Promise<T> {
    const prev = this.#tails.get(key) ?? Promise.resolve();
    const next = prev.then(job, job);
    const tail = next.catch(() => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return next;
  }
}

/**
 * The end-to-end encryption layer of one device: keys, one MLS group per conversation, the
 * archive layer, device transfer, and the payload codec. Internal to the SDK; the application
 * uses it through {@link HearthClient}'s encryption methods.
 */
export class E2eeSession implements PayloadCodec {
  readonly #ks: DeviceKeyStore;
  readonly #host: E2eeHost;
  readonly #lock = new KeyedMutex();
  #engine: MlsEngine | undefined;
  #me: { userId: UserId; deviceId: DeviceId } | undefined;
  #root: ArchiveRoot | undefined;
  #identity: IdentityKeyPair | undefined;
  #device: DeviceIdentity | undefined;
  readonly #groups = new Map<string, MlsGroup | null>();
  readonly #pins = new Map<string, Uint8Array>();
  readonly #identityChanged = new Set<string>();
  readonly #archiveKeys = new Map<string, { generation: number; publicKey: Uint8Array } | null>();
  readonly #archivePairs = new Map<number, Promise<ArchiveKeyPair>>();
  readonly #members = new Map<string, UserId[]>();
  readonly #reconcileWanted = new Set<string>();
  #pendingReconciles = new Set<Promise<void>>();
  /** How messages were read on this device: through MLS, or from the archive copy (diagnostics). */
  readonly stats = { mls: 0, archive: 0, staleCommits: 0 };
  readonly #commitListeners = new Set<() => void>();
  /** Content of this device's own recent messages: MLS cannot decrypt one's own, and HPKE costs. */
  readonly #ownRecent = new Map<string, Uint8Array>();

  constructor(keyStore: DeviceKeyStore, host: E2eeHost) {
    this.#ks = keyStore;
    this.#host = host;
  }

  /** True once this device holds its keys and can encrypt. */
  get ready(): boolean {
    return this.#device !== undefined && this.#root !== undefined;
  }

  // ------------------------------------------------------------------ identity and setup

  async #whoAmI() {
    if (!this.#me) {
      const me = await this.#host.api.me();
      this.#me = { userId: me.userId, deviceId: me.deviceId };
    }
    return this.#me;
  }

  async #engineFor(): Promise<MlsEngine> {
    this.#engine ??= await MlsEngine.create({
      pinnedIdentity: (userId) => this.#pinned(userId),
    });
    return this.#engine;
  }

  /** Loads the root (and what follows from it) from the key store; false if this device has none. */
  async #loadRoot(): Promise<boolean> {
    if (this.#root) return true;
    const seed = await this.#ks.get("root");
    if (!seed) return false;
    this.#useRoot({ seed });
    return true;
  }

  #useRoot(root: ArchiveRoot) {
    this.#root = root;
    this.#identity = identityKeyPairFromArchiveRoot(root);
    this.#archivePairs.clear();
  }

  /**
   * Picks up the keys a previous session left in the key store (no network), so a restarted client
   * decrypts its backlog even before {@link E2eeSession.setUp} runs again. False if there are none.
   */
  async resume(): Promise<boolean> {
    if (this.ready) return true;
    if (!(await this.#loadRoot()) || !this.#identity) return false;
    const stored = await this.#ks.get("device");
    const decoded = stored ? decodeDeviceIdentity(stored) : undefined;
    if (!decoded?.ok || !sameBytes(decoded.value.certificate.identityPublicKey, this.#identity.publicKey))
      return false;
    this.#device = decoded.value;
    this.#me ??= { userId: decoded.value.userId as UserId, deviceId: decoded.value.deviceId as DeviceId };
    this.#pins.set(decoded.value.userId, this.#identity.publicKey);
    return true;
  }

  /** The socket says which device this is: keys resumed for another device are not used. */
  signedInAs(userId: UserId, deviceId: DeviceId): void {
    if (this.#device && (this.#device.deviceId !== deviceId || this.#device.userId !== userId)) {
      this.#device = undefined;
      this.#me = { userId, deviceId };
    }
  }

  async setUp(): Promise<EncryptionSetup> {
    const me = await this.#whoAmI();
    if (await this.#loadRoot()) {
      await this.#finishSetUp();
      return { kind: "ready" };
    }
    const keys = await this.#host.api.userKeys(me.userId);
    if (keys.identityKey !== null) return { kind: "needs-history" };
    const root = generateArchiveRoot();
    const identity = identityKeyPairFromArchiveRoot(root);
    await this.#host.api.setIdentityKey(bytesToBase64(identity.publicKey));
    await this.#ks.set("root", root.seed);
    this.#useRoot(root);
    await this.#finishSetUp();
    return { kind: "new-identity", recoveryKey: recoveryKeyFromRoot(root) };
  }

  async restoreFromRecoveryKey(recoveryKey: string): Promise<void> {
    const parsed = parseRecoveryKey(recoveryKey);
    if (!parsed.ok) throw new EncryptionError(parsed.code);
    await this.#adoptRoot(parsed.value);
  }

  /** Accepts a root brought by recovery key or transfer: it must yield the user's pinned identity key. */
  async #adoptRoot(root: ArchiveRoot) {
    const me = await this.#whoAmI();
    const identity = identityKeyPairFromArchiveRoot(root);
    const keys = await this.#host.api.userKeys(me.userId);
    if (keys.identityKey === null) {
      await this.#host.api.setIdentityKey(bytesToBase64(identity.publicKey));
    } else if (!sameBytes(base64ToBytes(keys.identityKey), identity.publicKey)) {
      throw new EncryptionError("wrong_recovery_key");
    }
    await this.#ks.set("root", root.seed);
    this.#useRoot(root);
    await this.#finishSetUp();
  }

  async #finishSetUp() {
    const me = await this.#whoAmI();
    const identity = this.#identity;
    const root = this.#root;
    if (!identity || !root) throw new Error("internal: no root");
    // Our own identity is the one our root derives: never taken from the server.
    this.#pins.set(me.userId, identity.publicKey);
    await this.#ks.set(`pin:${me.userId}`, identity.publicKey);
    const stored = await this.#ks.get("device");
    const decoded = stored ? decodeDeviceIdentity(stored) : undefined;
    if (
      decoded?.ok &&
      decoded.value.deviceId === me.deviceId &&
      sameBytes(decoded.value.certificate.identityPublicKey, identity.publicKey)
    ) {
      this.#device = decoded.value;
    } else {
      // A new device (or the key store of an earlier sign-in): its old group states are useless.
      if (decoded?.ok) {
        for (const c of await this.#host.api.conversations()) {
          await this.#ks.delete(`group:${c.conversationId}`);
          await this.#ks.delete(`group-seq:${c.conversationId}`);
        }
        this.#groups.clear();
      }
      this.#device = createDeviceIdentity(identity, { userId: me.userId, deviceId: me.deviceId });
      await this.#ks.set("device", encodeDeviceIdentity(this.#device));
      await this.#ks.delete("key-packages");
    }
    // Publish the archive key (generation 0), signed by the identity key.
    const pair = await this.#archivePair(0);
    const record = signArchiveKeyRecord(identity, {
      userId: me.userId,
      generation: 0,
      publicKey: pair.publicKey,
    });
    const keys = await this.#host.api.userKeys(me.userId);
    if (keys.archiveKey !== bytesToBase64(record)) await this.#host.api.setArchiveKey(bytesToBase64(record));
    this.#archiveKeys.set(me.userId, { generation: 0, publicKey: pair.publicKey });
    await this.#replenishKeyPackages();
  }

  async #keyPackages(): Promise<KeyPackageBundle[]> {
    const raw = await this.#ks.get("key-packages");
    if (!raw) return [];
    const out: KeyPackageBundle[] = [];
    let o = 0;
    while (o + 4 <= raw.length) {
      const n = new DataView(raw.buffer, raw.byteOffset + o, 4).getUint32(0);
      const b = decodeKeyPackageBundle(raw.subarray(o + 4, o + 4 + n));
      if (b.ok) out.push(b.value);
      o += 4 + n;
    }
    return out;
  }

  async #saveKeyPackages(list: KeyPackageBundle[]) {
    const parts = list.map((b) => {
      const e = encodeKeyPackageBundle(b);
      const len = new Uint8Array(4);
      new DataView(len.buffer).setUint32(0, e.length);
      return concat(len, e);
    });
    await this.#ks.set("key-packages", concat(...parts));
  }

  async #replenishKeyPackages() {
    const device = this.#device;
    if (!device) return;
    const { available } = await this.#host.api.keyPackageCount();
    const have = await this.#keyPackages();
    const needLastResort = !have.some((b) => b.lastResort);
    if (available >= KEY_PACKAGE_LOW && !needLastResort) return;
    const engine = await this.#engineFor();
    const fresh = await engine.generateKeyPackages(device, KEY_PACKAGE_TARGET - available, {
      lastResort: needLastResort,
    });
    await this.#saveKeyPackages([...have, ...fresh]);
    const oneTime = fresh.filter((b) => !b.lastResort).map((b) => bytesToBase64(b.keyPackage));
    const last = fresh.find((b) => b.lastResort);
    await this.#host.api.uploadKeyPackages(oneTime, last ? bytesToBase64(last.keyPackage) : undefined);
  }

  // ------------------------------------------------------------------ pins, archive keys, members

  /** The identity key pinned for a user: trust on first use from the server, then fixed. */
  async #pinned(userId: string): Promise<Uint8Array | undefined> {
    const cached = this.#pins.get(userId);
    if (cached) return cached;
    const stored = await this.#ks.get(`pin:${userId}`);
    if (stored) {
      this.#pins.set(userId, stored);
      return stored;
    }
    await this.#refreshUser(userId);
    return this.#pins.get(userId);
  }

  /** Reads a user's keys from the server: pins on first use, checks the archive record's signature. */
  async #refreshUser(userId: string): Promise<{ devices: string[] } | undefined> {
    let keys: Awaited<ReturnType<HearthApi["userKeys"]>>;
    try {
      keys = await this.#host.api.userKeys(userId);
    } catch (err) {
      if (err instanceof HearthApiError && err.code === "not_found") return undefined;
      throw err;
    }
    if (keys.identityKey === null) return { devices: keys.devices };
    const served = base64ToBytes(keys.identityKey);
    let pin = this.#pins.get(userId) ?? (await this.#ks.get(`pin:${userId}`));
    if (!pin) {
      pin = served;
      await this.#ks.set(`pin:${userId}`, pin);
    }
    this.#pins.set(userId, pin);
    if (!sameBytes(pin, served)) {
      if (!this.#identityChanged.has(userId)) {
        this.#identityChanged.add(userId);
        this.#host.emit("identity-changed", { userId: userId as UserId });
      }
      this.#archiveKeys.set(userId, null);
      return { devices: keys.devices };
    }
    if (keys.archiveKey) {
      const r = openArchiveKeyRecord(base64ToBytes(keys.archiveKey), pin);
      this.#archiveKeys.set(
        userId,
        r.ok && r.value.userId === userId
          ? { generation: r.value.generation, publicKey: r.value.publicKey }
          : null,
      );
    } else this.#archiveKeys.set(userId, null);
    return { devices: keys.devices };
  }

  async #archiveKeyOf(userId: string) {
    if (!this.#archiveKeys.has(userId)) await this.#refreshUser(userId);
    return this.#archiveKeys.get(userId) ?? undefined;
  }

  #archivePair(generation: number): Promise<ArchiveKeyPair> {
    const root = this.#root;
    if (!root) throw new Error("internal: no root");
    let p = this.#archivePairs.get(generation);
    if (!p) {
      p = deriveArchiveKeyPair(root, generation);
      this.#archivePairs.set(generation, p);
    }
    return p;
  }

  async #membersOf(conversationId: string, fresh = false): Promise<UserId[]> {
    if (!fresh) {
      const m = this.#members.get(conversationId);
      if (m) return m;
    }
    for (const c of await this.#host.api.conversations()) {
      this.#members.set(
        c.conversationId,
        c.members.map((m) => m.userId),
      );
    }
    return this.#members.get(conversationId) ?? [];
  }

  // ------------------------------------------------------------------ groups

  async #group(conversationId: string): Promise<MlsGroup | undefined> {
    if (this.#groups.has(conversationId)) return this.#groups.get(conversationId) ?? undefined;
    const state = await this.#ks.get(`group:${conversationId}`);
    let group: MlsGroup | undefined;
    if (state) {
      const r = (await this.#engineFor()).loadGroup(state);
      if (r.ok) group = r.value;
    }
    this.#groups.set(conversationId, group ?? null);
    return group;
  }

  async #saveGroup(conversationId: string, group: MlsGroup | undefined, seq?: number) {
    if (group?.active) {
      this.#groups.set(conversationId, group);
      await this.#ks.set(`group:${conversationId}`, group.exportState());
    } else {
      this.#groups.set(conversationId, null);
      await this.#ks.delete(`group:${conversationId}`);
    }
    if (seq !== undefined) await this.#ks.set(`group-seq:${conversationId}`, seqBytes(seq));
  }

  /** The devices in this device's MLS group of a conversation (empty when not a member). */
  async groupMembers(conversationId: ConversationId): Promise<{ userId: UserId; deviceId: DeviceId }[]> {
    return this.#lock.run(conversationId, async () => {
      const g = await this.#group(conversationId);
      return (g?.members() ?? []).map((m) => ({
        userId: m.userId as UserId,
        deviceId: m.deviceId as DeviceId,
      }));
    });
  }

  /** The MLS epoch this device is in for a conversation (undefined when not a member). */
  async groupEpoch(conversationId: ConversationId): Promise<number | undefined> {
    return this.#lock.run(conversationId, async () => {
      const g = await this.#group(conversationId);
      return g ? Number(g.epoch) : undefined;
    });
  }

  #announce(conversationId: string, name: "device-added" | "device-removed", list: readonly MlsMember[]) {
    for (const m of list) {
      this.#host.emit(name, {
        conversationId: conversationId as ConversationId,
        userId: m.userId as UserId,
        deviceId: m.deviceId as DeviceId,
      });
    }
  }

  /** A welcome for this device: join the group and read the log after `seq`. */
  async onWelcome(conversationId: ConversationId, seq: number, body: Uint8Array): Promise<void> {
    if (!this.ready) return;
    await this.#lock.run(conversationId, async () => {
      const existing = await this.#group(conversationId);
      const appliedSeq = seqOf(await this.#ks.get(`group-seq:${conversationId}`));
      if (existing && appliedSeq >= seq) return this.#host.welcomeProcessed(conversationId);
      const bundles = await this.#keyPackages();
      const r = await (await this.#engineFor()).joinFromWelcome(body, bundles);
      if (!r.ok) {
        if (r.code !== "mls_welcome_not_for_us")
          this.#host.emit("error", { code: r.code, message: "could not join a conversation's group" });
        return;
      }
      const used = r.value.usedKeyPackageRef;
      await this.#saveKeyPackages(bundles.filter((b) => b.lastResort || !sameBytes(b.ref, used)));
      await this.#saveGroup(conversationId, r.value.group, seq);
      this.#host.welcomeProcessed(conversationId);
    });
    this.scheduleReconcile(conversationId);
    void this.#replenishKeyPackages().catch(() => undefined);
  }

  /** A commit entry of the log, in order: apply it to the group. */
  async onCommit(entry: LogEntry): Promise<void> {
    if (!this.ready || entry.body === undefined) return;
    const cid = entry.conversationId;
    const body = base64ToBytes(entry.body);
    let again = false;
    await this.#lock.run(cid, async () => {
      const group = await this.#group(cid);
      if (!group) return;
      if (entry.seq <= seqOf(await this.#ks.get(`group-seq:${cid}`))) return;
      const r = await group.processMessage(body);
      if (r.kind === "commit") {
        await this.#saveGroup(cid, group, entry.seq);
        this.#announce(cid, "device-added", r.added);
        this.#announce(cid, "device-removed", r.removed);
        again = r.needsUpdate || this.#reconcileWanted.has(cid);
        if (r.removedSelf)
          this.#host.emit("error", { code: "removed_from_group", message: "this device was removed" });
      } else if (r.kind === "error") {
        this.#host.emit("error", { code: r.code, message: "a commit could not be applied" });
        if (r.code === "mls_future_epoch") {
          // We missed a commit: this group copy is useless now. Wait to be added again.
          await this.#saveGroup(cid, undefined);
        }
        if (r.code === "mls_unauthenticated") {
          this.#host.emit("device-unverified", {
            conversationId: cid,
            userId: entry.senderId,
            deviceId: entry.senderDeviceId,
            code: r.code,
          });
        }
      }
    });
    for (const l of [...this.#commitListeners]) l();
    if (again) this.scheduleReconcile(cid);
  }

  /** Resolves once this device's group of `cid` has reached `epoch` (or left the group). */
  #epochReached(cid: string, epoch: number): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        const g = this.#groups.get(cid);
        if (!g || Number(g.epoch) >= epoch) {
          this.#commitListeners.delete(check);
          resolve();
        }
      };
      this.#commitListeners.add(check);
      check();
    });
  }

  /**
   * Commits a fresh UpdatePath for this device (post-compromise security: new keys for this leaf).
   * On `stale_commit` it processes the winning commit and proposes again (at most 8 times).
   */
  async rotate(cid: ConversationId): Promise<{ epoch: number; attempts: number }> {
    for (let attempt = 1; attempt <= MAX_RECONCILE_ROUNDS; attempt++) {
      const r = await this.#lock.run(cid, async () => {
        const g = await this.#group(cid);
        if (!g) throw new EncryptionError("not_in_group");
        const pending = await g.update();
        if (!pending.ok) throw new EncryptionError(pending.code);
        let next: typeof pending.value | undefined = pending.value;
        while (next) {
          const res = await this.#host.commit({
            conversationId: cid,
            epoch: Number(next.epoch) - 1,
            body: next.commit,
          });
          if (!res.ok) {
            g.discardPendingCommit();
            return { ok: false as const, epoch: res.epoch ?? Number(next.epoch) };
          }
          next = g.confirmPendingCommit();
          await this.#saveGroup(cid, g, res.seq);
        }
        return { ok: true as const, epoch: Number(g.epoch) };
      });
      if (r.ok) return { epoch: r.epoch, attempts: attempt };
      this.stats.staleCommits++;
      // Another device's commit won this epoch: wait until it is applied here, then propose again.
      await this.#epochReached(cid, r.epoch);
    }
    throw new EncryptionError("stale_commit");
  }

  /** Something about a conversation's devices changed: bring its group up to date soon. */
  scheduleReconcile(conversationId: string): void {
    if (!this.ready) return;
    this.#reconcileWanted.add(conversationId);
    const p = this.#lock
      .run(conversationId, () => this.#reconcile(conversationId as ConversationId))
      .catch((err: unknown) => this.#host.emit("error", { code: "encryption_error", message: String(err) }));
    this.#pendingReconciles.add(p);
    void p.finally(() => this.#pendingReconciles.delete(p));
  }

  /** Brings every conversation's group up to date (after sync). */
  async reconcileAll(): Promise<void> {
    if (!this.ready) return;
    await this.#membersOf("", true).catch(() => []);
    for (const cid of this.#members.keys()) this.scheduleReconcile(cid);
  }

  /** Resolves once no group maintenance is running or queued (for tests and orderly shutdown). */
  async idle(): Promise<void> {
    while (this.#pendingReconciles.size > 0) await Promise.allSettled([...this.#pendingReconciles]);
  }

  /**
   * One round of group maintenance, under the conversation's lock: create the group if nobody has,
   * heal a tainted epoch, remove devices that are gone, add devices that are new (only those whose
   * key package is certified by their user's pinned identity key). A commit that loses the race
   * (`stale_commit`) is dropped; the winner arrives as a log entry and maintenance runs again.
   */
  async #reconcile(cid: ConversationId): Promise<void> {
    this.#reconcileWanted.delete(cid);
    const device = this.#device;
    const me = this.#me;
    if (!device || !me) return;
    const engine = await this.#engineFor();
    for (let round = 0; round < MAX_RECONCILE_ROUNDS; round++) {
      let group = await this.#group(cid);
      let creating = false;
      if (!group) {
        const state = await this.#host.api.groupState(cid).catch(() => undefined);
        if (!state || state.epoch > 0) return; // someone else made it: wait for a welcome
        group = await engine.createGroup(device, cid);
        creating = true;
      }
      const members = await this.#membersOf(cid, true);
      const live = new Map<string, Set<string>>();
      /** Users whose identity key changed on the server: keep their devices, add none. */
      const frozen = new Set<string>();
      for (const u of members) {
        const r = await this.#refreshUser(u);
        if (!r) continue;
        live.set(u, new Set(r.devices));
        if (this.#identityChanged.has(u)) frozen.add(u);
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
          const claimed = await this.#host.api.claimKeyPackages(missingUsers.map(([u]) => u));
          for (const k of claimed.keyPackages) {
            if (presentIds.has(k.deviceId) || !live.get(k.userId)?.has(k.deviceId)) continue;
            const bytes = base64ToBytes(k.keyPackage);
            const v = await engine.verifyKeyPackage(bytes);
            if (!v.ok || v.value.userId !== k.userId || v.value.deviceId !== k.deviceId) {
              this.#host.emit("device-unverified", {
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
        this.#host.emit("error", { code: pending.code, message: "could not prepare a group change" });
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
        const res = await this.#host.commit({
          conversationId: cid,
          epoch,
          body: next.commit,
          ...(welcomes && welcomes.length > 0 ? { welcomes } : {}),
        });
        if (!res.ok) {
          group.discardPendingCommit();
          if (res.code === "stale_commit") this.stats.staleCommits++;
          if (creating && first) this.#groups.set(cid, null);
          // stale_commit: the winner comes through the log; maintenance runs again after it.
          this.#reconcileWanted.add(cid);
          return;
        }
        const follow = group.confirmPendingCommit();
        if (next.welcome) welcomeTo = [];
        await this.#saveGroup(cid, group, res.seq);
        const after = group.members();
        const beforeKeys = new Set(before.map((m) => `${m.leafIndex}:${m.deviceId}`));
        const afterKeys = new Set(after.map((m) => `${m.leafIndex}:${m.deviceId}`));
        this.#announce(
          cid,
          "device-added",
          after.filter((m) => !beforeKeys.has(`${m.leafIndex}:${m.deviceId}`)),
        );
        this.#announce(
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

  // ------------------------------------------------------------------ codec

  async encode(content: MessageContent, ctx: CodecContext): Promise<Uint8Array> {
    const device = this.#device;
    if (!device || !this.#me) throw new Error("encryption is not set up: call setUpEncryption() first");
    const json = await jsonCodec.encode(content, ctx);
    const cid = ctx.conversationId;
    this.#ownRecent.set(ctx.messageId, json);
    if (this.#ownRecent.size > OWN_RECENT_MAX) {
      const oldest = this.#ownRecent.keys().next().value;
      if (oldest !== undefined) this.#ownRecent.delete(oldest);
    }
    const mls = await this.#lock.run(cid, async () => {
      const g = await this.#group(cid);
      if (!g?.active || g.needsUpdate) return new Uint8Array();
      const out = await g.encrypt(mlsPlaintext(ctx.messageId, json));
      await this.#saveGroup(cid, g);
      return out;
    });
    const recipients = [];
    for (const userId of await this.#membersOf(cid)) {
      const k = await this.#archiveKeyOf(userId);
      if (k) recipients.push({ userId, ...k });
    }
    const binding = { conversationId: cid, messageId: ctx.messageId };
    const envelope = await createArchiveEnvelope(json, recipients, binding);
    const signature = signAsDevice(
      device,
      SIGNATURE_LABEL,
      signedPart(cid, ctx.messageId, envelope.ciphertext),
    );
    return encodeE2eePayload({
      mls,
      archiveCiphertext: envelope.ciphertext,
      sealedKeys: new Map(envelope.sealedKeys),
      certificate: encodeDeviceCertificate(device.certificate),
      signature,
    });
  }

  async decode(payload: Uint8Array, ctx: CodecContext): Promise<DecodeResult> {
    const p = decodeE2eePayload(payload);
    if (p === "unsupported_version") return { ok: false, reason: "unsupported_version" };
    if (!p) return { ok: false, reason: "malformed_payload" };
    const me = this.#me;
    if (!this.ready || !me) return { ok: false, reason: "missing_keys" };
    const cid = ctx.conversationId;
    const own =
      ctx.senderDeviceId === this.#device?.deviceId ? this.#ownRecent.get(ctx.messageId) : undefined;
    if (own) {
      // Our own message echoed back (this device encoded exactly these bytes' content).
      this.#ownRecent.delete(ctx.messageId);
      return jsonCodec.decode(own, ctx);
    }
    if (p.mls.length > 0) {
      const viaMls = await this.#lock.run(cid, async (): Promise<DecodeResult | undefined> => {
        const g = await this.#group(cid);
        if (!g) return undefined;
        const r = await g.processMessage(p.mls);
        if (r.kind !== "application") return undefined;
        await this.#saveGroup(cid, g);
        const split = splitMlsPlaintext(r.plaintext);
        if (!split || split.messageId !== ctx.messageId) return { ok: false, reason: "malformed_payload" };
        if (r.sender?.userId !== ctx.senderId || r.sender?.deviceId !== ctx.senderDeviceId)
          return { ok: false, reason: "unverified_sender" };
        this.stats.mls++;
        return jsonCodec.decode(split.content, ctx);
      });
      if (viaMls) return viaMls;
    }
    return this.#decodeArchive(p, ctx, me.userId);
  }

  async #decodeArchive(
    p: NonNullable<Exclude<ReturnType<typeof decodeE2eePayload>, "unsupported_version">>,
    ctx: CodecContext,
    myUserId: string,
  ): Promise<DecodeResult> {
    const sealed = p.sealedKeys.get(myUserId);
    if (!sealed) return { ok: false, reason: "missing_keys" };
    const header = decodeSealedContentKey(sealed);
    if (!header.ok) return { ok: false, reason: "malformed_payload" };
    const pair = await this.#archivePair(header.value.generation);
    const binding = { conversationId: ctx.conversationId, messageId: ctx.messageId };
    const opened = await openArchiveEnvelope(p.archiveCiphertext, sealed, pair, binding);
    if (!opened.ok) return { ok: false, reason: "missing_keys" };
    // Anyone can seal to a public archive key: only the sender device's signature, under a
    // certificate from the sender's pinned identity key, makes the archived copy authentic.
    const cert = decodeDeviceCertificate(p.certificate);
    if (!cert.ok || cert.value.userId !== ctx.senderId || cert.value.deviceId !== ctx.senderDeviceId)
      return { ok: false, reason: "unverified_sender" };
    const pin = ctx.senderId ? await this.#pinned(ctx.senderId) : undefined;
    if (!pin || !sameBytes(pin, cert.value.identityPublicKey))
      return { ok: false, reason: "unverified_sender" };
    const signed = signedPart(ctx.conversationId, ctx.messageId, p.archiveCiphertext);
    if (!verifyDeviceSignature(cert.value, SIGNATURE_LABEL, signed, p.signature))
      return { ok: false, reason: "unverified_sender" };
    this.stats.archive++;
    return jsonCodec.decode(opened.value, ctx);
  }

  // ------------------------------------------------------------------ device transfer

  /** New device: open a mailbox and show the QR; the root arrives when the old device confirms. */
  async startTransfer(
    typedCode?: () => Promise<string>,
  ): Promise<{ qrPayload: string; shortCode: Promise<string>; done: Promise<void> }> {
    const api = this.#host.api;
    const box = await api.openTransfer();
    const { qrPayload, session } = beginArchiveTransfer();
    let resolveCode: (c: string) => void = () => undefined;
    let rejectCode: (e: Error) => void = () => undefined;
    const shortCode = new Promise<string>((res, rej) => {
      resolveCode = res;
      rejectCode = rej;
    });
    const done = (async () => {
      const deadline = Date.parse(box.expiresAt);
      let delay = 100;
      for (;;) {
        if (Date.now() > deadline) throw new EncryptionError("transfer_expired");
        const t = await api.readTransfer(box.transferId);
        if (t.body) {
          const message = base64ToBytes(t.body);
          const code = archiveTransferCode(session, message);
          if (!code.ok) throw new EncryptionError(code.code);
          resolveCode(code.value);
          // Strict mode: the user types the code the OLD device shows; a mismatch is refused here.
          const typed = typedCode ? await typedCode() : code.value;
          const root = completeArchiveTransfer(session, message, typed);
          if (!root.ok) throw new EncryptionError(root.code);
          await api.closeTransfer(box.transferId).catch(() => undefined);
          await this.#adoptRoot(root.value);
          return;
        }
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 2000);
      }
    })();
    done.catch((err: Error) => rejectCode(err));
    shortCode.catch(() => undefined);
    return { qrPayload: `${box.transferId}.${qrPayload}`, shortCode, done };
  }

  /** The recovery key again, from the keys on this device (for settings); `not_set_up` without them. */
  async recoveryKey(): Promise<string> {
    if (!(await this.#loadRoot()) || !this.#root) throw new EncryptionError("not_set_up");
    return recoveryKeyFromRoot(this.#root);
  }

  /** Existing device: seal the root for the new device; `confirm()` sends it. */
  async approveTransfer(qr: string): Promise<{ shortCode: string; confirm(): Promise<void> }> {
    if (!(await this.#loadRoot()) || !this.#root) throw new EncryptionError("not_set_up");
    const parsed = parseTransferQr(qr);
    const r = parsed ? sendArchiveTransfer(parsed.cryptoQr, this.#root) : undefined;
    if (!parsed || !r?.ok) throw new EncryptionError("transfer_qr_malformed");
    const { transferId } = parsed;
    const body = bytesToBase64(r.value.message);
    return {
      shortCode: r.value.confirmationCode,
      confirm: () => this.#host.api.putTransfer(transferId, body),
    };
  }

  // ------------------------------------------------------------------ verification

  async safetyNumber(userId: UserId): Promise<{ digits: string; qr: string }> {
    const me = await this.#whoAmI();
    const mine = this.#identity?.publicKey;
    const theirs = await this.#pinned(userId);
    if (!mine || !theirs) throw new EncryptionError("missing_keys");
    const local = { userId: me.userId, identityPublicKey: mine };
    const remote = { userId, identityPublicKey: theirs };
    return {
      digits: formatSafetyNumber(safetyNumber(local, remote)),
      qr: safetyNumberQrPayload(local, remote),
    };
  }

  /** Checks a safety-number QR code scanned from `userId`'s screen: made by them, about us. */
  async verifySafetyQr(userId: UserId, scanned: string): Promise<boolean> {
    const me = await this.#whoAmI();
    const mine = this.#identity?.publicKey;
    const theirs = await this.#pinned(userId);
    if (!mine || !theirs) return false;
    return verifySafetyNumberQr(
      scanned,
      { userId: me.userId, identityPublicKey: mine },
      { userId, identityPublicKey: theirs },
    ).ok;
  }

  /** Forgets every secret of this device (after signing out). */
  async wipe(conversationIds: Iterable<string>): Promise<void> {
    for (const k of ["root", "device", "key-packages"]) await this.#ks.delete(k);
    for (const cid of new Set([...conversationIds, ...this.#groups.keys(), ...this.#members.keys()])) {
      await this.#ks.delete(`group:${cid}`);
      await this.#ks.delete(`group-seq:${cid}`);
    }
    for (const u of this.#pins.keys()) await this.#ks.delete(`pin:${u}`);
    this.#root = this.#identity = this.#device = undefined;
    this.#groups.clear();
    this.#pins.clear();
    this.#archivePairs.clear();
  }
}

/** A coded failure of an encryption call (`wrong_recovery_key`, `transfer_code_mismatch`, …). */
export class EncryptionError extends Error {
  readonly code: string;
  constructor(code: string) {
    super(`encryption: ${code}`);
    this.name = "EncryptionError";
    this.code = code;
  }
}
