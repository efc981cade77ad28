import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  AttachmentError,
  type AttachmentProgressEvent,
  type AttachmentRef,
  Attachments,
  HearthApi,
  HearthApiError,
} from "@hearth/client";
import type { ConversationId, SessionResponse } from "@hearth/protocol";
import {
  makePractice,
  otherPracticeTherapist,
  type Practice,
  startTestServer,
  type TestServer,
} from "@hearth/server/testing";
import SQLite from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { blobFile, filesUnder } from "../support/attachments.ts";
import { TestClient } from "../support/sdk.ts";

const MiB = 1024 * 1024;

/** Deterministic, incompressible-looking bytes (xorshift32), without holding a second copy around. */
function fileBytes(size: number, seed = 0x9e3779b9): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

function blobRowCount(t: TestServer): number {
  const db = new SQLite(t.dbPath, { readonly: true });
  try {
    return (db.prepare("select count(*) as n from blobs").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/**
 * Encrypted attachments end to end: the real SDK (`Attachments` over `HearthClient` and `HearthApi`)
 * against the real server on a real socket, with real files in its blob directory.
 */
describe("attachments through the SDK and the real server", () => {
  let t: TestServer;
  let p: Practice;
  let cid: ConversationId;
  const clients: TestClient[] = [];

  const connect = async (session: SessionResponse) => {
    const c = new TestClient(t.url, session);
    clients.push(c);
    await c.connect();
    const api = new HearthApi({ baseUrl: t.url, token: session.token, streamUploads: true });
    return { c, api, attachments: new Attachments({ client: c.client, api }) };
  };

  beforeEach(async () => {
    t = await startTestServer();
    p = await makePractice(t, 2);
    cid = p.patients[0]!.conversationId! as ConversationId;
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await t.stop();
  });

  it("sends a 20 MiB file: encrypted on the device, stored as ciphertext, opened byte for byte on the other side", async () => {
    const pa = await connect(p.patients[0]!);
    const th = await connect(p.therapist);
    const bytes = fileBytes(20 * MiB);
    const sent: AttachmentProgressEvent[] = [];
    const { queued, attachment } = await pa.attachments.send(
      cid,
      bytes,
      { name: "sleep-diary.bin", mimeType: "application/octet-stream", caption: "Two weeks of entries" },
      (e) => sent.push(e),
    );
    await queued.sent;

    // The server holds only ciphertext: same length plus header and tags, none of the plaintext.
    const stored = readFileSync(blobFile(t, attachment.blobId));
    expect(stored.length).toBe(16 + bytes.length + 16 * ((20 * MiB) / 65536));
    expect(stored.includes(Buffer.from(bytes.subarray(1000, 1064)))).toBe(false);

    await th.c.waitFor(() => th.c.messages.some((m) => m.content?.attachment), "attachment message");
    const msg = th.c.messages.find((m) => m.content?.attachment);
    expect(msg?.content).toEqual({ text: "Two weeks of entries", attachment });
    const got: AttachmentProgressEvent[] = [];
    const opened = await th.attachments.download(msg!.content!.attachment!, (e) => got.push(e));
    expect(opened.length).toBe(bytes.length);
    expect(Buffer.from(opened).equals(Buffer.from(bytes))).toBe(true);

    // Progress: each phase in order, never backwards, ending complete.
    const phases = (events: AttachmentProgressEvent[]) => [...new Set(events.map((e) => e.phase))];
    expect(phases(sent)).toEqual(["encrypt", "upload"]);
    expect(phases(got)).toEqual(["download", "decrypt"]);
    for (const events of [sent, got]) {
      for (const phase of phases(events)) {
        const ofPhase = events.filter((e) => e.phase === phase);
        for (let i = 1; i < ofPhase.length; i++)
          expect(ofPhase[i]!.done).toBeGreaterThanOrEqual(ofPhase[i - 1]!.done);
        const last = ofPhase.at(-1)!;
        expect(last.done).toBe(last.total);
        expect(ofPhase.length).toBeGreaterThan(2);
      }
    }
    expect(sent.filter((e) => e.phase === "upload").at(-1)?.total).toBe(stored.length);
  });

  it("reports a flipped byte in the stored blob as attachment_corrupt and returns no plaintext", async () => {
    const pa = await connect(p.patients[0]!);
    const th = await connect(p.therapist);
    const { queued, attachment } = await pa.attachments.send(cid, fileBytes(300_000, 7), {
      name: "worksheet.pdf",
      mimeType: "application/pdf",
    });
    await queued.sent;
    const file = blobFile(t, attachment.blobId);
    const original = readFileSync(file);
    for (const at of [0, 20, Math.floor(original.length / 2), original.length - 1]) {
      const damaged = Buffer.from(original);
      damaged[at]! ^= 0x01;
      writeFileSync(file, damaged);
      const err = await th.attachments.download(attachment).catch((e: unknown) => e);
      expect(err, `byte ${at}`).toBeInstanceOf(AttachmentError);
      expect((err as AttachmentError).code).toBe("attachment_corrupt");
    }
    // A longer blob (something appended, or another file) is refused without reading it all.
    writeFileSync(file, Buffer.concat([original, Buffer.alloc(MiB)]));
    await expect(th.attachments.download(attachment)).rejects.toMatchObject({ code: "attachment_corrupt" });
    // A truncated one too.
    writeFileSync(file, original.subarray(0, original.length - 16));
    await expect(th.attachments.download(attachment)).rejects.toMatchObject({ code: "attachment_corrupt" });
    // A message that lies about the hash (or key) is caught the same way, on the intact blob.
    writeFileSync(file, original);
    const lie: AttachmentRef = { ...attachment, key: attachment.sha256 };
    await expect(th.attachments.download(lie)).rejects.toMatchObject({ code: "attachment_corrupt" });
    expect((await th.attachments.download(attachment)).length).toBe(300_000);
  });

  it("keeps outsiders out: another patient, another practice and the admin can neither upload nor download", async () => {
    const pa = await connect(p.patients[0]!);
    const { queued, attachment } = await pa.attachments.send(cid, fileBytes(10_000, 3), {
      name: "note.txt",
      mimeType: "text/plain",
    });
    await queued.sent;
    const elsewhere = await otherPracticeTherapist(t, "elsewhere-attachments");
    const filesBefore = filesUnder(join(t.dataDir, "blobs")).length;
    for (const who of [p.patients[1]!, elsewhere, p.admin]) {
      const api = new HearthApi({ baseUrl: t.url, token: who.token });
      const client = { send: () => Promise.reject(new Error("must not send")) };
      const outsider = new Attachments({ client, api });
      await expect(outsider.download(attachment)).rejects.toMatchObject({ code: "not_found", status: 404 });
      await expect(
        outsider.send(cid, fileBytes(1000), { name: "x.txt", mimeType: "text/plain" }),
      ).rejects.toMatchObject({ code: "not_found", status: 404 });
    }
    expect(filesUnder(join(t.dataDir, "blobs")).length).toBe(filesBefore);
    expect(blobRowCount(t)).toBe(1);
  });

  it("deleting the message for everyone deletes its blob too (the SDK declares it on send; security finding 5)", async () => {
    const pa = await connect(p.patients[0]!);
    const th = await connect(p.therapist);
    const { queued, attachment } = await pa.attachments.send(cid, fileBytes(50_000, 11), {
      name: "worksheet.pdf",
      mimeType: "application/pdf",
    });
    const { messageId } = await queued;
    await queued.sent;
    expect(filesUnder(join(t.dataDir, "blobs"))).toHaveLength(1);
    expect((await th.attachments.download(attachment)).byteLength).toBe(50_000);
    await (await pa.c.client.deleteMessage(cid, messageId)).sent;
    expect(filesUnder(join(t.dataDir, "blobs"))).toEqual([]);
    expect(blobRowCount(t)).toBe(0);
    await expect(th.attachments.download(attachment)).rejects.toMatchObject({
      code: "not_found",
      status: 404,
    });
  });
});

describe("attachments over the server's limit", () => {
  let t: TestServer;
  let p: Practice;
  const clients: TestClient[] = [];

  beforeEach(async () => {
    t = await startTestServer({ maxBlobBytes: MiB });
    p = await makePractice(t, 1);
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await t.stop();
  });

  for (const streamUploads of [false, true]) {
    it(`refuses an over-limit file with blob_too_large, sends no message and stores nothing (${streamUploads ? "streamed" : "with a length"})`, async () => {
      const cid = p.patients[0]!.conversationId! as ConversationId;
      const pa = new TestClient(t.url, p.patients[0]!);
      clients.push(pa);
      await pa.connect();
      const api = new HearthApi({ baseUrl: t.url, token: p.patients[0]!.token, streamUploads });
      const attachments = new Attachments({ client: pa.client, api });
      const err = await attachments
        .send(cid, fileBytes(MiB + 1), { name: "big.bin", mimeType: "application/octet-stream" })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HearthApiError);
      expect(err).toMatchObject({ code: "blob_too_large", status: 413 });
      expect(filesUnder(join(t.dataDir, "blobs"))).toEqual([]);
      expect(blobRowCount(t)).toBe(0);
      const history = await api.history(cid);
      expect(history.entries).toEqual([]);
    });
  }
});
