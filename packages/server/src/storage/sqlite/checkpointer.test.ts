import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { Checkpointer } from "./checkpointer.ts";

const PAGE = 4096;
const dirs: string[] = [];
const open: (SQLite.Database | Checkpointer)[] = [];

afterEach(async () => {
  for (const o of open.splice(0).reverse()) {
    if (o instanceof Checkpointer) await o.close();
    else o.close();
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A real database file in WAL mode whose writer never checkpoints by itself, as the storage opens it. */
function writer() {
  const dir = mkdtempSync(join(tmpdir(), "hearth-ckpt-"));
  dirs.push(dir);
  const path = join(dir, "t.db");
  const db = new SQLite(path);
  open.push(db);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("wal_autocheckpoint = 0");
  db.exec("create table t (k integer primary key, v blob)");
  const insert = db.prepare("insert into t (v) values (?)");
  const row = Buffer.alloc(PAGE, 7);
  return { path, db, write: () => insert.run(row), walBytes: () => statSync(`${path}-wal`).size };
}

function checkpointer(w: ReturnType<typeof writer>, o: { intervalMs: number; finishAtFrames?: number }) {
  const fallbacks: unknown[] = [];
  let finished = 0;
  const c = new Checkpointer({
    path: w.path,
    finish: async () => {
      finished += 1;
      w.db.pragma("wal_checkpoint(PASSIVE)");
    },
    fallback: (err) => fallbacks.push(err),
    ...o,
  });
  open.push(c);
  return { c, fallbacks, finished: () => finished };
}

const turn = () => new Promise((r) => setImmediate(r));

describe("Checkpointer", () => {
  it("copies the WAL back into the database on its worker, and the writer then reuses the WAL from its start", async () => {
    const w = writer();
    const { c, fallbacks } = checkpointer(w, { intervalMs: 5 });
    for (let i = 0; i < 200; i++) w.write();
    const report = c.nextReport();
    c.wrote();
    const r = await report;
    // Every frame written so far (at least one page per row) is back in the database file.
    expect(r.log).toBeGreaterThanOrEqual(200);
    expect(r.checkpointed).toBe(r.log);
    const grown = w.walBytes();
    // Fully checkpointed with no reader: the next write starts the WAL over instead of growing it.
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 200; i++) w.write();
      const next = c.nextReport();
      c.wrote();
      expect((await next).checkpointed).toBeGreaterThan(0);
    }
    expect(w.walBytes()).toBeLessThanOrEqual(grown);
    expect(w.db.prepare("select count(*) n from t").get()).toEqual({ n: 1200 });
    expect(fallbacks).toEqual([]);
  });

  it("keeps the WAL bounded under writes that never pause, by finishing on the writer's connection", async () => {
    const w = writer();
    const { c, fallbacks, finished } = checkpointer(w, { intervalMs: 2, finishAtFrames: 300 });
    // The worker starts with the first checkpoint: wait for it, as a server's would have long before.
    w.write();
    const started = c.nextReport();
    c.wrote();
    await started;
    const before = w.walBytes();
    const rows = 6000; // ~24 MiB through the WAL
    for (let i = 0; i < rows; i++) {
      w.write();
      c.wrote();
      if (i % 20 === 0) await turn();
    }
    expect(finished()).toBeGreaterThan(0);
    // Without the finishing checkpoints the WAL holds every row written: about 3.1 × rows × PAGE here
    // (a row overflows its page). With them it stayed at 0.15–0.25 × even with both cores busy, so the
    // bound sits between the two with room for a slow machine.
    // (the WAL file keeps its largest size: this is the most it ever held)
    expect(w.walBytes() - before).toBeLessThan(rows * PAGE);
    expect(fallbacks).toEqual([]);
  });

  it("falls back to the writer's own checkpoints when its worker cannot open the database", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hearth-ckpt-"));
    dirs.push(dir);
    const failed = new Promise<unknown>((resolve) => {
      const c = new Checkpointer({
        path: join(dir, "missing.db"),
        finish: async () => {},
        fallback: resolve,
        intervalMs: 1,
      });
      open.push(c);
      c.wrote();
    });
    expect(String(await failed)).toMatch(/unable to open|does not exist|directory/i);
  });
});
