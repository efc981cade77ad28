import type {
  ClaimKeyPackagesResponse,
  ConversationId,
  DeviceId,
  TransferResponse,
  UserId,
  UserKeysResponse,
} from "@hearth/protocol";
import { bytesToBase64Url } from "@hearth/protocol";
import type { Bus } from "../../bus/bus.ts";
import { conversationTopic } from "../../bus/bus.ts";
import type { Clock } from "../../clock.ts";
import { HttpRefusal } from "../../http/reply-error.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { Session } from "../auth/auth-service.ts";
import type { AuthStore } from "../auth/auth-store.ts";
import type { ConversationStore } from "../conversations/conversation-store.ts";
import type { KeysStore } from "./keys-store.ts";

const b64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64");
const bytes = (s: string) => new Uint8Array(Buffer.from(s, "base64"));

/** How long a device-transfer mailbox lives. */
export const TRANSFER_TTL_MS = 10 * 60_000;

/**
 * The MLS delivery service's key directory: pinned identity keys, key packages (single-use, with a
 * last resort per device), and the group state kept for external joins. The server stores and hands
 * out these public objects; it cannot use them to read anything.
 */
export class KeysService {
  readonly #store: KeysStore;
  readonly #conversations: ConversationStore;
  readonly #auth: AuthStore;
  readonly #audit: AuditLog;
  readonly #bus: Bus | undefined;
  readonly #clock: Clock;

  constructor(deps: {
    store: KeysStore;
    /** Who shares a conversation with whom: key directories are visible to contacts only. */
    conversations: ConversationStore;
    /** The auth module's devices, whose key packages are claimed. */
    auth: AuthStore;
    audit: AuditLog;
    clock: Clock;
    bus?: Bus;
  }) {
    this.#store = deps.store;
    this.#conversations = deps.conversations;
    this.#auth = deps.auth;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
    this.#bus = deps.bus;
  }

  /** The clock's now, as the ISO timestamp the store keeps. */
  #nowIso() {
    return new Date(this.#clock.now()).toISOString();
  }

  /** Tells the members of the user's conversations that the user's devices changed. */
  async #devicesChanged(userId: UserId) {
    if (!this.#bus) return;
    for (const m of await this.#conversations.listMemberships(userId)) {
      this.#bus.publish(conversationTopic(m.conversationId), {
        type: "devices",
        conversationId: m.conversationId,
        userId,
      });
    }
  }

  /** Self, or someone who shares a conversation with the caller; anyone else is `not_found`. */
  async #reachable(session: Session, userId: UserId) {
    if (userId === session.user.id) return;
    const contacts = await this.#conversations.listContacts(session.user.id);
    if (!contacts.includes(userId)) throw new HttpRefusal("not_found");
  }

  /** Pins the caller's identity key, once. A different key later is refused: identity changes are explicit. */
  async setIdentity(session: Session, identityKey: string) {
    const before = await this.#store.getIdentityKey(session.user.id);
    if (!(await this.#store.setIdentityKey(session.user.id, identityKey)))
      throw new HttpRefusal("identity_exists");
    if (before === null) await this.#audit.record("keys.identity", session.user.id, session.user.id);
  }

  async userKeys(session: Session, userId: UserId): Promise<UserKeysResponse> {
    await this.#reachable(session, userId);
    const [identityKey, devices, archiveKey] = await Promise.all([
      this.#store.getIdentityKey(userId),
      this.#auth.listDevices(userId),
      this.#store.getArchiveKey(userId),
    ]);
    return {
      userId,
      identityKey,
      devices: devices.map((d) => d.id),
      archiveKey,
    };
  }

  /**
   * Publishes the caller's archive key record. The record is signed by the user's identity key on
   * the device and checked by every reader; the server only stores it.
   */
  async setArchiveKey(session: Session, record: string) {
    await this.#store.setArchiveKey(session.user.id, record);
  }

  /** Opens a device-transfer mailbox for the caller's user, live for {@link TRANSFER_TTL_MS}. */
  async openTransfer(session: Session): Promise<TransferResponse> {
    const now = this.#clock.now();
    const id = `trf_${bytesToBase64Url(globalThis.crypto.getRandomValues(new Uint8Array(16)))}`;
    const expiresAt = new Date(now + TRANSFER_TTL_MS).toISOString();
    await this.#store.createTransfer({
      id,
      userId: session.user.id,
      createdAt: new Date(now).toISOString(),
      expiresAt,
    });
    return { transferId: id, expiresAt, body: null };
  }

  /** Another device of the same user drops the sealed message in, once. */
  async putTransfer(session: Session, id: string, body: string) {
    const r = await this.#store.putTransfer(id, session.user.id, bytes(body), this.#nowIso());
    if (r === "not_found") throw new HttpRefusal("not_found");
    if (r === "full") throw new HttpRefusal("transfer_full");
  }

  async readTransfer(session: Session, id: string): Promise<TransferResponse> {
    const t = await this.#store.getTransfer(id, session.user.id, this.#nowIso());
    if (!t) throw new HttpRefusal("not_found");
    return { transferId: t.id, expiresAt: t.expiresAt, body: t.body ? b64(t.body) : null };
  }

  /** Closes one of my mailboxes; another user's (or an unknown one) is `not_found`, and stays. */
  async closeTransfer(session: Session, id: string) {
    if (!(await this.#store.deleteTransfer(id, session.user.id, this.#nowIso())))
      throw new HttpRefusal("not_found");
  }

  async upload(session: Session, keyPackages: string[], lastResort: string | undefined) {
    await this.#store.addKeyPackages(
      session.device.id,
      keyPackages.map(bytes),
      lastResort ? bytes(lastResort) : null,
      this.#nowIso(),
    );
    // A device that can now be added (or whose packages were used up) is worth a look by members.
    await this.#devicesChanged(session.user.id);
    return { available: await this.#store.countKeyPackages(session.device.id) };
  }

  async count(session: Session) {
    return { available: await this.#store.countKeyPackages(session.device.id) };
  }

  /** One key package per live device of each user (the caller's own other devices included). */
  async claim(session: Session, userIds: UserId[]): Promise<ClaimKeyPackagesResponse> {
    const out: ClaimKeyPackagesResponse = { keyPackages: [], missing: [] };
    for (const userId of new Set(userIds)) {
      await this.#reachable(session, userId);
      for (const d of await this.#auth.listDevices(userId)) {
        if (d.id === session.device.id) continue;
        const kp = await this.#store.claimKeyPackage(d.id);
        const ids = { userId, deviceId: d.id };
        if (kp) out.keyPackages.push({ ...ids, keyPackage: b64(kp) });
        else out.missing.push(ids);
      }
    }
    return out;
  }

  async groupState(session: Session, conversationId: ConversationId) {
    if (!(await this.#conversations.isMember(conversationId, session.user.id)))
      throw new HttpRefusal("not_found");
    const g = await this.#store.getGroupState(conversationId);
    if (!g) throw new HttpRefusal("not_found");
    return { epoch: g.epoch, groupInfo: g.groupInfo ? b64(g.groupInfo) : null };
  }

  /** The live devices of a conversation's members: the only devices a welcome may go to. */
  async memberDevices(conversationId: ConversationId): Promise<Map<DeviceId, UserId>> {
    const out = new Map<DeviceId, UserId>();
    for (const m of await this.#conversations.listMembers(conversationId)) {
      for (const d of await this.#auth.listDevices(m.userId)) out.set(d.id, m.userId);
    }
    return out;
  }
}
