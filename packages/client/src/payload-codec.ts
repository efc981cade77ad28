import type { ConversationId, DeviceId, MessageId, UserId } from "@hearth/protocol";
import { type AttachmentRef, parseAttachmentRef } from "./attachment-ref.ts";

/** What a message says, as the application sees it. */
export interface MessageContent {
  /** The text, up to {@link MAX_TEXT_LENGTH} UTF-16 code units. */
  text: string;
  /** The message this one replies to (the quote lives inside the payload, hidden from the server). */
  replyTo?: MessageId;
  /** An attached file (see `Attachments`): blob id, name, type, size, hash and key; inside the payload only. */
  attachment?: AttachmentRef;
}

/** Longest accepted message text (the payload must fit in one frame with room to spare). */
export const MAX_TEXT_LENGTH = 64 * 1024;

/**
 * What a codec knows about the payload it encodes or decodes. The MLS codec uses the conversation's
 * group and binds the message id into the ciphertext, so a server cannot move a payload between
 * messages.
 */
export interface CodecContext {
  conversationId: ConversationId;
  messageId: MessageId;
  /** On decode: who sent it (from the log entry, as the server claims it). */
  senderId?: UserId;
  senderDeviceId?: DeviceId;
}

/**
 * Why a payload could not be read. Part of the public contract (docs/sdk.md lists them).
 * - `malformed_payload`: the bytes are not a payload this codec understands (corrupt, truncated,
 *   or not JSON/UTF-8).
 * - `unsupported_version`: a payload version this client does not know (sent by a newer client).
 * - `missing_keys`: the keys to decrypt it are not on this device (end-to-end encryption).
 * - `codec_error`: the codec itself threw; the SDK caught it so delivery goes on.
 * - `unverified_sender`: it decrypted, but the sending device is not certified by the sender's
 *   pinned identity key (or not the device the server named): refused, content withheld.
 */
export type UndecryptableReason =
  | "malformed_payload"
  | "unsupported_version"
  | "missing_keys"
  | "codec_error"
  | "unverified_sender";

/** A decoded payload: content, or a documented reason it could not be read. Never an exception. */
export type DecodeResult = { ok: true; content: MessageContent } | { ok: false; reason: UndecryptableReason };

/**
 * The single place where message payloads are produced and read. The SDK base64s the bytes into the
 * `send` frame and back; the server never parses them. With `encryption` the client uses its MLS
 * codec; tests and benchmarks may pass {@link unencryptedCodecForTests} instead. There is no default.
 *
 * Contract: `decode` must not throw for any input bytes (it returns a reason instead); `encode` may
 * throw only for misuse (content the codec cannot represent).
 */
export interface PayloadCodec {
  encode(content: MessageContent, ctx: CodecContext): Promise<Uint8Array>;
  decode(payload: Uint8Array, ctx: CodecContext): Promise<DecodeResult>;
}

const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: true });
const MESSAGE_ID = /^msg_[A-Za-z0-9_-]{16,43}$/;

/**
 * The content format: UTF-8 JSON `{"v":1,"text":…,"replyTo"?:…,"attachment"?:…}`
 * (`attachment` is an {@link AttachmentRef}, validated both ways). Unknown fields are
 * ignored on decode, so a newer client can add fields without older ones failing. This is the
 * plaintext that the MLS codec encrypts; internal to the SDK (the package exports it only as
 * {@link unencryptedCodecForTests}).
 */
export const jsonCodec: PayloadCodec = {
  async encode(content) {
    if (typeof content.text !== "string" || content.text.length > MAX_TEXT_LENGTH) {
      throw new RangeError(`message text must be a string of at most ${MAX_TEXT_LENGTH} characters`);
    }
    const v: { v: 1; text: string; replyTo?: MessageId; attachment?: AttachmentRef } = {
      v: 1,
      text: content.text,
    };
    if (content.replyTo !== undefined) v.replyTo = content.replyTo;
    if (content.attachment !== undefined) {
      const attachment = parseAttachmentRef(content.attachment);
      if (!attachment) throw new RangeError("message attachment is not a valid AttachmentRef");
      v.attachment = attachment;
    }
    return enc.encode(JSON.stringify(v));
  },
  async decode(payload) {
    let v: unknown;
    try {
      v = JSON.parse(dec.decode(payload));
    } catch {
      return { ok: false, reason: "malformed_payload" };
    }
    if (typeof v !== "object" || v === null || Array.isArray(v))
      return { ok: false, reason: "malformed_payload" };
    const o = v as { v?: unknown; text?: unknown; replyTo?: unknown; attachment?: unknown };
    if (o.v !== 1)
      return { ok: false, reason: typeof o.v === "number" ? "unsupported_version" : "malformed_payload" };
    if (typeof o.text !== "string" || o.text.length > MAX_TEXT_LENGTH) {
      return { ok: false, reason: "malformed_payload" };
    }
    const content: MessageContent = { text: o.text };
    if (o.replyTo !== undefined) {
      if (typeof o.replyTo !== "string" || !MESSAGE_ID.test(o.replyTo)) {
        return { ok: false, reason: "malformed_payload" };
      }
      content.replyTo = o.replyTo as MessageId;
    }
    if (o.attachment !== undefined) {
      const attachment = parseAttachmentRef(o.attachment);
      if (!attachment) return { ok: false, reason: "malformed_payload" };
      content.attachment = attachment;
    }
    return { ok: true, content };
  },
};

/**
 * **Not encrypted: the server can read every message.** The content format on the wire as it is,
 * for tests and benchmarks that measure the SDK and the server without MLS. Pass it as
 * `codec` explicitly; real clients pass `encryption` (docs/sdk.md).
 *
 * @example
 * const client = new HearthClient({ baseUrl, token, codec: unencryptedCodecForTests }); // tests only
 */
export const unencryptedCodecForTests: PayloadCodec = jsonCodec;
