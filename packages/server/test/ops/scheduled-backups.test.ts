import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makePractice, startTestServer } from "@hearth/server/testing";
import { expect, it } from "vitest";
import { Progress } from "../../src/cli/progress.ts";
import { verifyBackup } from "../../src/cli/restore-command.ts";
import { systemClock } from "../../src/clock.ts";
import { byAge, ScheduledBackups } from "../../src/modules/backup/scheduled-backups.ts";

it("scheduled backups run on the durable jobs, again and again, keeping the newest N, each one verifiable", async () => {
  const t = await startTestServer({ scheduler: { pollMs: 200 } });
  const dir = mkdtempSync(join(tmpdir(), "hearth-scheduled-"));
  const keyFile = randomBytes(32);
  try {
    await makePractice(t, 1);
    const backups = new ScheduledBackups(
      { scheduler: t.server.scheduler, clock: systemClock, log: t.server.logger },
      { dataDir: t.dataDir, dir, secret: { keyFile }, everyMs: 100, keep: 2 },
    );
    await backups.start();
    // Each run defers the job (at least a second, the schedule's floor); wait for the third.
    const deadline = Date.now() + 60_000;
    while ((t.logs().match(/scheduled backup written/g) ?? []).length < 3) {
      if (Date.now() > deadline) throw new Error(`no third backup:\n${t.logs().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // Stopping waits for a run in progress: no fourth backup is half-written while the folder is read.
    await t.server.scheduler.stop();
    const files = readdirSync(dir).filter((f) => f.endsWith(".hearth-backup"));
    expect(files).toHaveLength(2);
    const m = await verifyBackup(
      join(dir, files.sort().at(-1)!),
      { keyFile },
      new Progress(process.stderr, true),
    );
    expect(m.database.rows.users).toBeGreaterThanOrEqual(3);
    const stats = await t.server.scheduler.stats(5);
    expect(stats.pending["backup.scheduled"]).toBe(1);
    expect(stats.failed["backup.scheduled"] ?? 0).toBe(0);
  } finally {
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

it("orders backup files oldest first by time, then by run number within one second", () => {
  const s = "20261207T132500Z";
  const later = "20261207T132501Z";
  expect(
    byAge([
      `hearth-${later}.hearth-backup`,
      `hearth-${s}-10.hearth-backup`,
      `hearth-${s}-2.hearth-backup`,
      `hearth-${s}.hearth-backup`,
      `hearth-${s}-9.hearth-backup`,
    ]),
  ).toEqual([
    `hearth-${s}.hearth-backup`,
    `hearth-${s}-2.hearth-backup`,
    `hearth-${s}-9.hearth-backup`,
    `hearth-${s}-10.hearth-backup`,
    `hearth-${later}.hearth-backup`,
  ]);
});
