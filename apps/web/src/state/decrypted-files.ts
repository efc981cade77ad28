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
/** Decrypted bytes kept for viewing at once, beyond those on screen; least recently used go first. */
const CACHE_BYTES = 64 * 1024 * 1024;

type Entry = { url: Promise<string>; size: number; users: number; settled: boolean };

/** A decrypted file lent to one view; `release` when the view goes away. */
export type Lease = { url: Promise<string>; release: () => void };

/**
 * Shared files decrypted on this device for viewing, as object URLs, so a virtualised list that
 * mounts and unmounts bubbles while scrolling downloads and decrypts each file once. Each view
 * holds a lease; only files no view holds (and whose decryption has finished) are released to keep
 * within the budget, least recently used first, so an image on screen never loses its URL. Keyed
 * by blob, content hash and type: a message can't point another's view at different bytes or
 * have them shown as another kind of file. Cleared on
 * sign-out and quick exit.
 */
export class DecryptedFiles {
  readonly #download: (a: AttachmentRef) => Promise<Uint8Array>;
  readonly #budget: number;
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;

  constructor(download: (a: AttachmentRef) => Promise<Uint8Array>, budgetBytes = CACHE_BYTES) {
    this.#download = download;
    this.#budget = budgetBytes;
  }

  /** Decrypted bytes held now. */
  get bytes(): number {
    return this.#bytes;
  }

  /** An object URL of the decrypted file, typed for viewing; rejects for types not shown inline. */
  use(attachment: AttachmentRef): Lease {
    const kind = viewable(attachment);
    if (!kind || attachment.size > MAX_VIEW_BYTES) {
      return { url: Promise.reject(new Error("this file is not shown inline")), release: () => {} };
    }
    const type = attachment.mimeType.toLowerCase();
    const key = `${attachment.blobId}:${attachment.sha256}:${type}`;
    let entry = this.#entries.get(key);
    if (entry) {
      // Most recently used goes last.
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    } else {
      const url = this.#download(attachment).then((bytes) =>
        URL.createObjectURL(new Blob([bytes as BlobPart], { type })),
      );
      const created: Entry = { url, size: attachment.size, users: 0, settled: false };
      entry = created;
      this.#entries.set(key, created);
      this.#bytes += created.size;
      url.then(
        () => {
          created.settled = true;
          this.#evict();
        },
        // A failed download is forgotten, so the next try starts afresh.
        () => this.#forget(key, created),
      );
    }
    const held = entry;
    held.users += 1;
    let released = false;
    return {
      url: held.url,
      release: () => {
        if (released) return;
        released = true;
        held.users -= 1;
        this.#evict();
      },
    };
  }

  #forget(key: string, entry: Entry): void {
    if (this.#entries.get(key) !== entry) return;
    this.#entries.delete(key);
    this.#bytes -= entry.size;
    void entry.url.then(URL.revokeObjectURL, () => undefined);
  }

  #evict(): void {
    for (const [key, entry] of [...this.#entries]) {
      if (this.#bytes <= this.#budget) return;
      if (entry.users === 0 && entry.settled) this.#forget(key, entry);
    }
  }

  /** Releases every decrypted file (sign-out, quick exit): views still showing one lose it. */
  clear(): void {
    for (const [key, entry] of [...this.#entries]) this.#forget(key, entry);
  }
}
