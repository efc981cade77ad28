import {
  type ArchiveKeyPair,
  type ArchiveRoot,
  type DeviceIdentity,
  deriveArchiveKeyPair,
  type IdentityKeyPair,
  identityKeyPairFromArchiveRoot,
  MlsEngine,
  type MlsGroup,
} from "@hearth/crypto";
import type { DeviceId, UserId } from "@hearth/protocol";
import type { DeviceKeyStore } from "../device-key-store.ts";
import type { E2eeHost } from "./e2ee-types.ts";
import { KeyedMutex } from "./keyed-mutex.ts";

/** Key packages kept on the server for this device after a top-up. */
export const KEY_PACKAGE_TARGET = 20;
/** Below this many on the server, the device tops them up. */
export const KEY_PACKAGE_LOW = 8;
/** Domain label of a device's signature over a message's archive part. */
export const SIGNATURE_LABEL = "hearth/message/v1";
/** Commit attempts per reconcile (and per rotation) before giving up. */
export const MAX_RECONCILE_ROUNDS = 8;
/** Own recent messages kept in plaintext so their echo needs no decryption. */
export const OWN_RECENT_MAX = 1000;

/** True when two byte arrays hold the same bytes. */
export const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The state one device's encryption layer shares between its parts (setup, key directory, groups,
 * message protection, transfer). Internal to the SDK: only {@link E2eeSession} holds one, so the
 * fields are open to the parts in this folder and to nothing else.
 */
export class E2eeState {
  readonly ks: DeviceKeyStore;
  readonly host: E2eeHost;
  /** One job at a time per conversation's MLS group. */
  readonly lock = new KeyedMutex();
  readonly #pinnedIdentity: (userId: string) => Promise<Uint8Array | undefined>;
  #engine: MlsEngine | undefined;
  me: { userId: UserId; deviceId: DeviceId } | undefined;
  root: ArchiveRoot | undefined;
  identity: IdentityKeyPair | undefined;
  device: DeviceIdentity | undefined;
  /** Loaded groups by conversation; `null` when this device has none. */
  readonly groups = new Map<string, MlsGroup | null>();
  /** Identity keys pinned per user (trust on first use). */
  readonly pins = new Map<string, Uint8Array>();
  /** Users whose served identity key no longer matches their pin (announced once). */
  readonly identityChanged = new Set<string>();
  readonly archiveKeys = new Map<string, { generation: number; publicKey: Uint8Array } | null>();
  readonly archivePairs = new Map<number, Promise<ArchiveKeyPair>>();
  /** Members (user ids) per conversation, as the server last listed them. */
  readonly members = new Map<string, UserId[]>();
  readonly reconcileWanted = new Set<string>();
  readonly pendingReconciles = new Set<Promise<void>>();
  /** How messages were read on this device: through MLS, or from the archive copy (diagnostics). */
  readonly stats = { mls: 0, archive: 0, staleCommits: 0 };
  readonly commitListeners = new Set<() => void>();
  /** Content of this device's own recent messages: MLS cannot decrypt one's own, and HPKE costs. */
  readonly ownRecent = new Map<string, Uint8Array>();

  /** `pinnedIdentity` is how the MLS engine's authentication service finds a user's identity key. */
  constructor(
    keyStore: DeviceKeyStore,
    host: E2eeHost,
    pinnedIdentity: (userId: string) => Promise<Uint8Array | undefined>,
  ) {
    this.ks = keyStore;
    this.host = host;
    this.#pinnedIdentity = pinnedIdentity;
  }

  /** True once this device holds its keys and can encrypt. */
  get ready(): boolean {
    return this.device !== undefined && this.root !== undefined;
  }

  async whoAmI(): Promise<{ userId: UserId; deviceId: DeviceId }> {
    if (!this.me) {
      const me = await this.host.api.me();
      this.me = { userId: me.userId, deviceId: me.deviceId };
    }
    return this.me;
  }

  async engine(): Promise<MlsEngine> {
    this.#engine ??= await MlsEngine.create({
      pinnedIdentity: (userId) => this.#pinnedIdentity(userId),
    });
    return this.#engine;
  }

  /** Loads the root (and what follows from it) from the key store; false if this device has none. */
  async loadRoot(): Promise<boolean> {
    if (this.root) return true;
    const seed = await this.ks.get("root");
    if (!seed) return false;
    this.useRoot({ seed });
    return true;
  }

  useRoot(root: ArchiveRoot): void {
    this.root = root;
    this.identity = identityKeyPairFromArchiveRoot(root);
    this.archivePairs.clear();
  }

  /** This device's archive key pair of a generation (derived once from the root). */
  archivePair(generation: number): Promise<ArchiveKeyPair> {
    const root = this.root;
    if (!root) throw new Error("internal: no root");
    let p = this.archivePairs.get(generation);
    if (!p) {
      p = deriveArchiveKeyPair(root, generation);
      this.archivePairs.set(generation, p);
    }
    return p;
  }
}
