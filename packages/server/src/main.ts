import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildServer } from "./build-server.ts";
import { RedisBus } from "./bus/redis/redis-bus.ts";
import { createLogger } from "./logger.ts";
import { openPostgresStorage } from "./storage/postgres/postgres-storage.ts";
import { openSqliteStorage } from "./storage/sqlite/sqlite-storage.ts";

/**
 * `npm start`: one process, embedded SQLite, in-process bus. Configuration comes from the
 * environment (README "Configuration").
 */
async function main() {
  const env = process.env;
  const port = Number(env.PORT ?? 8080);
  const host = env.HOST ?? "localhost";
  const dataDir = resolve(env.HEARTH_DATA_DIR ?? "./data");
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const logger = createLogger({ level: env.LOG_LEVEL ?? "info" });
  const tls =
    env.HEARTH_TLS_CERT && env.HEARTH_TLS_KEY
      ? { cert: readFileSync(env.HEARTH_TLS_CERT), key: readFileSync(env.HEARTH_TLS_KEY) }
      : undefined;
  const publicUrl = env.HEARTH_PUBLIC_URL ?? `${tls ? "https" : "http"}://localhost:${port}`;
  // Embedded by default; PostgreSQL + Redis when configured, for many nodes.
  const storage = env.HEARTH_DATABASE_URL
    ? await openPostgresStorage({
        connectionString: env.HEARTH_DATABASE_URL,
        ...(env.HEARTH_DATABASE_SCHEMA ? { schema: env.HEARTH_DATABASE_SCHEMA } : {}),
      })
    : await openSqliteStorage({ path: join(dataDir, "hearth.db") });
  const bus = env.HEARTH_REDIS_URL
    ? await RedisBus.connect({
        url: env.HEARTH_REDIS_URL,
        ...(env.HEARTH_REDIS_PREFIX ? { prefix: env.HEARTH_REDIS_PREFIX } : {}),
      })
    : undefined;
  const server = await buildServer({
    storage,
    ...(bus ? { bus } : {}),
    logger,
    publicUrl,
    ...(tls ? { tls } : {}),
    ...(env.HEARTH_MAX_FRAME_BYTES ? { maxFrameBytes: Number(env.HEARTH_MAX_FRAME_BYTES) } : {}),
    blobDir: join(dataDir, "blobs"),
    // Quiet by default: refused requests only; HEARTH_ACCESS_LOG=all logs every request.
    accessLog: env.HEARTH_ACCESS_LOG === "all" ? "all" : "errors",
    ...(env.HEARTH_MAX_BLOB_BYTES ? { maxBlobBytes: Number(env.HEARTH_MAX_BLOB_BYTES) } : {}),
    ...(env.HEARTH_BLOB_QUOTA_BYTES ? { blobQuotaBytes: Number(env.HEARTH_BLOB_QUOTA_BYTES) } : {}),
  });
  await server.listen(port, host);
  // The address people open: the same one the setup link below names.
  logger.info({ url: publicUrl, port, host, dataDir }, `Hearth is listening at ${publicUrl}`);
  const setupToken = await server.prepareSetup();
  if (setupToken) {
    // The token rides in the URL fragment, which browsers never send to the server or its logs.
    process.stdout.write(
      `\n  First run: create your practice and its admin account here (one-time link):\n\n    ${publicUrl}/setup#${setupToken}\n\n`,
    );
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    await server.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((err: unknown) => {
  process.stderr.write(`Hearth failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
