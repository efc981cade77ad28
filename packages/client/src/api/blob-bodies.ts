import { HearthApiError } from "./hearth-api-error.ts";

/** How far a blob transfer got: bytes done, and the total (as announced, or as far as known). */
export type TransferProgress = (done: number, total: number) => void;

/** The request body of a blob upload, and the `fetch` option a stream body needs. */
export interface UploadBody {
  body: BodyInit;
  /** Node's fetch requires it for a stream body; harmless elsewhere. */
  duplex?: "half";
}

/** Bytes handed to the network per step of a streamed upload. */
const UPLOAD_STEP = 64 * 1024;

/**
 * The body of a blob upload: the bytes as they are, or (with `stream`) a stream that hands them over
 * in 64 KiB steps and reports each step the network takes with `onChunk`.
 */
export function uploadBody(bytes: Uint8Array, stream: boolean, onChunk: TransferProgress): UploadBody {
  if (!stream) return { body: bytes as Uint8Array<ArrayBuffer> };
  const total = bytes.byteLength;
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) return controller.close();
      const chunk = bytes.subarray(sent, Math.min(total, sent + UPLOAD_STEP));
      controller.enqueue(chunk);
      sent += chunk.byteLength;
      onChunk(sent, total);
    },
  }) as BodyInit;
  return { body, duplex: "half" };
}

/**
 * Reads a binary answer as it streams in, reporting each chunk with `onChunk(received, total)`.
 * An answer announced or found to be longer than `maxBytes` is not read further: `undefined`. One
 * longer than its own `Content-Length` is `unexpected_response`. A failed read throws what the
 * stream threw (the caller decides whether that was the network, a timeout or an abort).
 */
export async function readBinaryAnswer(
  res: Response,
  maxBytes: number,
  onChunk: TransferProgress,
): Promise<Uint8Array | undefined> {
  const declared = Number(res.headers.get("content-length") ?? Number.NaN);
  const total = Number.isSafeInteger(declared) && declared >= 0 ? declared : undefined;
  if (total !== undefined && total > maxBytes) {
    await res.body?.cancel();
    return undefined;
  }
  const chunks: Uint8Array[] = [];
  let received = 0;
  const reader = res.body?.getReader();
  try {
    for (;;) {
      const r = reader ? await reader.read() : { done: true as const, value: undefined };
      if (r.done) break;
      received += r.value.byteLength;
      if (received > maxBytes) {
        await reader?.cancel();
        return undefined;
      }
      if (total !== undefined && received > total) {
        throw new HearthApiError("unexpected_response", res.status, "The blob is longer than announced.");
      }
      chunks.push(r.value);
      onChunk(received, total ?? received);
    }
  } finally {
    reader?.releaseLock();
  }
  const out = new Uint8Array(received);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
