import type { ClaimKeyPackagesResponse, DeviceId, UserId, UserKeysResponse } from "@hearth/protocol";
import { HttpRefusal } from "../../http/reply-error.ts";
import type { Store } from "../../storage/store.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { Session } from "../auth/auth-service.ts";

const b64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64");
const bytes = (s: string) => new Uint8Array(Buffer.from(s, "base64"));

/**
 * The MLS delivery service's key directory: pinned identity keys, key packages (single-use, with a
 * last resort per device), and the group state kept for external joins. The server stores and hands
 * out these public objects; it cannot use them to read anything.
 */
export class KeysService {
  readonly #store: Store;
  readonly #audit: AuditLog;

  constructor(deps: { store: Store; audit: AuditLog }) {
    this.#store = deps.store;
    this.#audit = deps.audit;
  }

  /** Self, or someone who shares a conversation with the caller; anyone else is `not_found`. */
  async #reachable(session: Session, userId: string) {
    if (userId === session.user.id) return;
    const contacts = await this.#store.listContacts(session.user.id);
    if (!contacts.includes(userId)) throw new HttpRefusal("not_found");
  }

  /** Pins the caller's identity key, once. A different key later is refused: identity changes are explicit. */
  async setIdentity(session: Session, identityKey: string) {
    const before = await this.#store.getIdentityKey(session.user.id);
    if (!(await this.#store.setIdentityKey(session.user.id, identityKey)))
      throw new HttpRefusal("identity_exists");
    if (before === null) await this.#audit.record("keys.identity", session.user.id, session.user.id);
  }

  async userKeys(session: Session, userId: string): Promise<UserKeysResponse> {
    await this.#reachable(session, userId);
    const [identityKey, devices] = await Promise.all([
      this.#store.getIdentityKey(userId),
      this.#store.listDevices(userId),
    ]);
    return { userId: userId as UserId, identityKey, devices: devices.map((d) => d.id as DeviceId) };
  }

  async upload(session: Session, keyPackages: string[], lastResort: string | undefined) {
    await this.#store.addKeyPackages(
      session.device.id,
      keyPackages.map(bytes),
      lastResort ? bytes(lastResort) : null,
      new Date().toISOString(),
    );
    return { available: await this.#store.countKeyPackages(session.device.id) };
  }

  async count(session: Session) {
    return { available: await this.#store.countKeyPackages(session.device.id) };
  }

  /** One key package per live device of each user (the caller's own other devices included). */
  async claim(session: Session, userIds: string[]): Promise<ClaimKeyPackagesResponse> {
    const out: ClaimKeyPackagesResponse = { keyPackages: [], missing: [] };
    for (const userId of new Set(userIds)) {
      await this.#reachable(session, userId);
      for (const d of await this.#store.listDevices(userId)) {
        if (d.id === session.device.id) continue;
        const kp = await this.#store.claimKeyPackage(d.id);
        const ids = { userId: userId as UserId, deviceId: d.id as DeviceId };
        if (kp) out.keyPackages.push({ ...ids, keyPackage: b64(kp) });
        else out.missing.push(ids);
      }
    }
    return out;
  }

  async groupState(session: Session, conversationId: string) {
    if (!(await this.#store.isMember(conversationId, session.user.id))) throw new HttpRefusal("not_found");
    const g = await this.#store.getGroupState(conversationId);
    if (!g) throw new HttpRefusal("not_found");
    return { epoch: g.epoch, groupInfo: g.groupInfo ? b64(g.groupInfo) : null };
  }

  /** The live devices of a conversation's members: the only devices a welcome may go to. */
  async memberDevices(conversationId: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const m of await this.#store.listMembers(conversationId)) {
      for (const d of await this.#store.listDevices(m.userId)) out.set(d.id, m.userId);
    }
    return out;
  }
}
