import { decryptAttachment, encryptAttachment } from "@hearth/crypto";
import { base64ToBytes, bytesToBase64, type ConversationId } from "@hearth/protocol";
import {
  type AttachmentRef,
  isAttachmentName,
  isCaption,
  isDurationMs,
  isMimeType,
  MAX_ATTACHMENT_NAME_LENGTH,
  MAX_CAPTION_LENGTH,
  MAX_DURATION_MS,
} from "./attachment-ref.ts";
import type { Queued } from "./client-events.ts";
import type { HearthApi } from "./hearth-api.ts";
import type { MessageContent } from "./payload-codec.ts";

/**
 * Where an attachment transfer is: `encrypt` and `upload` when sending, `download` and `decrypt`
 * when opening. `done` of `total` bytes of that phase.
 */
export interface AttachmentProgressEvent {
  phase: "encrypt" | "upload" | "download" | "decrypt";
  done: number;
  total: number;
}

/** Receives {@link AttachmentProgressEvent}s. */
export type AttachmentProgressListener = (event: AttachmentProgressEvent) => void;

/**
 * Why an attachment could not be opened. `attachment_corrupt`: the downloaded blob does not match
 * the hash in the message or fails authentication (a changed, truncated, reordered or swapped blob);
 * no plaintext is returned. Network and server refusals stay {@link HearthApiError}s.
 */
export class AttachmentError extends Error {
  readonly code: "attachment_corrupt";
  constructor(code: AttachmentError["code"]) {
    super("The attachment failed its integrity check (altered, truncated or reordered).");
    this.name = "AttachmentError";
    this.code = code;
  }
}

/** Options of {@link Attachments}. */
export interface AttachmentsOptions {
  /** Sends the message that carries the attachment (its payload codec encrypts it). */
  client: { send(conversationId: ConversationId, content: MessageContent): Promise<Queued> };
  /** Uploads and downloads blobs. */
  api: Pick<HearthApi, "uploadBlob" | "downloadBlob">;
}

/** What {@link Attachments.send} describes the file with; it never leaves the device unencrypted. */
export interface AttachmentMeta {
  name: string;
  mimeType: string;
  /** Shown with the file; travels only inside the encrypted payload. */
  caption?: string;
  /** A recording's length in ms, measured while recording (see {@link AttachmentRef.durationMs}). */
  durationMs?: number;
}

/**
 * Encrypted file sharing. `send` encrypts the file on this device with a fresh random key
 * (AES-256-GCM in chunks, `@hearth/crypto`), uploads only the ciphertext, then sends a message whose
 * `attachment` carries the blob id, name, type, size, hash and key — inside the message payload, so
 * the server never learns them. `download` fetches the blob and verifies and decrypts it.
 *
 * Browser-safe: fetch comes from the {@link HearthApi}, crypto from WebCrypto.
 *
 * @example
 * ```ts
 * const attachments = new Attachments({ client, api });
 * const { queued } = await attachments.send(conversationId, bytes, { name: "worksheet.pdf", mimeType: "application/pdf" },
 *   (e) => bar(e.phase, e.done / e.total));
 * await queued.sent;
 * // on the other side, for a received message with content.attachment:
 * const file = await attachments.download(message.content.attachment, (e) => bar(e.phase, e.done / e.total));
 * ```
 */
export class Attachments {
  readonly #client: AttachmentsOptions["client"];
  readonly #api: AttachmentsOptions["api"];

  constructor(options: AttachmentsOptions) {
    this.#client = options.client;
    this.#api = options.api;
  }

  /**
   * Encrypts, uploads and sends `bytes` as an attachment message (`text` is the caption or empty).
   * Throws a `RangeError` for a name, type or caption that cannot be sent, and `HearthApiError` when
   * the upload is refused (`blob_too_large`, `blob_quota_exceeded`, `not_found` for a conversation that is not yours).
   */
  async send(
    conversationId: ConversationId,
    bytes: Uint8Array,
    meta: AttachmentMeta,
    onProgress?: AttachmentProgressListener,
  ): Promise<{ queued: Queued; attachment: AttachmentRef }> {
    if (!isAttachmentName(meta.name)) {
      throw new RangeError(
        `attachment name must be 1–${MAX_ATTACHMENT_NAME_LENGTH} characters, no control characters`,
      );
    }
    if (!isMimeType(meta.mimeType)) throw new RangeError("attachment mimeType must look like type/subtype");
    if (meta.caption !== undefined && !isCaption(meta.caption)) {
      throw new RangeError(`attachment caption must be at most ${MAX_CAPTION_LENGTH} characters`);
    }
    if (meta.durationMs !== undefined && !isDurationMs(meta.durationMs)) {
      throw new RangeError(`attachment durationMs must be a whole number of ms, 0–${MAX_DURATION_MS}`);
    }
    onProgress?.({ phase: "encrypt", done: 0, total: bytes.byteLength });
    const { blob, secret } = await encryptAttachment(bytes, {
      onProgress: (done, total) => onProgress?.({ phase: "encrypt", done, total }),
    });
    const uploaded = await this.#api.uploadBlob(conversationId, blob, (done, total) =>
      onProgress?.({ phase: "upload", done, total }),
    );
    const attachment: AttachmentRef = {
      blobId: uploaded.blobId,
      name: meta.name,
      mimeType: meta.mimeType,
      size: secret.size,
      sha256: bytesToBase64(secret.sha256),
      key: bytesToBase64(secret.key),
    };
    if (meta.caption !== undefined) attachment.caption = meta.caption;
    if (meta.durationMs !== undefined) attachment.durationMs = meta.durationMs;
    const queued = await this.#client.send(conversationId, { text: meta.caption ?? "", attachment });
    return { queued, attachment };
  }

  /**
   * Downloads, verifies and decrypts an attachment. Throws {@link AttachmentError}
   * `attachment_corrupt` if the blob was altered in any way, `HearthApiError` if it cannot be fetched.
   */
  async download(attachment: AttachmentRef, onProgress?: AttachmentProgressListener): Promise<Uint8Array> {
    // The blob is at most header + plaintext + one tag per chunk of the smallest allowed size;
    // anything longer is not this file, and is not read into memory.
    const maxBytes = 16 + attachment.size + 16 * Math.max(1, Math.ceil(attachment.size / 1024));
    const blob = await this.#api.downloadBlob(
      attachment.blobId,
      (done, total) => onProgress?.({ phase: "download", done, total }),
      maxBytes,
    );
    if (!blob) throw new AttachmentError("attachment_corrupt");
    onProgress?.({ phase: "decrypt", done: 0, total: attachment.size });
    const opened = await decryptAttachment(
      blob,
      { key: base64ToBytes(attachment.key), sha256: base64ToBytes(attachment.sha256), size: attachment.size },
      { onProgress: (done, total) => onProgress?.({ phase: "decrypt", done, total }) },
    );
    if (!opened.ok) throw new AttachmentError("attachment_corrupt");
    return opened.value;
  }
}
