import { sha256 } from "@noble/hashes/sha2.js";
import { describe, expect, it } from "vitest";
import { decodeAttachmentHeader, decryptAttachment, encryptAttachment } from "../src/index.ts";

function pseudoRandom(n: number): Uint8Array {
  // getRandomValues is capped at 64 KiB per call.
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536)
    globalThis.crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
}

describe("attachments", () => {
  it("round-trips 20 MiB with progress, and a flipped byte is attachment_corrupt", async () => {
    const plain = pseudoRandom(20 * 1024 * 1024);
    const progress: number[] = [];
    const started = performance.now();
    const { blob, secret } = await encryptAttachment(plain, { onProgress: (done) => progress.push(done) });
    expect(progress).toHaveLength(320);
    expect(progress.at(-1)).toBe(plain.length);
    expect(secret.size).toBe(plain.length);
    expect(blob.length).toBe(16 + plain.length + 320 * 16);

    const opened = await decryptAttachment(blob, secret);
    expect(opened.ok).toBe(true);
    if (opened.ok)
      expect(opened.value.length === plain.length && opened.value.every((b, i) => b === plain[i])).toBe(true);
    console.info(`20 MiB attachment round trip: ${(performance.now() - started).toFixed(0)} ms`);

    const flipped = blob.slice();
    const at = 16 + 5 * 1024 * 1024 + 3;
    flipped[at] = (flipped[at] ?? 0) ^ 0x80;
    // Caught by the hash…
    expect(await decryptAttachment(flipped, secret)).toEqual({ ok: false, code: "attachment_corrupt" });
    // …and by the chunk AEAD even if an attacker also controlled the hash.
    expect(await decryptAttachment(flipped, { ...secret, sha256: sha256(flipped) })).toEqual({
      ok: false,
      code: "attachment_corrupt",
    });
  });

  it("detects truncation at a chunk boundary, reordering, and a wrong key", async () => {
    const chunkSize = 1024;
    const plain = pseudoRandom(chunkSize * 3);
    const { blob, secret } = await encryptAttachment(plain, { chunkSize });
    const sealed = chunkSize + 16;
    const truncated = blob.slice(0, 16 + 2 * sealed);
    expect(
      await decryptAttachment(truncated, { ...secret, sha256: sha256(truncated), size: 2 * chunkSize }),
    ).toEqual({
      ok: false,
      code: "attachment_corrupt",
    });
    const swapped = blob.slice();
    swapped.set(blob.subarray(16, 16 + sealed), 16 + sealed);
    swapped.set(blob.subarray(16 + sealed, 16 + 2 * sealed), 16);
    expect(await decryptAttachment(swapped, { ...secret, sha256: sha256(swapped) })).toEqual({
      ok: false,
      code: "attachment_corrupt",
    });
    const wrongKey = { ...secret, key: new Uint8Array(32) };
    expect(await decryptAttachment(blob, wrongKey)).toEqual({ ok: false, code: "attachment_corrupt" });
    expect(decodeAttachmentHeader(blob)).toMatchObject({ ok: true, value: { chunkSize } });
  });

  it("handles empty and exact-multiple files", async () => {
    for (const n of [0, 1, 1024, 2048]) {
      const plain = pseudoRandom(n);
      const { blob, secret } = await encryptAttachment(plain, { chunkSize: 1024 });
      const r = await decryptAttachment(blob, secret);
      expect(r.ok && r.value.length).toBe(n);
    }
  });
});
