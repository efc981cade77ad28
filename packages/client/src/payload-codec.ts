import type { ConversationId, DeviceId, MessageId, UserId } from "@hearth/protocol";
import { type AttachmentRef, parseAttachmentRef } from "./attachment-ref.ts";
import { type CallRecord, parseCallRecord } from "./calls/call-record.ts";
import {
  type CheckinAnswer,
  type CheckinPlanContent,
  parseCheckinAnswer,
  parseCheckinPlanContent,
} from "./checkins/checkin-content.ts";

/** What a message says, as the application sees it. */
export interface MessageContent {
  /** The text, up to {@link MAX_TEXT_LENGTH} UTF-16 code units. */
  text: string;
  /** The message this one replies to (the quote lives inside the payload, hidden from the server). */
  replyTo?: MessageId;
  /** An attached file (see `Attachments`): blob id, name, type, size, hash and key; inside the payload only. */
  attachment?: AttachmentRef;
  /**
   * What the entry is: a message (the default, also when absent) or `edit`, a new text for the
   * earlier message {@link MessageContent.target} of the same author (`text` is the whole new
   * text). The conversation view applies edits to their targets and never lists them
   * (see `ConversationView.edit`). Inside the encrypted payload: the server sees an ordinary entry.
   */
  kind?: "edit" | "checkin" | "checkin-plan" | "call";
  /** For an `edit`: the message it changes. */
  target?: MessageId;
  /**
   * For a `checkin`: the answered check-in (instrument, values, optional note). `text` is a short
   * line an older client can show ("Check-in answered").
   */
  checkin?: CheckinAnswer;
  /** For a `checkin-plan`: what the plan of that id asks (instrument, custom scale, schedule). */
  checkinPlan?: CheckinPlanContent;
  /**
   * For a `call`: how a call went (missed, declined, busy, could not connect, or its length), sent
   * by the caller's device when the call ends. `text` is its line ("Missed voice call").
   */
  call?: CallRecord;
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
 * (`attachment` is an {@link AttachmentRef}, validated both ways), or an edit
 * `{"v":1,"kind":"edit","target":"msg_…","text":…}` (no reply, no attachment), a check-in
 * `{"v":1,"kind":"checkin","text":…,"checkin":{…}}` or a plan `{"v":1,"kind":"checkin-plan",…}`
 * (validated both ways; see `checkins/checkin-content.ts`), or a call's trace
 * `{"v":1,"kind":"call","text":…,"call":{"callId":…,"media":…,"outcome":…}}` (`calls/call-record.ts`). Unknown fields are
 * ignored on decode, so a newer client can add fields without older ones failing; an unknown
 * `kind` is `unsupported_version` (a newer client's entry this one cannot apply). This is the
 * plaintext that the MLS codec encrypts; internal to the SDK (the package exports it only as
 * {@link unencryptedCodecForTests}).
 */
export const jsonCodec: PayloadCodec = {
  async encode(content) {
    if (typeof content.text !== "string" || content.text.length > MAX_TEXT_LENGTH) {
      throw new RangeError(`message text must be a string of at most ${MAX_TEXT_LENGTH} characters`);
    }
    if (content.kind === "edit") {
      if (content.target === undefined || !MESSAGE_ID.test(content.target)) {
        throw new RangeError("an edit needs the id of the message it changes");
      }
      if (content.replyTo !== undefined || content.attachment !== undefined) {
        throw new RangeError("an edit carries only its new text");
      }
      return enc.encode(JSON.stringify({ v: 1, kind: "edit", target: content.target, text: content.text }));
    }
    if (content.kind === "checkin") {
      const checkin = parseCheckinAnswer(content.checkin);
      if (!checkin) throw new RangeError("a check-in message needs a valid CheckinAnswer");
      return enc.encode(JSON.stringify({ v: 1, kind: "checkin", text: content.text, checkin }));
    }
    if (content.kind === "checkin-plan") {
      const checkinPlan = parseCheckinPlanContent(content.checkinPlan);
      if (!checkinPlan) throw new RangeError("a check-in plan message needs a valid CheckinPlanContent");
      return enc.encode(JSON.stringify({ v: 1, kind: "checkin-plan", text: content.text, checkinPlan }));
    }
    if (content.kind === "call") {
      const call = parseCallRecord(content.call);
      if (!call) throw new RangeError("a call message needs a valid CallRecord");
      return enc.encode(JSON.stringify({ v: 1, kind: "call", text: content.text, call }));
    }
    if (content.kind !== undefined) throw new RangeError("unknown message kind");
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
    const o = v as {
      v?: unknown;
      text?: unknown;
      replyTo?: unknown;
      attachment?: unknown;
      kind?: unknown;
      target?: unknown;
      checkin?: unknown;
      checkinPlan?: unknown;
      call?: unknown;
    };
    if (o.v !== 1)
      return { ok: false, reason: typeof o.v === "number" ? "unsupported_version" : "malformed_payload" };
    if (typeof o.text !== "string" || o.text.length > MAX_TEXT_LENGTH) {
      return { ok: false, reason: "malformed_payload" };
    }
    if (o.kind === "checkin") {
      const checkin = parseCheckinAnswer(o.checkin);
      if (!checkin) return { ok: false, reason: "malformed_payload" };
      return { ok: true, content: { kind: "checkin", text: o.text, checkin } };
    }
    if (o.kind === "checkin-plan") {
      const checkinPlan = parseCheckinPlanContent(o.checkinPlan);
      if (!checkinPlan) return { ok: false, reason: "malformed_payload" };
      return { ok: true, content: { kind: "checkin-plan", text: o.text, checkinPlan } };
    }
    if (o.kind === "call") {
      const call = parseCallRecord(o.call);
      if (!call) return { ok: false, reason: "malformed_payload" };
      return { ok: true, content: { kind: "call", text: o.text, call } };
    }
    if (o.kind !== undefined) {
      if (o.kind !== "edit") {
        return {
          ok: false,
          reason: typeof o.kind === "string" ? "unsupported_version" : "malformed_payload",
        };
      }
      if (typeof o.target !== "string" || !MESSAGE_ID.test(o.target)) {
        return { ok: false, reason: "malformed_payload" };
      }
      return { ok: true, content: { kind: "edit", target: o.target as MessageId, text: o.text } };
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
