import { join } from "node:path";
import { ManualClock } from "@hearth/client/testing";
import {
  describeWithService,
  dropSchema,
  makeTempDir,
  POSTGRES_URL,
  postgresReachable,
  type TempDir,
  uniqueSchemaName,
} from "@hearth/server/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Scheduler } from "../../src/modules/schedule/schedule-service.ts";
import { openPostgresStorage } from "../../src/storage/postgres/postgres-storage.ts";
import { openSqliteStorage } from "../../src/storage/sqlite/sqlite-storage.ts";
import type { Storage } from "../../src/storage/storage.ts";

const MIN = 60_000;

/** A promise and its resolver: a handler that waits for the test. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { open, opened };
}

describe("the scheduler over SQLite, on a manual clock", () => {
  let dir: TempDir;
  let storage: Storage;
  let clock: ManualClock;
  const open = () => openSqliteStorage({ path: join(dir.path, "hearth.db") });

  beforeEach(async () => {
    dir = await makeTempDir();
    storage = await open();
    clock = new ManualClock(Date.UTC(2026, 0, 1));
  });
  afterEach(async () => {
    await storage.close();
    await dir.remove();
  });

  it("runs a job once, when it is due and not before", async () => {
    const s = new Scheduler({ store: storage.schedule, clock });
    const ran: unknown[] = [];
    s.registerHandler("greet", async (p) => {
      ran.push(p);
    });
    await s.enqueue("greet", { n: 1 }, clock.now() + 10 * MIN);
    expect(await s.runDue()).toBe(0);
    clock.advance(10 * MIN);
    expect(await s.runDue()).toBe(1);
    expect(await s.runDue()).toBe(0);
    expect(ran).toEqual([{ n: 1 }]);
    expect(await s.stats()).toMatchObject({ pending: {}, failed: {}, nextDueAt: null });
  });

  it("keeps one pending job per dedupe key", async () => {
    const s = new Scheduler({ store: storage.schedule, clock });
    const first = await s.enqueue("k", {}, clock.now() + MIN, { dedupeKey: "u1:c1" });
    const second = await s.enqueue("k", {}, clock.now() + 5 * MIN, { dedupeKey: "u1:c1" });
    expect(second).toEqual({ id: first.id, runAt: first.runAt, created: false });
    expect(await s.cancel("u1:c1")).toBe(true);
    expect((await s.enqueue("k", {}, clock.now(), { dedupeKey: "u1:c1" })).created).toBe(true);
  });

  it("retries a failing job with growing backoff, then marks it failed for the admin", async () => {
    const s = new Scheduler(
      { store: storage.schedule, clock },
      { maxAttempts: 3, backoff: { baseMs: MIN, maxMs: 60 * MIN } },
    );
    let calls = 0;
    s.registerHandler("flaky", async () => {
      calls += 1;
      throw Object.assign(new Error("secret@example.org refused"), { code: "EENVELOPE" });
    });
    await s.enqueue("flaky", {}, clock.now());
    expect(await s.runDue()).toBe(1);
    // The first retry waits between half the base and the base.
    expect(await s.runDue()).toBe(0);
    clock.advance(MIN);
    expect(await s.runDue()).toBe(1);
    clock.advance(2 * MIN);
    expect(await s.runDue()).toBe(1);
    expect(calls).toBe(3);
    clock.advance(24 * 60 * MIN);
    expect(await s.runDue()).toBe(0);
    const stats = await s.stats();
    expect(stats).toMatchObject({ pending: {}, failed: { flaky: 1 }, nextDueAt: null });
    // The code, never the message (which held an address).
    expect(stats.failures).toEqual([
      expect.objectContaining({ kind: "flaky", attempts: 3, lastError: "EENVELOPE" }),
    ]);
  });

  it("defers without counting a failure", async () => {
    const s = new Scheduler({ store: storage.schedule, clock }, { maxAttempts: 1 });
    const seen: number[] = [];
    s.registerHandler<{ until: number }>("later", async (p, job) => {
      seen.push(job.attempt);
      if (clock.now() < p.until) return { deferUntil: p.until };
      return undefined;
    });
    const until = clock.now() + 30 * MIN;
    await s.enqueue("later", { until }, clock.now());
    expect(await s.runDue()).toBe(1);
    clock.advance(15 * MIN);
    expect(await s.runDue()).toBe(0);
    clock.advance(15 * MIN);
    expect(await s.runDue()).toBe(1);
    expect(seen).toEqual([1, 1]);
    expect((await s.stats()).failed).toEqual({});
  });

  it("runs due jobs from its own loop as the clock moves (started, then stopped)", async () => {
    const s = new Scheduler({ store: storage.schedule, clock }, { pollMs: 60 * MIN });
    let ran = 0;
    s.registerHandler("tick", async () => {
      ran += 1;
    });
    s.start();
    await s.enqueue("tick", {}, clock.now() + 5 * MIN);
    clock.advance(5 * MIN);
    // The loop's passes are asynchronous: let each finish, then fire the timer it set for "now".
    while (ran === 0) {
      await new Promise((r) => setImmediate(r));
      clock.advance(0);
    }
    await s.stop();
    expect(ran).toBe(1);
    expect(clock.pending).toBe(0);
  });

  it("survives a restart: a job stored before the close runs after the reopen", async () => {
    const before = new Scheduler({ store: storage.schedule, clock });
    await before.enqueue("remember", { n: 7 }, clock.now() + MIN);
    await storage.close();
    storage = await open();
    const after = new Scheduler({ store: storage.schedule, clock });
    const ran: unknown[] = [];
    after.registerHandler("remember", async (p) => {
      ran.push(p);
    });
    clock.advance(MIN);
    expect(await after.runDue()).toBe(1);
    expect(ran).toEqual([{ n: 7 }]);
  });

  it("gives a job whose node stalled to another node once the lease expires, and only once", async () => {
    const a = new Scheduler({ store: storage.schedule, clock }, { nodeId: "a", leaseMs: 5 * MIN });
    const b = new Scheduler({ store: storage.schedule, clock }, { nodeId: "b", leaseMs: 5 * MIN });
    const stalled = gate();
    const release = gate();
    const runs: string[] = [];
    a.registerHandler("job", async () => {
      runs.push("a");
      stalled.open();
      await release.opened;
    });
    b.registerHandler("job", async () => {
      runs.push("b");
    });
    await a.enqueue("job", {}, clock.now());
    const aPass = a.runDue();
    await stalled.opened;
    expect(await b.runDue()).toBe(0);
    clock.advance(5 * MIN + 1);
    expect(await b.runDue()).toBe(1);
    // A wakes up late: its lease is gone, so its completion changes nothing, and nobody runs it again.
    release.open();
    await aPass;
    clock.advance(60 * MIN);
    expect([await a.runDue(), await b.runDue()]).toEqual([0, 0]);
    expect(runs).toEqual(["a", "b"]);
  });
});

describeWithService(
  "the scheduler on PostgreSQL",
  await postgresReachable(),
  `PostgreSQL at ${POSTGRES_URL}`,
  () => {
    it("two nodes (two pools) racing over the same jobs run each one exactly once", async () => {
      const schema = uniqueSchemaName();
      const nodes: Storage[] = [];
      try {
        for (let i = 0; i < 2; i++) {
          nodes.push(await openPostgresStorage({ connectionString: POSTGRES_URL, schema, poolSize: 4 }));
        }
        const clock = new ManualClock(Date.UTC(2026, 0, 1));
        const runs = new Map<number, string[]>();
        const schedulers = nodes.map((n, i) => {
          const s = new Scheduler({ store: n.schedule, clock }, { nodeId: `n${i}`, batchSize: 3 });
          s.registerHandler<{ n: number }>("race", async ({ n }) => {
            runs.set(n, [...(runs.get(n) ?? []), `n${i}`]);
            // Yield so the other node's claims interleave with this one's.
            await new Promise((r) => setImmediate(r));
          });
          return s;
        });
        for (let n = 0; n < 60; n++) await schedulers[n % 2]!.enqueue("race", { n }, clock.now());
        const counts = await Promise.all(schedulers.flatMap((s) => [s.runDue(), s.runDue()]));
        expect(counts.reduce((a, b) => a + b, 0)).toBe(60);
        expect([...runs.keys()].sort((a, b) => a - b)).toEqual([...Array(60).keys()]);
        for (const [, by] of runs) expect(by).toHaveLength(1);
        // Both took part.
        expect(new Set([...runs.values()].flat()).size).toBe(2);
      } finally {
        for (const n of nodes) await n.close();
        await dropSchema(schema);
      }
    });
  },
);
