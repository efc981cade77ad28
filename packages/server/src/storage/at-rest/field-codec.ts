import { randomBytes } from "node:crypto";
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";

/**
 * The person-identifying server fields that are encrypted at rest, as `table.column`. Each is a text
 * column whose row has a stable primary key (`users.id`, `practices.id`, `devices.id`,
 * `notify_settings.user_id`, `push_subscriptions.device_id`), which binds the ciphertext to its row.
 */
export const SEALED_FIELDS = [
  "users.login",
  "users.display_name",
  "users.email",
  "practices.name",
  "devices.name",
  "notify_settings.email",
  "push_subscriptions.endpoint",
  "push_subscriptions.p256dh",
  "push_subscriptions.auth",
] as const;

/** One of {@link SEALED_FIELDS}. */
export type SealedField = (typeof SEALED_FIELDS)[number];

/** What a codec seals: a sealed field, or the `meta` check value that tells a wrong key early. */
export type CodecField = SealedField | "meta.value";

/**
 * How the SQL stores write and read the sealed fields: {@link PLAINTEXT_FIELDS} (encryption at rest
 * off) or an {@link AtRestCipher}. The stores call it for every sealed field; nothing else changes.
 */
export interface FieldCodec {
  /** True when values are stored encrypted. */
  readonly encrypted: boolean;
  /** The stored form of `value`, the field `field` of the row `rowId`. */
  seal(field: CodecField, rowId: string, value: string): string;
  /** The value of a stored form; throws when it was not sealed for this field and row with this key. */
  open(field: CodecField, rowId: string, stored: string): string;
  /** What `users.login_key` holds for a login: the login itself, or its keyed blind index. */
  loginKey(login: string): string;
}

/** Encryption at rest off: values are stored as they are, and a login is its own key. */
export const PLAINTEXT_FIELDS: FieldCodec = Object.freeze({
  encrypted: false,
  seal: (_field: CodecField, _rowId: string, value: string) => value,
  open: (_field: CodecField, _rowId: string, stored: string) => stored,
  loginKey: (login: string) => login,
});

/** Seals a nullable value (null stays null: "no email" is not a secret worth a ciphertext). */
export function sealNullable(codec: FieldCodec, field: SealedField, rowId: string, value: string | null) {
  return value === null ? null : codec.seal(field, rowId, value);
}

/** Opens a nullable stored value. */
export function openNullable(codec: FieldCodec, field: SealedField, rowId: string, stored: string | null) {
  return stored === null ? null : codec.open(field, rowId, stored);
}

/** The prefix of a sealed value (version 1: XChaCha20-Poly1305, base64url of nonce ‖ ciphertext ‖ tag). */
export const SEALED_PREFIX = "enc1:";

/** Length of an at-rest key, in bytes. */
export const AT_REST_KEY_BYTES = 32;

const NONCE_BYTES = 24;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Application-level encryption of the sealed fields (docs/security.md, "Encryption at rest").
 *
 * From one 32-byte key, HKDF-SHA256 derives two: an XChaCha20-Poly1305 key for the values (a random
 * 192-bit nonce each, so no nonce bookkeeping) with `table.column|rowId` as associated data, so a
 * ciphertext copied into another row or column fails to open; and an HMAC-SHA256 key for the login's
 * blind index, so sign-in finds an account by `users.login_key` without the login being stored.
 *
 * @example
 * const cipher = new AtRestCipher(key);
 * const stored = cipher.seal("users.display_name", "usr_1", "Ana");
 * cipher.open("users.display_name", "usr_1", stored); // "Ana"
 */
export class AtRestCipher implements FieldCodec {
  readonly encrypted = true;
  readonly #valueKey: Uint8Array;
  readonly #indexKey: Uint8Array;

  constructor(key: Uint8Array) {
    if (key.length !== AT_REST_KEY_BYTES) {
      throw new Error(`an at-rest key is ${AT_REST_KEY_BYTES} bytes, not ${key.length}`);
    }
    const salt = utf8.encode("hearth-at-rest");
    this.#valueKey = hkdf(sha256, key, salt, utf8.encode("hearth-at-rest/values/v1"), 32);
    this.#indexKey = hkdf(sha256, key, salt, utf8.encode("hearth-at-rest/login-index/v1"), 32);
  }

  seal(field: CodecField, rowId: string, value: string): string {
    const nonce = new Uint8Array(randomBytes(NONCE_BYTES));
    const sealed = xchacha20poly1305(this.#valueKey, nonce, aad(field, rowId)).encrypt(utf8.encode(value));
    const out = new Uint8Array(NONCE_BYTES + sealed.length);
    out.set(nonce, 0);
    out.set(sealed, NONCE_BYTES);
    return SEALED_PREFIX + Buffer.from(out).toString("base64url");
  }

  open(field: CodecField, rowId: string, stored: string): string {
    if (!stored.startsWith(SEALED_PREFIX)) {
      throw new Error(`${field} of ${shortId(rowId)} is not encrypted at rest`);
    }
    const bytes = new Uint8Array(Buffer.from(stored.slice(SEALED_PREFIX.length), "base64url"));
    if (bytes.length < NONCE_BYTES + 16) throw new Error(`${field} of ${shortId(rowId)} is truncated`);
    try {
      const plain = xchacha20poly1305(
        this.#valueKey,
        bytes.subarray(0, NONCE_BYTES),
        aad(field, rowId),
      ).decrypt(bytes.subarray(NONCE_BYTES));
      return fromUtf8.decode(plain);
    } catch {
      // Wrong key, another row's or column's value, or altered bytes: all look the same here.
      throw new Error(`${field} of ${shortId(rowId)} does not open with the at-rest key`);
    }
  }

  loginKey(login: string): string {
    // The same normalisation as the login schema and the lockout key (trimmed, lowercase, NFC), so
    // the index matches however the login was typed.
    const normalised = login.trim().toLowerCase().normalize("NFC");
    return Buffer.from(hmac(sha256, this.#indexKey, utf8.encode(normalised))).toString("hex");
  }
}

const aad = (field: CodecField, rowId: string) => utf8.encode(`hearth-at-rest/v1|${field}|${rowId}`);

/** Ids in error messages are shortened (they land in logs). */
const shortId = (id: string) => (id.length > 10 ? `${id.slice(0, 10)}…` : id);
