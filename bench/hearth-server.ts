/**
 * Hearth as the bench runs it: its own process, the embedded SQLite store on a temp file with the
 * production durability setting (WAL, synchronous=FULL), the in-process bus. Only argon2's cost is
 * lowered, because the bench signs up thousands of accounts and measures messaging, not hashing.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildServer, createLogger, openSqliteStorage } from "@hearth/server";

const dir = mkdtempSync(join(tmpdir(), "hearth-bench-"));
const storage = await openSqliteStorage({ path: join(dir, "hearth.db") });
const server = await buildServer({
  storage,
  logger: createLogger({ level: "warn" }),
  argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 },
  authRateLimitPerMinute: 1_000_000,
  blobDir: join(dir, "blobs"),
});
const url = await server.listen(0, "127.0.0.1");
const setupToken = await server.prepareSetup();
process.stdout.write(`${JSON.stringify({ url, setupToken, dir })}\n`);
process.on("SIGTERM", () => {
  void server.close().then(() => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
});
