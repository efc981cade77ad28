/**
 * Hearth as the bench runs it: its own process, the embedded SQLite store on a temp file with the
 * production durability setting (WAL, each commit's WAL fdatasynced before its ack), the in-process bus. Only argon2's cost is
 * lowered, because the bench signs up thousands of accounts and measures messaging, not hashing.
 *
 * For the cluster bench (bench/cluster.ts), through the environment:
 *  - `BENCH_POSTGRES_URL` (and `BENCH_POSTGRES_SCHEMA`): PostgreSQL storage at that URL (in that
 *    schema, created if missing) instead of SQLite;
 *  - `BENCH_REDIS_URL` and `BENCH_REDIS_PREFIX`: the Redis bus and Redis rate-limit counters, under
 *    that key prefix;
 *  - `BENCH_SETUP=0`: no setup token (a further node of a cluster whose first node was set up).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildServer,
  createLogger,
  openPostgresStorage,
  openSqliteStorage,
  RedisBus,
  RedisCounter,
} from "@hearth/server";

const dir = mkdtempSync(join(tmpdir(), "hearth-bench-"));
const pgUrl = process.env.BENCH_POSTGRES_URL;
const redisUrl = process.env.BENCH_REDIS_URL;
const redis = redisUrl
  ? { url: redisUrl, prefix: process.env.BENCH_REDIS_PREFIX ?? "hearth-bench:" }
  : undefined;
const storage = pgUrl
  ? await openPostgresStorage({
      connectionString: pgUrl,
      ...(process.env.BENCH_POSTGRES_SCHEMA ? { schema: process.env.BENCH_POSTGRES_SCHEMA } : {}),
    })
  : await openSqliteStorage({ path: join(dir, "hearth.db") });
const rateLimitCounter = redis ? await RedisCounter.connect(redis) : undefined;
const server = await buildServer({
  storage,
  logger: createLogger({ level: "warn" }),
  argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 },
  authRateLimitPerMinute: 1_000_000,
  blobDir: join(dir, "blobs"),
  ...(redis ? { bus: await RedisBus.connect(redis), rateLimitCounter } : {}),
});
const url = await server.listen(0, "127.0.0.1");
const setupToken = process.env.BENCH_SETUP === "0" ? undefined : await server.prepareSetup();
process.stdout.write(`${JSON.stringify({ url, setupToken, dir })}\n`);
// SIGINT too: a Ctrl-C in the bench's terminal reaches this process as well.
const stop = () => {
  void server
    .close()
    .then(() => rateLimitCounter?.close())
    .catch((err: unknown) => process.stderr.write(`close: ${String(err)}\n`))
    .finally(() => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    });
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
