import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { SessionResponse } from "@hearth/protocol";
import {
  filesUnder,
  makePractice,
  otherPracticeTherapist,
  type Practice,
  startTestServer,
  type TestServer,
} from "@hearth/server/testing";
import SQLite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const LIMIT = 256 * 1024;

/**
 * The blob routes on a real server with a real SQLite file and real files: members upload and read
 * back byte for byte; outsiders get `not_found`; over-limit uploads get `blob_too_large` and leave
 * nothing behind. (The SDK round trip with encryption is in test/integration/attachments.test.ts.)
 */
describe("blobs over HTTP", () => {
  let t: TestServer;
  let p: Practice;
  let cid: string;
  let outsiders: Record<string, SessionResponse>;
  const blobDir = () => join(t.dataDir, "blobs");
  const blobRows = () => {
    const db = new SQLite(t.dbPath, { readonly: true });
    try {
      return db.prepare("select * from blobs").all() as {
        id: string;
        conversation_id: string;
        size: number;
      }[];
    } finally {
      db.close();
    }
  };
  const upload = (token: string | undefined, conversationId: string, body: BodyInit, headers = {}) =>
    fetch(`${t.url}/v1/conversations/${conversationId}/blobs`, {
      method: "POST",
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        "content-type": "application/octet-stream",
        ...headers,
      },
      body,
      ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
    } as RequestInit);
  const download = (token: string, blobId: string) =>
    fetch(`${t.url}/v1/blobs/${blobId}`, { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    t = await startTestServer({ maxBlobBytes: LIMIT });
    p = await makePractice(t, 2);
    cid = p.patients[0]!.conversationId!;
    // Signing in must succeed (otherPracticeTherapist throws otherwise).
    const otherPractice = await otherPracticeTherapist(t, "elsewhere-blobs");
    outsiders = { otherPatient: p.patients[1]!, otherPractice, admin: p.admin };
  });
  afterAll(async () => {
    await t.stop();
  });

  it("stores a member's upload as one file and gives every member the same bytes back", async () => {
    const bytes = new Uint8Array(100_000).map((_, i) => (i * 7919) % 256);
    const res = await upload(p.patients[0]!.token, cid, bytes);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { blobId: string; size: number; createdAt: string };
    expect(body.blobId).toMatch(/^blb_[A-Za-z0-9_-]{16,43}$/);
    expect(body.size).toBe(bytes.length);
    const file = filesUnder(blobDir()).find((f) => f.endsWith(body.blobId));
    expect(file && new Uint8Array(readFileSync(file))).toEqual(bytes);
    expect(blobRows().find((r) => r.id === body.blobId)).toMatchObject({
      conversation_id: cid,
      size: bytes.length,
    });
    for (const who of [p.patients[0]!, p.therapist]) {
      const got = await download(who.token, body.blobId);
      expect(got.status).toBe(200);
      expect(got.headers.get("content-type")).toBe("application/octet-stream");
      expect(got.headers.get("content-length")).toBe(String(bytes.length));
      expect(got.headers.get("cache-control")).toBe("no-store");
      expect(new Uint8Array(await got.arrayBuffer())).toEqual(bytes);
    }
    // Audited like history reads: ids only.
    const audit = await t.call<{ entries: { action: string; subject: string; actorId: string }[] }>(
      "GET",
      "/v1/audit?limit=500",
      { token: p.admin.token },
    );
    const rows = audit.body.entries.filter((e) => e.subject === body.blobId);
    expect(rows.map((r) => [r.action, r.actorId])).toEqual([
      ["blob.upload", p.patients[0]!.userId],
      ["blob.read", p.patients[0]!.userId],
      ["blob.read", p.therapist.userId],
    ]);
  });

  it("accepts a chunked upload (no Content-Length) and an empty one", async () => {
    const chunks = [new Uint8Array(70_000).fill(1), new Uint8Array(3).fill(2)];
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (const ch of chunks) c.enqueue(ch);
        c.close();
      },
    });
    const res = await upload(p.therapist.token, cid, stream);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { size: number }).size).toBe(70_003);
    const empty = await upload(p.therapist.token, cid, new Uint8Array(0));
    expect(empty.status).toBe(200);
    const { blobId } = (await empty.json()) as { blobId: string };
    expect((await (await download(p.patients[0]!.token, blobId)).arrayBuffer()).byteLength).toBe(0);
  });

  for (const who of ["otherPatient", "otherPractice", "admin"] as const) {
    it(`${who}: cannot upload into the conversation nor read its blobs (not_found), and stores nothing`, async () => {
      const own = await upload(p.patients[0]!.token, cid, new Uint8Array([1, 2, 3]));
      const { blobId } = (await own.json()) as { blobId: string };
      const filesBefore = filesUnder(blobDir()).length;
      const rowsBefore = blobRows().length;
      const up = await upload(outsiders[who]!.token, cid, new Uint8Array(1000));
      expect(up.status).toBe(404);
      expect(await up.json()).toMatchObject({ code: "not_found" });
      const down = await download(outsiders[who]!.token, blobId);
      expect(down.status).toBe(404);
      expect(await down.json()).toMatchObject({ code: "not_found" });
      expect(filesUnder(blobDir()).length).toBe(filesBefore);
      expect(blobRows().length).toBe(rowsBefore);
    });
  }

  it("answers an unknown, malformed or path-like blob id with not_found", async () => {
    for (const id of [`blb_${"A".repeat(22)}`, "nope", "..%2F..%2Fhearth.db", "blb_..%2F..%2Fhearth.db"]) {
      const r = await download(p.patients[0]!.token, id);
      expect(r.status, id).toBe(404);
      expect(await r.json()).toMatchObject({ code: "not_found" });
    }
  });

  it("refuses signed-out callers and other media types", async () => {
    const anon = await upload(undefined, cid, new Uint8Array(10));
    expect(anon.status).toBe(401);
    expect(await anon.json()).toMatchObject({ code: "unauthenticated" });
    const json = await t.call("POST", `/v1/conversations/${cid}/blobs`, {
      token: p.patients[0]!.token,
      body: { not: "a blob" },
    });
    expect(json).toMatchObject({ status: 400, body: { code: "bad_request" } });
    const anonDown = await fetch(`${t.url}/v1/blobs/blb_${"A".repeat(22)}`);
    expect(anonDown.status).toBe(401);
    // No HEAD: it would audit a read that sends nothing.
    const own = await upload(p.patients[0]!.token, cid, new Uint8Array(5));
    const { blobId } = (await own.json()) as { blobId: string };
    const head = await fetch(`${t.url}/v1/blobs/${blobId}`, {
      method: "HEAD",
      headers: { authorization: `Bearer ${p.patients[0]!.token}` },
    });
    expect(head.status).toBe(404);
  });

  it("refuses an over-limit upload with blob_too_large and leaves nothing on disk or in the database", async () => {
    const before = { files: filesUnder(blobDir()).sort(), rows: blobRows().length };
    // Declared too large: refused before a byte is read.
    const declared = await upload(p.patients[0]!.token, cid, new Uint8Array(LIMIT + 1));
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ code: "blob_too_large" });
    // Chunked, no length: refused as soon as the count passes the limit, mid-stream.
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 8; i++) c.enqueue(new Uint8Array(64 * 1024).fill(i));
        c.close();
      },
    });
    const streamed = await upload(p.patients[0]!.token, cid, stream);
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toMatchObject({ code: "blob_too_large" });
    expect(filesUnder(blobDir()).sort()).toEqual(before.files);
    expect(blobRows().length).toBe(before.rows);
    // Exactly at the limit is fine.
    expect((await upload(p.patients[0]!.token, cid, new Uint8Array(LIMIT))).status).toBe(200);
  });
});
