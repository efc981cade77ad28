import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newId } from "@hearth/protocol";
import SQLite from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { openSqliteStorage } from "../src/storage/sqlite/sqlite-storage.ts";
import { keptOpenSync } from "../src/storage/sqlite/wal-sync.ts";
import { makePractice, RawSocket, startTestServer, type TestServer } from "../src/testing/index.ts";

/**
 * What waits for the WAL sync and what does not, on a real server whose WAL syncs the test can hold
 * (real fdatasyncs otherwise): a message is acknowledged and fanned out only once it is on disk; a
 * receipt (a watermark, acknowledged to nobody) is relayed once committed.
 */
describe("durability: messages wait for the WAL sync, receipts do not", () => {
  let t: TestServer | undefined;
  let dir: string | undefined;
  let holding = false;
  const held: (() => void)[] = [];
  let real: ReturnType<typeof keptOpenSync> | undefined;
  afterEach(async () => {
    holding = false;
    for (const release of held.splice(0)) release();
    await t?.stop();
    real?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    t = dir = real = undefined;
  });

  it("relays a receipt while the sync is held, and acks the next message only after it", async () => {
    dir = mkdtempSync(join(tmpdir(), "hearth-durability-"));
    const kept = keptOpenSync();
    real = kept;
    const storage = await openSqliteStorage({
      path: join(dir, "hearth.db"),
      syncPath: async (path, kind) => {
        if (holding) await new Promise<void>((resolve) => held.push(resolve));
        await kept.sync(path, kind);
      },
    });
    t = await startTestServer({ storage });
    const p = await makePractice(t, 1);
    const cid = p.patients[0]!.conversationId!;
    const pa = await RawSocket.hello(t.wsUrl, p.patients[0]!.token, { [cid]: 0 });
    const th = await RawSocket.hello(t.wsUrl, p.therapist.token, { [cid]: 0 });
    const body = Buffer.from("opaque").toString("base64");

    const first = await pa.request({
      type: "send",
      id: 1,
      conversationId: cid,
      messageId: newId("msg"),
      body,
    });
    expect(first).toMatchObject({ type: "ack", seq: 1 });
    await th.next((f) => f.type === "message" && f.entry.seq === 1);

    holding = true;
    // The therapist's device acknowledges delivery: relayed to the patient with the sync still held.
    th.send({ type: "receipt", conversationId: cid, kind: "delivered", seq: 1 });
    const receipt = await pa.next((f) => f.type === "receipt");
    expect(receipt).toMatchObject({ userId: p.therapist.userId, kind: "delivered", seq: 1 });
    // (Waiting for its sync, it would never have come: every sync begun since `holding` is held.)
    // The sync after the receipt's commit is held now (or starts, held, once one begun before
    // `holding` ends, on a slow disk).
    while (held.length === 0) await new Promise((r) => setTimeout(r, 5));

    // A message, though, is neither acknowledged nor fanned out before a sync that began after it.
    pa.send({ type: "send", id: 2, conversationId: cid, messageId: newId("msg"), body });
    const acked = pa.next((f) => f.type === "ack" && f.id === 2, 20_000);
    // Committed (another connection sees it), and a ping sent after that is answered first.
    const reader = new SQLite(join(dir, "hearth.db"), { readonly: true });
    const stored = reader
      .prepare("select count(*) from entries where conversation_id = ? and seq = 2")
      .pluck();
    while (stored.get(cid) === 0) await new Promise((r) => setTimeout(r, 5));
    reader.close();
    expect(await pa.request({ type: "ping", id: 3 })).toMatchObject({ type: "pong" });
    expect(pa.frames.some((f) => f.type === "ack")).toBe(false);
    expect(th.frames.some((f) => f.type === "message" && f.entry.seq === 2)).toBe(false);
    holding = false;
    for (const release of held.splice(0)) release();
    expect(await acked).toMatchObject({ type: "ack", seq: 2 });
    await th.next((f) => f.type === "message" && f.entry.seq === 2);

    await pa.closeAndWait();
    await th.closeAndWait();
  });
});
