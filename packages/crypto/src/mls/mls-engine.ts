import type { CiphersuiteImpl } from "ts-mls";
import {
  createGroup,
  defaultCapabilities,
  defaultLifetime,
  generateKeyPackageWithKey,
  getCiphersuiteImpl,
  joinGroup,
  joinGroupExternal,
  makeCustomExtension,
  makeKeyPackageRef,
  protocolVersions,
  wireformats,
} from "ts-mls";
import type { CredentialRejection, PinnedIdentityLookup } from "../identity/authentication-service.ts";
import { checkCredential } from "../identity/authentication-service.ts";
import type { DeviceCertificate } from "../identity/device-certificate.ts";
import { bytesEqual, utf8ToBytes } from "../internal/bytes.ts";
import type { Result } from "../result.ts";
import { fail, ok } from "../result.ts";
import type { DeviceIdentity } from "./device-identity.ts";
import { deviceCredential } from "./device-identity.ts";
import type { KeyPackageBundle } from "./key-package-bundle.ts";
import { bundleKeyPackage, packPrivateKeys, unpackPrivateKeys } from "./key-package-bundle.ts";
import {
  decodeGroupInfoMessage,
  decodeKeyPackageMessage,
  decodeWelcomeMessage,
  encodeMlsMessage,
} from "./mls-codec.ts";
import { MlsGroup } from "./mls-group.ts";
import type { MlsRuntime } from "./mls-runtime.ts";
import { createMlsRuntime } from "./mls-runtime.ts";

/** The one cipher suite Hearth uses (RFC 9420 §17.1, value 1). */
export const HEARTH_CIPHER_SUITE = "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519" as const;

/** KeyPackage extension type of `last_resort` (draft-ietf-mls-extensions, IANA 0x000A). */
export const LAST_RESORT_EXTENSION_TYPE = 0x000a;

/** Options for {@link MlsEngine.create}. */
export interface MlsEngineOptions {
  /** The identity key this device has pinned for a user; see {@link PinnedIdentityLookup}. */
  readonly pinnedIdentity: PinnedIdentityLookup;
  /** Told whenever a credential is rejected (for a "could not verify device" notice). */
  readonly onCredentialRejected?: (code: CredentialRejection) => void;
}

/**
 * Hearth's MLS facade over ts-mls: everything the client needs to run one MLS group per
 * conversation, in bytes in / bytes out, so the engine underneath could be replaced.
 *
 * @example
 * ```ts
 * const engine = await MlsEngine.create({ pinnedIdentity: (userId) => pins.get(userId) });
 * const [kp] = await engine.generateKeyPackages(device, 1);
 * const group = await engine.createGroup(device, "conv_123");
 * ```
 */
export class MlsEngine {
  readonly #runtime: MlsRuntime;
  readonly #lookup: PinnedIdentityLookup;

  private constructor(impl: CiphersuiteImpl, options: MlsEngineOptions) {
    this.#lookup = options.pinnedIdentity;
    this.#runtime = createMlsRuntime(impl, options.pinnedIdentity, options.onCredentialRejected);
  }

  /** Create an engine for {@link HEARTH_CIPHER_SUITE}. */
  static async create(options: MlsEngineOptions): Promise<MlsEngine> {
    return new MlsEngine(await getCiphersuiteImpl(HEARTH_CIPHER_SUITE), options);
  }

