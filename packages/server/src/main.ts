import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Logger } from "pino";
import { buildServer, type HearthServer } from "./build-server.ts";
import { RedisBus } from "./bus/redis/redis-bus.ts";
import { RedisCounter } from "./bus/redis/redis-counter.ts";
import { checkSecret } from "./cli/backup-crypto.ts";
import { systemClock } from "./clock.ts";
import { createLogger } from "./logger.ts";
import { ScheduledBackups } from "./modules/backup/scheduled-backups.ts";
import { openPostgresBlobStore } from "./modules/blobs/postgres/postgres-blob-store.ts";
import { serveMetrics } from "./modules/metrics/metrics-listener.ts";
import { SmtpMailer } from "./modules/notify/smtp/smtp-mailer.ts";
import { loadAtRestKey } from "./storage/at-rest/at-rest-key.ts";
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
  // Encryption at rest of names, logins and emails (docs/operations.md, "Encryption at rest"):
  // HEARTH_AT_REST_KEY, or the key file in the data directory (made on first start with HEARTH_AT_REST=on).
  const atRestKey = loadAtRestKey({ env, dataDir, create: true });
  // Embedded by default; PostgreSQL + Redis when configured, for many nodes.
  const storage = env.HEARTH_DATABASE_URL
    ? await openPostgresStorage({
        connectionString: env.HEARTH_DATABASE_URL,
        ...(env.HEARTH_DATABASE_SCHEMA ? { schema: env.HEARTH_DATABASE_SCHEMA } : {}),
        // A restart of PostgreSQL drops the pooled connections; the pool opens fresh ones as needed.
        onConnectionError: (err) => logger.warn({ err: errorKind(err) }, "database connection lost"),
        ...(atRestKey ? { atRestKey } : {}),
      })
    : await openSqliteStorage({
        path: join(dataDir, "hearth.db"),
        logger,
        ...(atRestKey ? { atRestKey } : {}),
      });
  logger.info({ encryptedAtRest: atRestKey !== undefined }, "storage open");
  // Blobs: files under the data directory (default; a folder every node mounts, for several nodes),
  // or chunks in PostgreSQL, which every node reads without a shared folder.
  const blobMode = env.HEARTH_BLOB_STORE ?? "files";
  if (blobMode !== "files" && blobMode !== "postgres") {
    throw new Error(`HEARTH_BLOB_STORE must be "files" or "postgres", not ${JSON.stringify(blobMode)}`);
  }
  if (blobMode === "postgres" && !env.HEARTH_DATABASE_URL) {
    throw new Error("HEARTH_BLOB_STORE=postgres needs HEARTH_DATABASE_URL");
  }
  const blobStore =
    blobMode === "postgres" && env.HEARTH_DATABASE_URL
      ? await openPostgresBlobStore({
          connectionString: env.HEARTH_DATABASE_URL,
          ...(env.HEARTH_DATABASE_SCHEMA ? { schema: env.HEARTH_DATABASE_SCHEMA } : {}),
        })
      : undefined;
  // Redis errors while ioredis reconnects by itself: logged (at most one line per 10 s, as every
  // connection retries every few hundred ms), not printed as "Unhandled error event".
  let redisLoggedAt = 0;
  const redisError = (err: Error) => {
    if (Date.now() - redisLoggedAt < 10_000) return;
    redisLoggedAt = Date.now();
    logger.warn({ err: errorKind(err) }, "Redis connection error (reconnecting)");
  };
  const redis = env.HEARTH_REDIS_URL
    ? {
        url: env.HEARTH_REDIS_URL,
        ...(env.HEARTH_REDIS_PREFIX ? { prefix: env.HEARTH_REDIS_PREFIX } : {}),
        onError: redisError,
      }
    : undefined;
  const bus = redis ? await RedisBus.connect(redis) : undefined;
  // With Redis, the HTTP rate limits count in Redis: one budget across every node.
  const rateLimitCounter = redis ? await RedisCounter.connect(redis) : undefined;
  // Email fallback only when an SMTP server is configured (README "Email notifications").
  const mailer = env.HEARTH_SMTP_URL
    ? new SmtpMailer({
        url: env.HEARTH_SMTP_URL,
        from: env.HEARTH_SMTP_FROM ?? `Hearth <no-reply@${new URL(publicUrl).hostname}>`,
        requireTls: env.HEARTH_SMTP_REQUIRE_TLS !== "false",
      })
    : undefined;
  const server = await buildServer({
    storage,
    ...(bus ? { bus } : {}),
    ...(rateLimitCounter ? { rateLimitCounter } : {}),
    logger,
    publicUrl,
    ...(tls ? { tls } : {}),
    ...(env.HEARTH_MAX_FRAME_BYTES ? { maxFrameBytes: Number(env.HEARTH_MAX_FRAME_BYTES) } : {}),
    blobDir: join(dataDir, "blobs"),
    ...(blobStore ? { blobStore } : {}),
    // Quiet by default: refused requests only; HEARTH_ACCESS_LOG=all logs every request.
    accessLog: env.HEARTH_ACCESS_LOG === "all" ? "all" : "errors",
    ...(env.HEARTH_MAX_BLOB_BYTES ? { maxBlobBytes: Number(env.HEARTH_MAX_BLOB_BYTES) } : {}),
    ...(env.HEARTH_BLOB_QUOTA_BYTES ? { blobQuotaBytes: Number(env.HEARTH_BLOB_QUOTA_BYTES) } : {}),
    ...(mailer ? { mailer } : {}),
    ...(env.HEARTH_METRICS_TOKEN ? { metricsToken: env.HEARTH_METRICS_TOKEN } : {}),
    ...(env.HEARTH_EMAIL_BATCH_SECONDS
      ? { email: { batchWindowMs: Number(env.HEARTH_EMAIL_BATCH_SECONDS) * 1000 } }
      : {}),
    scheduler: {
      ...(env.HEARTH_JOB_LEASE_SECONDS ? { leaseMs: Number(env.HEARTH_JOB_LEASE_SECONDS) * 1000 } : {}),
      ...(env.HEARTH_JOB_POLL_SECONDS ? { pollMs: Number(env.HEARTH_JOB_POLL_SECONDS) * 1000 } : {}),
    },
    turn: {
      urls: (env.HEARTH_TURN_URLS ?? "")
        .split(",")
        .map((u) => u.trim())
        .filter((u) => u !== ""),
      secret: env.HEARTH_TURN_SECRET ?? "",
      ...(env.HEARTH_TURN_TTL_SECONDS ? { ttlSeconds: Number(env.HEARTH_TURN_TTL_SECONDS) } : {}),
    },
    push: {
      ...(env.HEARTH_PUSH_SUBJECT ? { subject: env.HEARTH_PUSH_SUBJECT } : {}),
      ...(env.HEARTH_PUSH_ORIGINS
        ? {
            origins: env.HEARTH_PUSH_ORIGINS.split(",")
              .map((s) => s.trim())
              .filter(Boolean),
          }
        : {}),
    },
  });
  if (env.HEARTH_BACKUP_DIR) await scheduleBackups(server, env, dataDir, logger);
  await server.listen(port, host);
  // Metrics on a listener of their own (e.g. 127.0.0.1:9464, for a local Prometheus agent), no token.
  if (env.HEARTH_METRICS_LISTEN) await serveMetrics(server.metrics, env.HEARTH_METRICS_LISTEN, logger);
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
    await rateLimitCounter?.close();
    await blobStore?.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

