import type { AttachmentRef } from "@hearth/client";

/** How a shared file can be shown inside the app (anything else is offered as a download only). */
export type Viewable = "image" | "pdf" | "audio";

/**
 * Media types shown inline, each mapped to how. A whitelist on purpose: the decrypted bytes get an
 * object URL of *this page's origin*, so a type the browser would run (HTML, SVG with script) must
 * never be given one — whatever type the sender claims. The object URL's type is set from this
 * table, never copied from the message.
 */
const VIEWABLE: Readonly<Record<string, Viewable>> = {
  "image/png": "image",
  "image/jpeg": "image",
  "image/gif": "image",
  "image/webp": "image",
  "image/avif": "image",
  "application/pdf": "pdf",
  "audio/webm": "audio",
  "audio/ogg": "audio",
  "audio/mpeg": "audio",
  "audio/mp4": "audio",
  "audio/aac": "audio",
  "audio/wav": "audio",
};

/** How `attachment` can be shown inline, if at all. */
export function viewable(attachment: AttachmentRef): Viewable | undefined {
  return VIEWABLE[attachment.mimeType.toLowerCase()];
}

/** Files above this size are not kept decrypted in memory for viewing (a download still works). */
export const MAX_VIEW_BYTES = 25 * 1024 * 1024;
/** Decrypted bytes kept for viewing at once; the least recently used go first. */
const CACHE_BYTES = 64 * 1024 * 1024;

/**
 * Shared files decrypted on this device for viewing, as object URLs, so a virtualised list that
 * mounts and unmounts bubbles while scrolling downloads and decrypts each file once. Bounded
 * (least recently used released first) and cleared on sign-out and quick exit.
 */
export class DecryptedFiles {
  readonly #download: (a: AttachmentRef) => Promise<Uint8Array>;
  readonly #urls = new Map<string, { url: Promise<string>; size: number }>();
  #bytes = 0;

  constructor(download: (a: AttachmentRef) => Promise<Uint8Array>) {
    this.#download = download;
  }

  /** An object URL of the decrypted file, typed for viewing; rejects for types not shown inline. */
  url(attachment: AttachmentRef): Promise<string> {
    const kind = viewable(attachment);
    if (!kind || attachment.size > MAX_VIEW_BYTES) {
      return Promise.reject(new Error("this file is not shown inline"));
    }
    const key = attachment.blobId;
    const hit = this.#urls.get(key);
    if (hit) {
      // Most recently used goes last.
      this.#urls.delete(key);
      this.#urls.set(key, hit);
      return hit.url;
    }
    const type = attachment.mimeType.toLowerCase();
    const url = this.#download(attachment).then((bytes) =>
      URL.createObjectURL(new Blob([bytes as BlobPart], { type })),
    );
    const entry = { url, size: attachment.size };
    this.#urls.set(key, entry);
    this.#bytes += entry.size;
    // A failed download is forgotten, so the next try starts afresh.
    url.catch(() => this.#forget(key, entry));
    this.#evict();
    return url;
  }

  #forget(key: string, entry: { url: Promise<string>; size: number }): void {
    if (this.#urls.get(key) !== entry) return;
    this.#urls.delete(key);
    this.#bytes -= entry.size;
    void entry.url.then(URL.revokeObjectURL, () => undefined);
  }

  #evict(): void {
    for (const [key, entry] of this.#urls) {
      if (this.#bytes <= CACHE_BYTES || this.#urls.size <= 1) return;
      this.#forget(key, entry);
    }
  }

  /** Releases every decrypted file. */
  clear(): void {
    for (const [key, entry] of [...this.#urls]) this.#forget(key, entry);
  }
}
