import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { newId } from "@hearth/protocol";
import {
  filesUnder,
  joinByInvite,
  makePractice,
  type Practice,
  RawSocket,
  startTestServer,
  type TestServer,
} from "@hearth/server/testing";
import SQLite from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

/**
 * Security check finding 5: "delete for everyone" set the body to NULL, but its bytes stayed in
 * SQLite's free pages and in the WAL (and so in every backup) until overwritten, and the message's
 * attachment blob was kept for ever. These canaries send messages whose ciphertext (and attachment)
 * are random markers, delete them for everyone, and search the database file (free pages included),
 * the WAL and the blob directory, byte for byte, while the server is still running and after it
 * closed.
 */
describe("finding 5: a message deleted for everyone leaves no ciphertext on disk", () => {
  let t: TestServer;
  let p: Practice;
  let cid: string;
  let s: RawSocket;
  let nextId = 1;
  beforeEach(async () => {
    t = await startTestServer();
    p = await makePractice(t, 1);
    cid = p.patients[0]?.conversationId ?? "";
    s = await RawSocket.hello(t.wsUrl, p.therapist.token);
  });
  afterEach(async () => {
    await s.closeAndWait();
    await t.stop();
  });

  const onDisk = () =>
    [t.dbPath, `${t.dbPath}-wal`].filter((f) => existsSync(f)).map((f) => [f, readFileSync(f)] as const);
  const blobFiles = () => filesUnder(join(t.dataDir, "blobs"));
  const send = async (body: Buffer, blobIds?: string[]) => {
    const messageId = newId("msg");
    const ack = await s.request({
      type: "send",
      id: nextId++,
      conversationId: cid,
      messageId,
      body: body.toString("base64"),
      ...(blobIds ? { blobIds } : {}),
    });
    return { messageId, ack };
  };
  const del = (messageId: string) =>
    s.request({ type: "delete", id: nextId++, conversationId: cid, tombstoneId: newId("msg"), messageId });
  const upload = async (token: string, bytes: Buffer, conversationId = cid) => {
    const r = await fetch(`${t.url}/v1/conversations/${conversationId}/blobs`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
      body: new Uint8Array(bytes),
    });
    expect(r.status).toBe(200);
    return ((await r.json()) as { blobId: string }).blobId;
  };
  const download = (token: string, blobId: string) =>
    fetch(`${t.url}/v1/blobs/${blobId}`, { headers: { authorization: `Bearer ${token}` } });
  const rows = (query: string) => {
    const db = new SQLite(t.dbPath, { readonly: true });
    try {
      return db.prepare(query).all();
    } finally {
      db.close();
    }
  };

  it("the deleted ciphertext is in neither the database file nor the WAL", async () => {
    const kept = randomBytes(3000);
    const deleted = randomBytes(3000);
    await send(kept);
    const { messageId: target } = await send(deleted);
    // Something after it, so that its page is not simply the last one written.
    for (let i = 0; i < 10; i++) await send(randomBytes(500));
    expect(await del(target)).toMatchObject({ type: "ack" });

    const marker = deleted.subarray(1000, 1064);
    for (const [file, bytes] of onDisk()) expect(bytes.indexOf(marker), file).toBe(-1);
    // The message that was not deleted is still stored: the search would find a marker that is there.
    expect(onDisk().some(([, bytes]) => bytes.indexOf(kept.subarray(1000, 1064)) !== -1)).toBe(true);

    await s.closeAndWait();
    await t.server.close();
    for (const [file, bytes] of onDisk()) expect(bytes.indexOf(marker), file).toBe(-1);
  });

  it("a deleted message's blob goes too, once no other message refers to it", async () => {
    const only = randomBytes(4000);
    const shared = randomBytes(4000);
    const onlyId = await upload(p.therapist.token, only);
    const sharedId = await upload(p.therapist.token, shared);
    const first = await send(randomBytes(200), [onlyId, sharedId]);
    const second = await send(randomBytes(200), [sharedId, sharedId]);
    expect(first.ack).toMatchObject({ type: "ack" });
    expect(second.ack).toMatchObject({ type: "ack" });
    expect(blobFiles()).toHaveLength(2);

    expect(await del(first.messageId)).toMatchObject({ type: "ack" });
    // The blob only the deleted message referred to: its file, its row and its download are gone.
    const files = blobFiles();
    expect(files.map((f) => f.endsWith(onlyId))).toEqual([false]);
    expect(files.some((f) => readFileSync(f).indexOf(only.subarray(0, 64)) !== -1)).toBe(false);
    expect(rows("select id from blobs")).toEqual([{ id: sharedId }]);
    expect((await download(p.patients[0]?.token ?? "", onlyId)).status).toBe(404);
    // The shared one stays while the second message refers to it.
    expect((await download(p.patients[0]?.token ?? "", sharedId)).status).toBe(200);

    expect(await del(second.messageId)).toMatchObject({ type: "ack" });
    expect(blobFiles()).toEqual([]);
    expect(rows("select id from blobs")).toEqual([]);
    expect(rows("select * from message_blobs")).toEqual([]);
    expect((await download(p.patients[0]?.token ?? "", sharedId)).status).toBe(404);
  });

  it("a message may declare only blobs its sender uploaded into its conversation; others are not_found and nothing is stored", async () => {
    const patient = p.patients[0]?.token ?? "";
    const theirs = await upload(patient, randomBytes(100));
    const other = await joinByInvite(t, p.therapist.token, "patient", "Elsewhere");
    const elsewhere = await upload(p.therapist.token, randomBytes(100), other.conversationId ?? "");
    const mine = await upload(p.therapist.token, randomBytes(100));
    const unknown = `blb_${"A".repeat(22)}`;
    const before = rows("select count(*) as n from entries");
    for (const bad of [[theirs], [elsewhere], [unknown], [mine, unknown]]) {
      const { ack } = await send(randomBytes(50), bad);
      expect(ack, JSON.stringify(bad)).toMatchObject({ type: "error", code: "not_found", path: "blobIds" });
    }
    expect(rows("select count(*) as n from entries")).toEqual(before);
    expect(rows("select * from message_blobs")).toEqual([]);
    // Malformed lists are refused by the frame schema.
    for (const bad of [[], ["not-a-blob"], Array.from({ length: 17 }, () => mine)]) {
      const { ack } = await send(randomBytes(50), bad);
      expect(ack, JSON.stringify(bad)).toMatchObject({ type: "error" });
    }
    expect(rows("select count(*) as n from entries")).toEqual(before);
    // A blob of one's own is fine.
    const ok = await send(randomBytes(50), [mine]);
    expect(ok.ack).toMatchObject({ type: "ack" });
    expect(rows("select blob_id from message_blobs")).toEqual([{ blob_id: mine }]);
  });
});
