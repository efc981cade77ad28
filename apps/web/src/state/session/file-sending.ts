import type { AttachmentRef, Attachments } from "@hearth/client";
import type { ConversationId, MessageId } from "@hearth/protocol";

/** A file being sent, with its progress (0–1) through the phases of `Attachments.send`. */
export interface Upload {
  name: string;
  phase: string;
  progress: number;
}

/** A recording made in the app (a voice note), with its length measured while recording. */
export class RecordedAudio extends File {
  readonly durationMs: number;
  constructor(parts: BlobPart[], name: string, options: FilePropertyBag, durationMs: number) {
    super(parts, name, options);
    this.durationMs = Math.max(0, Math.round(durationMs));
  }
}

/**
 * The media type to send a file as: `type/subtype` without parameters (a recorder's
 * `audio/webm;codecs=opus` is sent as `audio/webm`), or `application/octet-stream` if unknown.
 */
export function mediaType(type: string): string {
  const bare = type.split(";")[0]?.trim().toLowerCase() ?? "";
  return /^[\w.+-]+\/[\w.+-]+$/.test(bare) ? bare : "application/octet-stream";
}

/**
 * Encrypts, uploads and queues a file picked, dropped, pasted or recorded in the browser, reporting
 * its progress; answers the queued message's id and the attachment it carries.
 */
export async function sendBrowserFile(
  attachments: Attachments,
  conversationId: string,
  file: File,
  caption: string | undefined,
  onProgress: (upload: Upload) => void,
): Promise<{ messageId: MessageId; attachment: AttachmentRef }> {
  const name = uploadName(file);
  const bytes = new Uint8Array(await file.arrayBuffer());
  const { queued, attachment } = await attachments.send(
    conversationId as ConversationId,
    bytes,
    {
      name,
      mimeType: mediaType(file.type),
      ...(caption ? { caption } : {}),
      // Inside the encrypted attachment reference: the receiver shows the length before playing.
      ...(file instanceof RecordedAudio ? { durationMs: file.durationMs } : {}),
    },
    (e) => onProgress({ name, phase: e.phase, progress: e.total ? e.done / e.total : 0 }),
  );
  return { messageId: queued.messageId, attachment };
}

/** The name a file is sent under (at most 200 characters; "file" if it has none). */
export function uploadName(file: File): string {
  return file.name.slice(0, 200) || "file";
}

/**
 * Files being sent, one per conversation at a time, with their progress; each shows as a pending
 * message once uploaded.
 */
export class FileUploads {
  /** The file being sent in each conversation, with its progress (0–1). */
  readonly uploads = new Map<string, Upload>();
  readonly #attachments: Attachments;
  readonly #changed: (now?: boolean) => void;

  constructor(attachments: Attachments, changed: (now?: boolean) => void) {
    this.#attachments = attachments;
    this.#changed = changed;
  }

  /** Encrypts, uploads and sends a file; it shows as pending once uploaded. */
  async send(conversationId: string, file: File, caption?: string): Promise<void> {
    this.uploads.set(conversationId, { name: uploadName(file), phase: "encrypt", progress: 0 });
    this.#changed(true);
    try {
      // Once queued, the SDK's view of the conversation shows it as pending.
      await sendBrowserFile(this.#attachments, conversationId, file, caption, (upload) => {
        this.uploads.set(conversationId, upload);
        this.#changed();
      });
    } finally {
      this.uploads.delete(conversationId);
      this.#changed(true);
    }
  }
}