  #capabilities() {
    const caps = defaultCapabilities();
    // Advertise the last_resort extension we put in key packages.
    return { ...caps, extensions: [...new Set([...caps.extensions, LAST_RESORT_EXTENSION_TYPE])] };
  }

  /**
   * Generate `count` one-time key packages for a device, plus (with `lastResort`) one
   * last-resort package the server hands out when the one-time ones run out.
   */
  async generateKeyPackages(
    device: DeviceIdentity,
    count: number,
    options: { lastResort?: boolean } = {},
  ): Promise<KeyPackageBundle[]> {
    if (!Number.isInteger(count) || count < 0 || count > 1000) throw new RangeError("count must be 0–1000");
    const flags = [...Array<boolean>(count).fill(false), ...(options.lastResort ? [true] : [])];
    const out: KeyPackageBundle[] = [];
    for (const lastResort of flags) {
      const { publicPackage, privatePackage } = await generateKeyPackageWithKey({
        credential: deviceCredential(device),
        signatureKeyPair: { signKey: device.signatureSecretKey, publicKey: device.signaturePublicKey },
        cipherSuite: this.#runtime.impl,
        capabilities: this.#capabilities(),
        lifetime: defaultLifetime(),
        extensions: lastResort
          ? [
              makeCustomExtension({
                extensionType: LAST_RESORT_EXTENSION_TYPE,
                extensionData: new Uint8Array(),
              }),
            ]
          : [],
      });
      out.push({
        keyPackage: encodeMlsMessage({
          wireformat: wireformats.mls_key_package,
          version: protocolVersions.mls10,
          keyPackage: publicPackage,
        }),
        ref: await makeKeyPackageRef(publicPackage, this.#runtime.impl.hash),
        lastResort,
        privateKeys: packPrivateKeys(privatePackage),
      });
    }
    return out;
  }

  /** Create a new group for a conversation, with this device as its only member. */
  async createGroup(device: DeviceIdentity, conversationId: string): Promise<MlsGroup> {
    const [bundle] = await this.generateKeyPackages(device, 1);
    const kp = bundle === undefined ? undefined : bundleKeyPackage(bundle);
    const priv = bundle === undefined ? undefined : unpackPrivateKeys(bundle.privateKeys);
    if (kp === undefined || priv === undefined)
      throw new Error("internal: fresh key package did not round-trip");
    const { context } = this.#runtime.operationContext();
    const state = await createGroup({
      context,
      groupId: utf8ToBytes(conversationId),
      keyPackage: kp,
      privateKeyPackage: priv,
    });
    return new MlsGroup(this.#runtime, state);
  }

  /**
   * Join a group from a Welcome (encoded MLSMessage) using whichever of the device's key
   * packages it is addressed to. The caller deletes that bundle afterwards unless it is the
   * last-resort one (`usedKeyPackageRef` names it).
   */
  async joinFromWelcome(
    welcomeBytes: Uint8Array,
    bundles: readonly KeyPackageBundle[],
  ): Promise<
    Result<
      { group: MlsGroup; usedKeyPackageRef: Uint8Array },
      "mls_message_malformed" | "mls_welcome_not_for_us" | "mls_unauthenticated" | "mls_rejected"
    >
  > {
    const welcome = decodeWelcomeMessage(welcomeBytes);
    if (welcome === undefined) return fail("mls_message_malformed");
    const bundle = bundles.find((b) => welcome.secrets.some((s) => bytesEqual(s.newMember, b.ref)));
    const keyPackage = bundle === undefined ? undefined : bundleKeyPackage(bundle);
    const privateKeys = bundle === undefined ? undefined : unpackPrivateKeys(bundle.privateKeys);
    if (bundle === undefined || keyPackage === undefined || privateKeys === undefined) {
      return fail("mls_welcome_not_for_us");
    }
    const { context, rejections } = this.#runtime.operationContext();
    try {
      const state = await joinGroup({ context, welcome, keyPackage, privateKeys });
      return ok({ group: new MlsGroup(this.#runtime, state), usedKeyPackageRef: bundle.ref.slice() });
    } catch {
      return fail(rejections.length > 0 ? "mls_unauthenticated" : "mls_rejected");
    }
  }

  /**
   * Join by external commit from a GroupInfo the delivery service keeps (encoded MLSMessage).
   * Returns the group and the commit (a PublicMessage) to send; as with any commit, the server
   * may reject it if another commit won the epoch, in which case fetch a fresh GroupInfo.
   */
  async joinExternal(
    device: DeviceIdentity,
    groupInfoBytes: Uint8Array,
  ): Promise<
    Result<
      { group: MlsGroup; commit: Uint8Array },
      "mls_message_malformed" | "mls_unauthenticated" | "mls_rejected"
    >
  > {
    const groupInfo = decodeGroupInfoMessage(groupInfoBytes);
    if (groupInfo === undefined) return fail("mls_message_malformed");
    const [bundle] = await this.generateKeyPackages(device, 1);
    const keyPackage = bundle === undefined ? undefined : bundleKeyPackage(bundle);
    const privateKeys = bundle === undefined ? undefined : unpackPrivateKeys(bundle.privateKeys);
    if (keyPackage === undefined || privateKeys === undefined)
      throw new Error("internal: key package round trip");
    const { context, rejections } = this.#runtime.operationContext();
    try {
      const r = await joinGroupExternal({ context, groupInfo, keyPackage, privateKeys, resync: false });
      const commit = encodeMlsMessage({
        wireformat: wireformats.mls_public_message,
        version: protocolVersions.mls10,
        publicMessage: r.publicMessage,
      });
      return ok({ group: new MlsGroup(this.#runtime, r.newState), commit });
    } catch {
      return fail(rejections.length > 0 ? "mls_unauthenticated" : "mls_rejected");
    }
  }

  /** Restore a group from {@link MlsGroup.exportState} output. */
  loadGroup(state: Uint8Array): Result<MlsGroup, "mls_state_malformed"> {
    const decoded = MlsGroup.decodeState(state);
    return decoded.ok ? ok(new MlsGroup(this.#runtime, decoded.value.state, decoded.value.tainted)) : decoded;
  }

  /**
   * Like {@link MlsEngine.checkKeyPackage}, but answers with the verified device certificate, so
   * the caller can check the key package belongs to the user and device it was claimed for.
   */
  async verifyKeyPackage(
    bytes: Uint8Array,
  ): Promise<Result<DeviceCertificate, CredentialRejection | "key_package_malformed">> {
    const decoded = decodeKeyPackageMessage(bytes);
    if (!decoded.ok || decoded.value.cipherSuite !== this.#runtime.impl.id)
      return fail("key_package_malformed");
    return checkCredential(
      decoded.value.leafNode.credential,
      decoded.value.leafNode.signaturePublicKey,
      this.#lookup,
    );
  }

  /**
   * Check a key package's credential against the pinned identity keys before using it, e.g. to
   * show "unverified device" before inviting. Also checks the cipher suite.
   */
  async checkKeyPackage(
    bytes: Uint8Array,
  ): Promise<Result<true, CredentialRejection | "key_package_malformed">> {
    const decoded = decodeKeyPackageMessage(bytes);
    if (!decoded.ok || decoded.value.cipherSuite !== this.#runtime.impl.id)
      return fail("key_package_malformed");
    const keyPackage = decoded.value;
    const r = await checkCredential(
      keyPackage.leafNode.credential,
      keyPackage.leafNode.signaturePublicKey,
      this.#lookup,
    );
    return r.ok ? ok(true) : r;
  }
}
