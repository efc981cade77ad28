import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";

// The benchmarks are never part of `npm test`; this only keeps bench/idle.ts (and bench/harness.ts
// and bench/memory-hook.ts, which bench/cluster.ts shares) from rotting: 20 sockets, no idle wait.
const root = join(import.meta.dirname, "..", "..");

it("bench/idle.ts prints its table for a handful of sockets and stops by itself", async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", join(root, "bench/idle.ts"), "--sockets", "20", "--settle", "0"],
    { cwd: root, timeout: 120_000 },
  );
  expect(stdout).toContain("Machine: ");
  expect(stdout).toContain("| sockets open | measure | before MiB | after MiB | KiB per connection |");
  expect(stdout).toMatch(/\| 20 \| RSS \|/);
  expect(stdout).toMatch(/\| 20 \| JS heap \(used\) \|/);
});
