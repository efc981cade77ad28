import type { ClientState, Proposal } from "ts-mls";
import {
  clientStateDecoder,
  clientStateEncoder,
  contentTypes,
  createApplicationMessage,
  createCommit,
  createGroupInfoWithExternalPubAndRatchetTree,
  decode,
  defaultProposalTypes,
  encode,
  mlsExporter,
  processMessage,
  wireformats,
  zeroOutUint8Array,
} from "ts-mls";
import { bytesEqual, concatBytes } from "../internal/bytes.ts";
import type { Result } from "../result.ts";
import { fail, ok } from "../result.ts";
import {
  decodeFramedMessage,
  decodeKeyPackageMessage,
  encodeGroupInfoMessage,
  encodeMlsMessage,
} from "./mls-codec.ts";
import type { MlsIncoming, MlsMember, PendingCommit } from "./mls-group-types.ts";
import { applicationSender, diff, membersOf } from "./mls-members.ts";
import type { MlsRuntime } from "./mls-runtime.ts";
import { commitOf, commitTaints } from "./mls-taint.ts";

export type { MlsFailureCode, MlsIncoming, MlsMember, PendingCommit } from "./mls-group-types.ts";

const STATE_VERSION = 1;

interface Pending {
  commit: Uint8Array;
  welcome: Uint8Array | undefined;
  state: ClientState;
  consumed: Uint8Array[];
  epoch: bigint;
  tainted: boolean;
  followUp: Pending | undefined;
}

/**
 * One conversation's MLS group, as seen by one device. Holds the ts-mls state privately; every
 * input from the network is bytes and every expected failure is a coded result.
 *
 * Obtain one from {@link MlsEngine} (`createGroup`, `joinFromWelcome`, `joinExternal`,
 * `loadGroup`). Not safe for concurrent use: await each call before the next.
 */
export class MlsGroup {
  readonly #runtime: MlsRuntime;
  #state: ClientState;
  #tainted: boolean;
  #pending: Pending | undefined;

  /** @internal Use {@link MlsEngine}. */
  constructor(runtime: MlsRuntime, state: ClientState, tainted = false) {
    this.#runtime = runtime;
    this.#state = state;
    this.#tainted = tainted;
  }

  /**
   * True when the current epoch's secrets may be known to a removed device (see the note on
   * `commitTaints` in mls-taint.ts): {@link MlsGroup.encrypt} refuses until a path-carrying commit
   * (e.g. from {@link MlsGroup.update}) moves the group on.
   */
  get needsUpdate(): boolean {
    return this.#tainted;
  }

  /** The MLS group id (the conversation id as UTF-8). */
  get groupId(): Uint8Array {
    return this.#state.groupContext.groupId.slice();
  }

  /** Current epoch. */
  get epoch(): bigint {
    return this.#state.groupContext.epoch;
  }

  /** This device's leaf index. */
  get ownLeafIndex(): number {
    return this.#state.privatePath.leafIndex;
  }

  /** Whether a commit created here awaits confirmation. */
  get hasPendingCommit(): boolean {
    return this.#pending !== undefined;
  }

  /** Whether this device is still a member (false once a commit removed it). */
  get active(): boolean {
    return this.#state.groupActiveState.kind === "active";
  }

