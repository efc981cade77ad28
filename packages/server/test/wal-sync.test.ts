import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { afterEach, describe, expect, it, vi } from "vitest";
import { openSqliteStorage } from "../src/storage/sqlite/sqlite-storage.ts";
import { keptOpenSync, LAZY_SYNC_MS, type SyncPath, WalSync } from "../src/storage/sqlite/wal-sync.ts";

/** A sync that records each call and finishes only when the test says so. */
function heldSyncs() {
  const calls: { path: string; kind: string; finish: (err?: Error) => void }[] = [];
  const sync: SyncPath = (path, kind) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ path, kind, finish: (err) => (err ? reject(err) : resolve()) });
    });
  return { calls, sync };
}
const turn = () => new Promise((r) => setImmediate(r));
const settled = async (p: Promise<unknown>) => {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 5; i++) await turn();
  return done;
};

/** Writes, waits and finishes the first sync (the WAL, then its directory, once): later syncs are the WAL's alone. */
async function pastFirstSync(wal: WalSync, calls: ReturnType<typeof heldSyncs>["calls"]) {
  wal.wrote();
  const first = wal.durable();
  await turn();
  calls[0]!.finish();
  await turn();
  calls[1]!.finish();
  expect(await settled(first)).toBe(true);
}

describe("WalSync: an acknowledgement waits for a WAL sync that began after its commit", () => {
  it("resolves at once when nothing was written, and only after a sync once something was", async () => {
    const { calls, sync } = heldSyncs();
    const wal = new WalSync("/data/h.db", sync);
    expect(await settled(wal.durable())).toBe(true);
    expect(calls).toHaveLength(0);

    wal.wrote();
    const first = wal.durable();
    await turn();
    await turn();
    expect(calls.map((c) => [c.path, c.kind])).toEqual([["/data/h.db-wal", "file"]]);
    expect(await settled(first)).toBe(false);
    calls[0]!.finish();
    await turn();
    // The first sync also syncs the directory (the WAL file's entry), once.
    expect(calls.map((c) => [c.path, c.kind])[1]).toEqual(["/data", "directory"]);
    expect(await settled(first)).toBe(false);
    calls[1]!.finish();
    expect(await settled(first)).toBe(true);
  });

  it("a commit during a sync waits for the next sync, which covers every commit made meanwhile", async () => {
    const { calls, sync } = heldSyncs();
    const wal = new WalSync("/d/h.db", sync);
    wal.wrote();
    const a = wal.durable();
    await turn();
    await turn();
    calls[0]!.finish();
    await turn();
    // Written while the directory sync (part of the first round) runs: not covered by it.
    wal.wrote();
    const b = wal.durable();
    wal.wrote();
    const c = wal.durable();
    calls[1]!.finish();
    expect(await settled(a)).toBe(true);
    expect(await settled(b)).toBe(false);
    expect(calls).toHaveLength(3);
    expect(calls[2]!.kind).toBe("file");
    calls[2]!.finish();
    expect(await settled(b)).toBe(true);
    expect(await settled(c)).toBe(true);
    // One sync for both later commits, not one each.
    expect(calls).toHaveLength(3);
  });

  it("syncs a write nobody waits for within LAZY_SYNC_MS, and at once when somebody starts waiting", async () => {
    // Only setTimeout is faked (the lazy window), so the bound is exact and no wall clock races it.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const { calls, sync } = heldSyncs();
      const wal = new WalSync("/d/h.db", sync);
      await pastFirstSync(wal, calls);

      wal.wrote();
      for (let i = 0; i < 5; i++) await turn();
      // Nobody waits: no sync yet (a receipt's commit is covered by the next awaited sync, if sooner).
      vi.advanceTimersByTime(LAZY_SYNC_MS - 1);
      expect(calls).toHaveLength(2);
      vi.advanceTimersByTime(1);
      expect(calls).toHaveLength(3);
      calls[2]!.finish();
      expect(await settled(wal.durable())).toBe(true);

      // A waiter does not wait for the lazy window: its sync starts within a turn or two.
      wal.wrote();
      const waited = wal.durable();
      await turn();
      await turn();
      expect(calls).toHaveLength(4);
      calls[3]!.finish();
      expect(await settled(waited)).toBe(true);
      // The lazy timer was replaced, not left to sync again what is already on disk.
      vi.advanceTimersByTime(LAZY_SYNC_MS * 2);
      for (let i = 0; i < 3; i++) await turn();
      expect(calls).toHaveLength(4);
    } finally {
      vi.useRealTimers();
    }
  });

  it("pipelines: a commit made during a sync, with a waiter, gets the next sync the moment this one ends", async () => {
    const { calls, sync } = heldSyncs();
    const wal = new WalSync("/d/h.db", sync);
    await pastFirstSync(wal, calls);

    wal.wrote();
    const a = wal.durable();
    await turn();
    expect(calls).toHaveLength(3);
    // Committed and awaited while the sync for `a` runs (the next batch, pipelined).
    wal.wrote();
    const b = wal.durable();
    calls[2]!.finish();
    // Microtasks only, no event-loop turn: `a` is settled and the sync for `b` has already started.
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(calls).toHaveLength(4);
    expect(await settled(a)).toBe(true);
    expect(await settled(b)).toBe(false);
    calls[3]!.finish();
    expect(await settled(b)).toBe(true);
  });

  it("after a failed sync nothing is acknowledged again, and the failure is kept for readiness", async () => {
    const { calls, sync } = heldSyncs();
    const wal = new WalSync("/d/h.db", sync);
    wal.wrote();
    const a = wal.durable();
    await turn();
    await turn();
    calls[0]!.finish(Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" }));
    await expect(a).rejects.toThrow(/EIO/);
    expect(wal.failure).toBeInstanceOf(Error);
    wal.wrote();
    await expect(wal.durable()).rejects.toThrow(/EIO/);
    await expect(wal.durable()).rejects.toThrow(/EIO/);
  });
});

