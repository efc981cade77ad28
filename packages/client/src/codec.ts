import {
  base64ToBytes,
  bytesToBase64,
  type ConversationId,
  type MessageId,
  type UserId,
} from "@hearth/protocol";

/** What a message says, as the application sees it. */
export interface MessageContent {
  text: string;
  /** The message this one replies to (the quote lives inside the payload, hidden from the server). */
  replyTo?: MessageId;
}

/** Context a codec may need (the MLS codec uses the conversation's group). */
export interface CodecContext {
  conversationId: ConversationId;
  senderId?: UserId;
}

/** Why a payload could not be read. Documented in docs/sdk.md. */
export type UndecryptableReason =
  /** The bytes are not a payload this codec understands (corrupt, or from a newer client). */
  | "malformed_payload"
  /** The payload's version is not supported by this client. */
  | "unsupported_version"
  /** The keys to read it are not on this device (end-to-end encryption). */
  | "missing_keys";

/** A decoded payload: content, or a documented reason it could not be read. Never an exception. */
export type DecodeResult = { ok: true; content: MessageContent } | { ok: false; reason: UndecryptableReason };

/**
 * The single place where message payloads are produced and read. The default is plain JSON; the
 * end-to-end encryption layer replaces it with an MLS codec (hence async).
 */
export interface PayloadCodec {
  encode(content: MessageContent, ctx: CodecContext): Promise<Uint8Array>;
  decode(payload: Uint8Array, ctx: CodecContext): Promise<DecodeResult>;
}

const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: true });
const MAX_TEXT = 64 * 1024;

/** The plain (not encrypted) codec: UTF-8 JSON `{v:1, text, replyTo?}`. */
export const jsonCodec: PayloadCodec = {
  async encode(content) {
    const v: Record<string, unknown> = { v: 1, text: content.text };
    if (content.replyTo) v.replyTo = content.replyTo;
    return enc.encode(JSON.stringify(v));
  },
  async decode(payload) {
    let v: unknown;
    try {
      v = JSON.parse(dec.decode(payload));
    } catch {
      return { ok: false, reason: "malformed_payload" };
    }
    if (typeof v !== "object" || v === null) return { ok: false, reason: "malformed_payload" };
    const o = v as { v?: unknown; text?: unknown; replyTo?: unknown };
    if (o.v !== 1) return { ok: false, reason: "unsupported_version" };
    if (typeof o.text !== "string" || o.text.length > MAX_TEXT)
      return { ok: false, reason: "malformed_payload" };
    if (o.replyTo !== undefined && (typeof o.replyTo !== "string" || !o.replyTo.startsWith("msg_"))) {
      return { ok: false, reason: "malformed_payload" };
    }
    return {
      ok: true,
      content: o.replyTo ? { text: o.text, replyTo: o.replyTo as MessageId } : { text: o.text },
    };
  },
};

/** Base64 helpers re-exported for codecs. */
export const payloadToBase64 = bytesToBase64;
export const base64ToPayload = base64ToBytes;
