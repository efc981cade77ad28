import { resolveObjectURL } from "node:buffer";
import type { AttachmentRef } from "@hearth/client";
import type { BlobId } from "@hearth/protocol";
import { describe, expect, it } from "vitest";
import { DecryptedFiles } from "../../apps/web/src/state/decrypted-files.ts";

/** A download whose answers the test releases by hand, counting how often each file was fetched. */
function source() {
  const fetched: string[] = [];
  const waiting = new Map<string, Array<(bytes: Uint8Array) => void>>();
  const failing = new Set<string>();
  const download = (a: AttachmentRef) => {
    fetched.push(a.blobId);
    if (failing.has(a.blobId)) return Promise.reject(new Error("gone"));
    return new Promise<Uint8Array>((resolve) => {
      waiting.set(a.blobId, [...(waiting.get(a.blobId) ?? []), resolve]);
    });
  };
  const deliver = (a: AttachmentRef) => {
    for (const resolve of waiting.get(a.blobId) ?? []) resolve(new Uint8Array(a.size).fill(7));
    waiting.delete(a.blobId);
  };
  return { fetched, download, deliver, failing };
}

function file(n: number, over: Partial<AttachmentRef> = {}): AttachmentRef {
  return {
    blobId: `blb_${n}` as BlobId,
    name: `photo-${n}.png`,
    mimeType: "image/png",
    size: 6,
    sha256: "A".repeat(43) + "=",
    key: "B".repeat(43) + "=",
    ...over,
  };
}

/** Lets the revocations queued behind a settled URL run. */
const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Is the object URL still usable (not revoked)? */
const alive = (url: string) => resolveObjectURL(url) !== undefined;

describe("DecryptedFiles", () => {
  it("decrypts a file once for every view of it, typed from the whitelist", async () => {
    const s = source();
    const files = new DecryptedFiles(s.download);
    const a = files.use(file(1, { mimeType: "IMAGE/PNG" }));
    const b = files.use(file(1, { mimeType: "IMAGE/PNG" }));
    s.deliver(file(1));
    const [ua, ub] = await Promise.all([a.url, b.url]);
    expect(ua).toBe(ub);
    expect(s.fetched).toEqual(["blb_1"]);
    expect(resolveObjectURL(ua)?.type).toBe("image/png");
  });

  it("never gives a URL to a type the browser might run, whatever the sender claims", async () => {
    const s = source();
    const files = new DecryptedFiles(s.download);
    for (const mimeType of ["text/html", "image/svg+xml", "application/xhtml+xml", "text/javascript"]) {
      await expect(files.use(file(2, { mimeType })).url).rejects.toThrow(/not shown inline/);
    }
    expect(s.fetched).toEqual([]);
  });

  it("keeps what is on screen and what is still decrypting; releases the least recently used", async () => {
    const s = source();
    const files = new DecryptedFiles(s.download, 10); // room for one 6-byte file
    const first = files.use(file(1));
    s.deliver(file(1));
    const firstUrl = await first.url;
    // A second and third file come while the first is still on screen: nothing on screen goes.
    const second = files.use(file(2));
    const third = files.use(file(3));
    expect(alive(firstUrl)).toBe(true);
    s.deliver(file(2));
    s.deliver(file(3));
    const [secondUrl, thirdUrl] = await Promise.all([second.url, third.url]);
    expect([firstUrl, secondUrl, thirdUrl].every(alive)).toBe(true);
    expect(files.bytes).toBe(18);
    // Off screen, the least recently used go until the budget holds again.
    second.release();
    first.release();
    await settled();
    expect(alive(firstUrl)).toBe(false);
    expect(alive(secondUrl)).toBe(false);
    expect(alive(thirdUrl)).toBe(true);
    expect(files.bytes).toBe(6);
    // Releasing twice changes nothing; scrolling back decrypts the first again.
    first.release();
    const again = files.use(file(1));
    s.deliver(file(1));
    expect(alive(await again.url)).toBe(true);
    expect(s.fetched.filter((id) => id === "blb_1")).toHaveLength(2);
  });

  it("forgets a failed download so the next view tries again, and clear releases everything", async () => {
    const s = source();
    const files = new DecryptedFiles(s.download);
    s.failing.add("blb_4");
    await expect(files.use(file(4)).url).rejects.toThrow("gone");
    expect(files.bytes).toBe(0);
    s.failing.delete("blb_4");
    const retry = files.use(file(4));
    s.deliver(file(4));
    const url = await retry.url;
    expect(s.fetched).toEqual(["blb_4", "blb_4"]);
    files.clear();
    await settled();
    expect(alive(url)).toBe(false);
    expect(files.bytes).toBe(0);
  });

  it("keeps the same blob named with another hash or type apart", async () => {
    const s = source();
    const files = new DecryptedFiles(s.download);
    const png = files.use(file(5));
    const other = files.use(file(5, { sha256: "C".repeat(43) + "=" }));
    const asAudio = files.use(file(5, { mimeType: "audio/webm" }));
    s.deliver(file(5));
    const urls = await Promise.all([png.url, other.url, asAudio.url]);
    expect(new Set(urls).size).toBe(3);
    expect(resolveObjectURL(urls[2]!)?.type).toBe("audio/webm");
  });
});