describe("the embedded store under synchronous = full", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("follows a write with a real fdatasync of its WAL, which durable() waits for", async () => {
    dir = mkdtempSync(join(tmpdir(), "hearth-walsync-"));
    const path = join(dir, "h.db");
    const log: string[] = [];
    const real = keptOpenSync();
    const storage = await openSqliteStorage({
      path,
      syncPath: async (p, kind) => {
        log.push(`start ${kind} ${p}`);
        await real.sync(p, kind);
        log.push(`done ${kind} ${p}`);
      },
    });
    await storage.durable();
    // The migrations were writes: their WAL and the directory were synced, the real way.
    expect(log).toContain(`done file ${path}-wal`);
    expect(log).toContain(`done directory ${dir}`);
    log.length = 0;

    const now = new Date().toISOString();
    const job = storage.schedule.enqueueJob({
      id: "job-1",
      kind: "probe",
      payload: "{}",
      runAt: now,
      dedupeKey: "k",
      createdAt: now,
    });
    log.push("enqueued");
    await job;
    log.push("committed");
    await storage.durable();
    log.push("durable");
    // A sync started after the commit and finished before durable() resolved.
    const committed = log.indexOf("committed");
    const started = log.indexOf(`start file ${path}-wal`, committed);
    expect(started).toBeGreaterThan(committed);
    expect(log.indexOf(`done file ${path}-wal`, started)).toBeLessThan(log.indexOf("durable"));
    expect(log).not.toContain(`start directory ${dir}`);
    await storage.close();
    real.close();

    // Closed: SQLite checkpointed the WAL into the file and removed it; the job is in the file.
    const raw = new SQLite(path, { readonly: true });
    expect(raw.prepare("select kind from jobs where dedupe_key = 'k'").pluck().get()).toBe("probe");
    raw.close();
  });

  it("finds nothing to sync when the WAL is gone (a closed store), without failing", async () => {
    dir = mkdtempSync(join(tmpdir(), "hearth-walsync-"));
    const wal = new WalSync(join(dir, "never-opened.db"));
    wal.wrote();
    await expect(wal.durable()).resolves.toBeUndefined();
    expect(wal.failure).toBeUndefined();
  });
});