/**
 * Scheduled backups (docs/operations.md, "Back up and restore"): of the embedded store, or of the
 * PostgreSQL database with HEARTH_DATABASE_URL (one node runs each, on the durable jobs).
 */
async function scheduleBackups(
  server: Pick<HearthServer, "scheduler">,
  env: NodeJS.ProcessEnv,
  dataDir: string,
  logger: Logger,
) {
  const secret = env.HEARTH_BACKUP_KEY_FILE
    ? { keyFile: readFileSync(env.HEARTH_BACKUP_KEY_FILE) }
    : env.HEARTH_BACKUP_PASSPHRASE_FILE
      ? { passphrase: readFileSync(env.HEARTH_BACKUP_PASSPHRASE_FILE, "utf8").split(/\r?\n/)[0] ?? "" }
      : undefined;
  if (!secret)
    throw new Error("HEARTH_BACKUP_DIR needs HEARTH_BACKUP_KEY_FILE or HEARTH_BACKUP_PASSPHRASE_FILE");
  checkSecret(secret);
  await new ScheduledBackups(
    { scheduler: server.scheduler, clock: systemClock, log: logger },
    {
      dataDir,
      ...(env.HEARTH_DATABASE_URL
        ? {
            postgres: {
              url: env.HEARTH_DATABASE_URL,
              ...(env.HEARTH_DATABASE_SCHEMA ? { schema: env.HEARTH_DATABASE_SCHEMA } : {}),
            },
          }
        : {}),
      dir: resolve(env.HEARTH_BACKUP_DIR ?? ""),
      secret,
      everyMs: Number(env.HEARTH_BACKUP_EVERY_HOURS ?? 24) * 3600_000,
      keep: Number(env.HEARTH_BACKUP_KEEP ?? 7),
    },
  ).start();
}

main().catch((err: unknown) => {
  process.stderr.write(`Hearth failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

/**
 * What a driver's connection error may go into the log as: its kind and code (ECONNREFUSED,
 * 57P01), never its message, which can name the database login or the host's address.
 */
function errorKind(err: Error): { type: string; code?: string } {
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" ? { type: err.name, code } : { type: err.name };
}
