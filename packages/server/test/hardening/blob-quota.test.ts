import { join } from "node:path";
import { newId } from "@hearth/protocol";
import { openPostgresStorage, type Storage } from "@hearth/server";
import {
  describeWithService,
  dropSchema,
  filesUnder,
  makePractice,
  POSTGRES_URL,
  type Practice,
  postgresReachable,
  RawSocket,
  startTestServer,
  type TestServer,
  uniqueSchemaName,
} from "@hearth/server/testing";
import { afterEach, describe, expect, it } from "vitest";

const QUOTA = 100_000;

/** The per-user blob quota, on a real server over each storage. */
function quotaSuite(makeStorage: () => Promise<{ storage?: Storage; drop?: () => Promise<void> }>) {
  let t: TestServer;
  let p: Practice;
  let drop: (() => Promise<void>) | undefined;
  const upload = (token: string, cid: string, body: BodyInit) =>
    fetch(`${t.url}/v1/conversations/${cid}/blobs`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
      body,
      ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
    } as RequestInit);
  /** A body without a Content-Length: the quota is counted while it streams. */
  const chunked = (bytes: number) =>
    new ReadableStream<Uint8Array>({
      start(c) {
        for (let left = bytes; left > 0; left -= 16_384) c.enqueue(new Uint8Array(Math.min(16_384, left)));
        c.close();
      },
    });
  const stored = () => filesUnder(join(t.dataDir, "blobs")).length;
  const patientId = () => {
    const id = p.patients[0]?.userId;
    if (!id) throw new Error("no patient");
    return id;
  };

  afterEach(async () => {
    await t?.stop();
    await drop?.();
  });

  it("finding 6: an upload over the user's blob quota is refused with blob_quota_exceeded and stores nothing", async () => {
    const made = await makeStorage();
    drop = made.drop;
    t = await startTestServer({ ...(made.storage ? { storage: made.storage } : {}), blobQuotaBytes: QUOTA });
    p = await makePractice(t, 1);
    const patient = p.patients[0]?.token ?? "";
    const cid = p.patients[0]?.conversationId ?? "";
    const first = await upload(patient, cid, new Uint8Array(60_000));
    expect(first.status).toBe(200);
    expect(await t.server.storage.blobs.storedBlobBytes(patientId())).toBe(60_000);

    // Declared over what is left: refused before a byte is read.
    const declared = await upload(patient, cid, new Uint8Array(50_000));
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ code: "blob_quota_exceeded" });
    // Streamed without a length: refused once it passes the quota.
    const streamed = await upload(patient, cid, chunked(50_000));
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toMatchObject({ code: "blob_quota_exceeded" });
    // Nothing of either was stored: one file, and the user's total unchanged.
    expect(stored()).toBe(1);
    expect(await t.server.storage.blobs.storedBlobBytes(patientId())).toBe(60_000);

    // What still fits is accepted; the quota is the user's, so the therapist is not held by it.
    expect((await upload(patient, cid, new Uint8Array(40_000))).status).toBe(200);
    expect((await upload(patient, cid, new Uint8Array(1))).status).toBe(413);
    expect((await upload(p.therapist.token, cid, new Uint8Array(90_000))).status).toBe(200);
    expect(stored()).toBe(3);
  });

  it("finding 6: a blob erased with a message deleted for everyone frees the quota it used", async () => {
    const made = await makeStorage();
    drop = made.drop;
    t = await startTestServer({ ...(made.storage ? { storage: made.storage } : {}), blobQuotaBytes: QUOTA });
    p = await makePractice(t, 1);
    const patient = p.patients[0]?.token ?? "";
    const cid = p.patients[0]?.conversationId ?? "";
    const up = await upload(patient, cid, new Uint8Array(80_000));
    const { blobId } = (await up.json()) as { blobId: string };
    expect((await upload(patient, cid, new Uint8Array(30_000))).status).toBe(413);
    const s = await RawSocket.hello(t.wsUrl, patient);
    try {
      const messageId = newId("msg");
      const body = Buffer.from("attachment").toString("base64");
      const sent = await s.request({
        type: "send",
        id: 1,
        conversationId: cid,
        messageId,
        body,
        blobIds: [blobId],
      });
      expect(sent).toMatchObject({ type: "ack" });
      const del = { type: "delete", id: 2, conversationId: cid, messageId, tombstoneId: newId("msg") };
      expect(await s.request(del)).toMatchObject({ type: "ack" });
    } finally {
      await s.closeAndWait();
    }
    expect(await t.server.storage.blobs.storedBlobBytes(patientId())).toBe(0);
    expect((await upload(patient, cid, new Uint8Array(30_000))).status).toBe(200);
  });
}

describe("finding 6: blob quota (SQLite)", () => {
  quotaSuite(async () => ({}));
});

describeWithService(
  "finding 6: blob quota (PostgreSQL)",
  await postgresReachable(),
  `PostgreSQL at ${POSTGRES_URL}`,
  () => {
    quotaSuite(async () => {
      const schema = uniqueSchemaName();
      const storage = await openPostgresStorage({ connectionString: POSTGRES_URL, schema, poolSize: 5 });
      return { storage, drop: () => dropSchema(schema) };
    });
  },
);
