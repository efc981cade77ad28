import { describe, expect, it } from "vitest";
import { type MakeStorage, range, useStorage } from "./storage-fixtures.ts";

const at = (minute: number) => new Date(Date.UTC(2024, 0, 1, 0, minute)).toISOString();
const job = (id: string, runAt: string, dedupeKey: string | null = null, kind = "k") => ({
  id,
  kind,
  payload: JSON.stringify({ id }),
  runAt,
  dedupeKey,
  createdAt: at(0),
});

/**
 * The conformance suite of the schedule port (`ScheduleStore`): due jobs are leased to one owner at a
 * time, leases expire, owners guard completion, dedupe keys admit one pending job.
 */
export function runScheduleSuite(makeStorage: MakeStorage) {
  describe("schedule store", () => {
    const storage = useStorage(makeStorage);

    it("leases only due jobs, earliest first, and counts the attempt", async () => {
      await storage.schedule.enqueueJob(job("j2", at(2)));
      await storage.schedule.enqueueJob(job("j1", at(1)));
      await storage.schedule.enqueueJob(job("j9", at(9)));
      const claimed = await storage.schedule.claimDue(at(5), "a", at(10), 10);
      expect(claimed.map((j) => [j.id, j.attempts, j.payload])).toEqual([
        ["j1", 1, '{"id":"j1"}'],
        ["j2", 1, '{"id":"j2"}'],
      ]);
      // Leased: nobody else gets them until the lease runs out.
      expect(await storage.schedule.claimDue(at(6), "b", at(11), 10)).toEqual([]);
      const again = await storage.schedule.claimDue(at(11), "b", at(20), 10);
      expect(again.map((j) => [j.id, j.attempts])).toEqual([
        ["j1", 2],
        ["j2", 2],
        ["j9", 1],
      ]);
      // The first owner lost its lease: it can no longer complete, retry or fail them.
      expect(await storage.schedule.completeJob("j1", "a")).toBe(false);
      expect(await storage.schedule.retryJob("j2", "a", at(30), "x", true)).toBe(false);
      expect(await storage.schedule.failJob("j2", "a", "x", at(10))).toBe(false);
      expect(await storage.schedule.completeJob("j1", "b")).toBe(true);
    });

    it("retries at a new time (a deferral takes its attempt back) and fails for good", async () => {
      await storage.schedule.enqueueJob(job("j1", at(1), "key"));
      await storage.schedule.claimDue(at(1), "a", at(5), 1);
      expect(await storage.schedule.retryJob("j1", "a", at(3), "smtp", true)).toBe(true);
      expect(await storage.schedule.claimDue(at(2), "a", at(5), 1)).toEqual([]);
      const [second] = await storage.schedule.claimDue(at(3), "a", at(5), 1);
      expect(second).toMatchObject({ attempts: 2, lastError: "smtp" });
      expect(await storage.schedule.retryJob("j1", "a", at(4), "smtp", false)).toBe(true);
      const [third] = await storage.schedule.claimDue(at(4), "a", at(6), 1);
      expect(third?.attempts).toBe(2);
      expect(await storage.schedule.failJob("j1", "a", "smtp", at(4))).toBe(true);
      expect(await storage.schedule.claimDue(at(50), "a", at(60), 10)).toEqual([]);
      // A failed job frees its dedupe key.
      expect((await storage.schedule.enqueueJob(job("j2", at(5), "key"))).created).toBe(true);
      const stats = await storage.schedule.jobStats(at(5), 10);
      expect(stats).toMatchObject({
        pending: { k: 1 },
        failed: { k: 1 },
        due: 1,
        running: 0,
        nextDueAt: at(5),
        failures: [{ id: "j1", kind: "k", attempts: 2, lastError: "smtp", at: at(4) }],
      });
    });

    it("keeps one pending job per dedupe key and tells the caller which", async () => {
      expect(await storage.schedule.enqueueJob(job("j1", at(5), "u1:c1"))).toEqual({
        id: "j1",
        runAt: at(5),
        created: true,
      });
      expect(await storage.schedule.enqueueJob(job("j2", at(1), "u1:c1"))).toEqual({
        id: "j1",
        runAt: at(5),
        created: false,
      });
      expect((await storage.schedule.enqueueJob(job("j3", at(1), null))).created).toBe(true);
      expect((await storage.schedule.enqueueJob(job("j4", at(1), null))).created).toBe(true);
      expect(await storage.schedule.nextDueAt()).toBe(at(1));
      // Cancel by key; a leased (running) one stays.
      expect(await storage.schedule.cancelJob("u1:c1", at(0))).toBe(true);
      expect(await storage.schedule.cancelJob("u1:c1", at(0))).toBe(false);
      await storage.schedule.enqueueJob(job("j5", at(1), "u2:c1"));
      await storage.schedule.claimDue(at(1), "a", at(9), 10);
      expect(await storage.schedule.cancelJob("u2:c1", at(2))).toBe(false);
      // While leased, the next claimable time is the lease's end.
      expect(await storage.schedule.nextDueAt()).toBe(at(9));
    });

    it("hands each due job to exactly one of many concurrent claimers", async () => {
      for (const i of range(30)) await storage.schedule.enqueueJob(job(`j${i}`, at(1)));
      const owners = range(6).map((i) => `node${i}`);
      const claims = await Promise.all(
        owners.flatMap((o) => [1, 2].map(() => storage.schedule.claimDue(at(2), o, at(10), 4))),
      );
      const more = await storage.schedule.claimDue(at(2), "late", at(10), 100);
      const ids = [...claims.flat(), ...more].map((j) => j.id);
      expect(ids.sort()).toEqual(
        range(30)
          .map((i) => `j${i}`)
          .sort(),
      );
    });
  });
}