  /** Every device currently in the group. */
  members(): MlsMember[] {
    return membersOf(this.#state);
  }

  /**
   * A value both sides can compare out of band to confirm they share the same group state
   * (RFC 9420 epoch_authenticator).
   */
  epochAuthenticator(): Uint8Array {
    return this.#state.keySchedule.epochAuthenticator.slice();
  }

  /** MLS-Exporter (RFC 9420 §8.5) for deriving application secrets bound to this epoch. */
  async exportSecret(label: string, context: Uint8Array, length: number): Promise<Uint8Array> {
    return mlsExporter(this.#state.keySchedule.exporterSecret, label, context, length, this.#runtime.impl);
  }

  /**
   * Create a commit adding the devices of the given key packages (each an encoded
   * MLSMessage(KeyPackage)). Every key package's credential must chain to its user's pinned
   * identity key, else `mls_unauthenticated`. Throws if a commit is already pending (misuse).
   */
  async addMembers(
    keyPackages: readonly Uint8Array[],
  ): Promise<Result<PendingCommit, "key_package_malformed" | "mls_unauthenticated" | "mls_rejected">> {
    const proposals: Proposal[] = [];
    for (const bytes of keyPackages) {
      const kp = decodeKeyPackageMessage(bytes);
      if (!kp.ok || kp.value.cipherSuite !== this.#runtime.impl.id) return fail("key_package_malformed");
      proposals.push({ proposalType: defaultProposalTypes.add, add: { keyPackage: kp.value } });
    }
    return this.#commit(proposals);
  }

  /** Create a commit removing the given leaves. Throws on unknown or own leaf index (misuse). */
  async removeMembers(
    leafIndexes: readonly number[],
  ): Promise<Result<PendingCommit, "mls_unauthenticated" | "mls_rejected">> {
    const present = new Set(this.members().map((m) => m.leafIndex));
    for (const i of leafIndexes) {
      if (!present.has(i)) throw new RangeError(`leaf ${i} is not a member`);
      if (i === this.ownLeafIndex)
        throw new RangeError("cannot remove own leaf with a commit; leave instead");
    }
    return this.#commit(
      leafIndexes.map((removed) => ({ proposalType: defaultProposalTypes.remove, remove: { removed } })),
    );
  }

  /** Create a commit with only an update path (post-compromise security; rotates this leaf's keys). */
  async update(): Promise<Result<PendingCommit, "mls_unauthenticated" | "mls_rejected">> {
    return this.#commit([]);
  }

  async #commit(
    proposals: Proposal[],
  ): Promise<Result<PendingCommit, "mls_unauthenticated" | "mls_rejected">> {
    if (this.#pending !== undefined)
      throw new Error("a commit is already pending; confirm or discard it first");
    const { context, rejections } = this.#runtime.operationContext();
    try {
      // Build the chain of commits to send in order (see commitTaints): clean a tainted epoch
      // before adding anyone (so joiners never start in one), then the requested commit, then
      // clean again if it tainted the new epoch.
      const chain: Pending[] = [];
      let state = this.#state;
      let tainted = this.#tainted;
      const push = async (p: Proposal[]) => {
        const next = await this.#createCommit(context, state, p, tainted);
        chain.push(next);
        state = next.state;
        tainted = next.tainted;
      };
      if (tainted && proposals.length > 0 && membersOf(state).length > 1) await push([]);
      await push(proposals);
      if (tainted && membersOf(state).length > 1) await push([]);
      for (let i = chain.length - 1; i > 0; i--) {
        const prev = chain[i - 1];
        if (prev !== undefined) prev.followUp = chain[i];
      }
      const first = chain[0];
      if (first === undefined) throw new Error("internal: empty commit chain");
      this.#pending = first;
      return ok({ commit: first.commit, welcome: first.welcome, epoch: first.epoch });
    } catch {
      return fail(rejections.length > 0 ? "mls_unauthenticated" : "mls_rejected");
    }
  }

  async #createCommit(
    context: ReturnType<MlsRuntime["operationContext"]>["context"],
    state: ClientState,
    proposals: Proposal[],
    wasTainted: boolean,
  ): Promise<Pending> {
    const r = await createCommit({
      context,
      state,
      extraProposals: proposals,
      ratchetTreeExtension: true,
      wireAsPublicMessage: true,
    });
    const commit = commitOf(r.commit);
    if (commit === undefined) throw new Error("internal: commit was not a PublicMessage");
    return {
      commit: encodeMlsMessage(r.commit),
      welcome: r.welcome === undefined ? undefined : encodeMlsMessage(r.welcome),
      state: r.newState,
      consumed: r.consumed,
      epoch: r.newState.groupContext.epoch,
      tainted: commitTaints(commit, wasTainted),
      followUp: undefined,
    };
  }

  /**
   * Apply the pending commit after the delivery service accepted it. Throws if none (misuse).
   * Returns a follow-up commit to send next when one is needed (after removing a single device,
   * see {@link MlsGroup.needsUpdate}); it becomes the new pending commit.
   */
  confirmPendingCommit(): PendingCommit | undefined {
    const p = this.#pending;
    if (p === undefined) throw new Error("no pending commit");
    this.#state = p.state;
    this.#tainted = p.tainted;
    this.#pending = p.followUp;
    // Forward secrecy: the keys used to protect the commit are no longer needed.
    for (const k of p.consumed) zeroOutUint8Array(k);
    const next = p.followUp;
    return next === undefined ? undefined : { commit: next.commit, welcome: next.welcome, epoch: next.epoch };
  }

  /** Drop the pending commit (the delivery service rejected it, or another commit won). */
  discardPendingCommit(): void {
    this.#pending = undefined;
  }

  /** Encrypt application bytes for the group (a PrivateMessage, encoded). Throws if inactive (misuse). */
  async encrypt(plaintext: Uint8Array, authenticatedData?: Uint8Array): Promise<Uint8Array> {
    if (!this.active) throw new Error("not a member of this group any more");
    if (this.#tainted) throw new Error("epoch may be known to a removed device; commit update() first");
    const { context } = this.#runtime.operationContext();
    const r = await createApplicationMessage({
      context,
      state: this.#state,
      message: plaintext,
      ...(authenticatedData === undefined ? {} : { authenticatedData }),
    });
    this.#state = r.newState;
    for (const k of r.consumed) zeroOutUint8Array(k);
    return encodeMlsMessage(r.message);
  }

  /**
   * Process an incoming MLSMessage (application message, proposal or commit). Never throws for
   * bad input: failures come back as `{ kind: "error", code }` and leave the state unchanged.
   */
  async processMessage(bytes: Uint8Array): Promise<MlsIncoming> {
    const pending = this.#pending;
    if (pending !== undefined && bytesEqual(pending.commit, bytes)) {
      // The delivery service echoed our own commit back: it won the epoch.
      const before = this.members();
      const nextCommit = this.confirmPendingCommit();
      return {
        kind: "commit",
        epoch: this.epoch,
        own: true,
        ...diff(before, this.members()),
        removedSelf: false,
        needsUpdate: this.#tainted,
        nextCommit,
      };
    }
    const message = decodeFramedMessage(bytes);
    if (message === undefined) return { kind: "error", code: "mls_message_malformed" };
    const header =
      message.wireformat === wireformats.mls_private_message
        ? message.privateMessage
        : message.publicMessage.content;
    if (!bytesEqual(header.groupId, this.#state.groupContext.groupId))
      return { kind: "error", code: "mls_wrong_group" };
    if (header.epoch > this.epoch) return { kind: "error", code: "mls_future_epoch" };
    const isCommit =
      message.wireformat === wireformats.mls_private_message
        ? message.privateMessage.contentType === contentTypes.commit
        : message.publicMessage.content.contentType === contentTypes.commit;
    const commit = commitOf(message);
    // Hearth sends commits as PublicMessages only, so their shape can be checked (commitTaints).
    if (isCommit && commit === undefined) return { kind: "error", code: "mls_rejected" };
    const isApplication =
      message.wireformat === wireformats.mls_private_message &&
      message.privateMessage.contentType === contentTypes.application;
    if (isApplication && header.epoch === this.epoch && this.#tainted) {
      return { kind: "error", code: "mls_insecure_epoch" };
    }

    const { context, rejections } = this.#runtime.operationContext();
    const before = this.members();
    try {
      const r = await processMessage({ context, state: this.#state, message });
      for (const k of r.consumed) zeroOutUint8Array(k);
      if (r.kind === "applicationMessage") {
        const sender = applicationSender(this.#state, r.newState, header.epoch);
        this.#state = r.newState;
        return { kind: "application", plaintext: r.message, sender };
      }
      if (r.actionTaken === "reject") return { kind: "error", code: "mls_rejected" };
      const epochChanged = r.newState.groupContext.epoch !== this.epoch;
      if (!epochChanged || commit === undefined) {
        this.#state = r.newState;
        return { kind: "proposal" };
      }
      this.#state = r.newState;
      this.#tainted = commitTaints(commit, this.#tainted);
      // Another member's commit won this epoch: ours can never apply now.
      this.#pending = undefined;
      return {
        kind: "commit",
        epoch: this.epoch,
        own: false,
        ...diff(before, this.members()),
        removedSelf: !this.active,
        needsUpdate: this.#tainted && this.active,
      };
    } catch {
      if (rejections.length > 0) return { kind: "error", code: "mls_unauthenticated" };
      return { kind: "error", code: header.epoch < this.epoch ? "mls_stale_epoch" : "mls_rejected" };
    }
  }

  /**
   * A signed GroupInfo with the ratchet tree and external_pub extension (encoded MLSMessage),
   * for the delivery service to hand to a device joining by external commit.
   */
  async groupInfo(): Promise<Uint8Array> {
    return encodeGroupInfoMessage(
      await createGroupInfoWithExternalPubAndRatchetTree(this.#state, [], this.#runtime.impl),
    );
  }

  /**
   * Serialize the group state for this device's local storage (encrypt it at rest). It contains
   * private keys; it is NOT a backup format and must never leave the device. A pending commit is
   * not included.
   */
  exportState(): Uint8Array {
    return concatBytes(
      new Uint8Array([STATE_VERSION, this.#tainted ? 1 : 0]),
      encode(clientStateEncoder, this.#state),
    );
  }

  /** @internal Parse exported state; used by {@link MlsEngine.loadGroup}. */
  static decodeState(
    bytes: Uint8Array,
  ): Result<{ state: ClientState; tainted: boolean }, "mls_state_malformed"> {
    const flag = bytes[1];
    if (bytes[0] !== STATE_VERSION || (flag !== 0 && flag !== 1)) return fail("mls_state_malformed");
    try {
      const state = decode(clientStateDecoder, bytes.subarray(2));
      return state === undefined ? fail("mls_state_malformed") : ok({ state, tainted: flag === 1 });
    } catch {
      return fail("mls_state_malformed");
    }
  }
}
