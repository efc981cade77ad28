import { X509Certificate } from "node:crypto";
import { accessSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import SQLite from "better-sqlite3";
import { Redis } from "ioredis";
import pg from "pg";
import { FsBlobStore } from "../modules/blobs/fs/fs-blob-store.ts";
import { openPostgresBlobStore } from "../modules/blobs/postgres/postgres-blob-store.ts";
import { AT_REST_KEY_FILE, loadAtRestKey } from "../storage/at-rest/at-rest-key.ts";

/** One finding: `ok`, `warn` (works, but should change) or `fail` (will not work), in words. */
export interface Finding {
  level: "ok" | "warn" | "fail";
  part: string;
  message: string;
}

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));

function checkConfig(env: NodeJS.ProcessEnv, out: Finding[]) {
  const port = env.PORT ?? "8080";
  if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    out.push({ level: "fail", part: "config", message: `PORT=${port} is not a port number (1–65535).` });
  }
  if (env.HEARTH_PUBLIC_URL) {
    try {
      const u = new URL(env.HEARTH_PUBLIC_URL);
      if (u.protocol === "http:" && !["localhost", "127.0.0.1", "[::1]"].includes(u.hostname)) {
        out.push({
          level: "warn",
          part: "config",
          message: `HEARTH_PUBLIC_URL is plain http on ${u.hostname}: put Hearth behind TLS (a reverse proxy or HEARTH_TLS_CERT/KEY); browsers refuse push and crypto keys off https.`,
        });
      }
    } catch {
      out.push({
        level: "fail",
        part: "config",
        message: `HEARTH_PUBLIC_URL is not a URL: ${env.HEARTH_PUBLIC_URL}`,
      });
    }
  } else {
    out.push({
      level: "warn",
      part: "config",
      message: "HEARTH_PUBLIC_URL is unset: links in invites and emails will point at localhost.",
    });
  }
  if (env.HEARTH_METRICS_TOKEN !== undefined && env.HEARTH_METRICS_TOKEN.length < 24) {
    out.push({
      level: "warn",
      part: "config",
      message:
        "HEARTH_METRICS_TOKEN is shorter than 24 characters; use a long random one (openssl rand -hex 32).",
    });
  }
  if (Boolean(env.HEARTH_TLS_CERT) !== Boolean(env.HEARTH_TLS_KEY)) {
    out.push({
      level: "fail",
      part: "tls",
      message: "Only one of HEARTH_TLS_CERT and HEARTH_TLS_KEY is set; set both or neither.",
    });
  } else if (env.HEARTH_TLS_CERT && env.HEARTH_TLS_KEY) {
    try {
      const cert = new X509Certificate(readFileSync(env.HEARTH_TLS_CERT));
      readFileSync(env.HEARTH_TLS_KEY);
      const days = Math.floor((Date.parse(cert.validTo) - Date.now()) / 86_400_000);
      if (days < 0)
        out.push({ level: "fail", part: "tls", message: `The TLS certificate expired on ${cert.validTo}.` });
      else if (days < 14)
        out.push({
          level: "warn",
          part: "tls",
          message: `The TLS certificate expires in ${days} days (${cert.validTo}).`,
        });
      else
        out.push({
          level: "ok",
          part: "tls",
          message: `certificate for ${cert.subject.replaceAll("\n", ", ")}, valid ${days} more days`,
        });
    } catch (err) {
      out.push({
        level: "fail",
        part: "tls",
        message: `Cannot read the TLS certificate or key: ${errText(err)}`,
      });
    }
  }
  if (!out.some((f) => f.part === "config"))
    out.push({ level: "ok", part: "config", message: "settings are consistent" });
}

function checkDataDir(dataDir: string, out: Finding[]): boolean {
  if (!existsSync(dataDir)) {
    out.push({
      level: "fail",
      part: "data directory",
      message: `${dataDir} does not exist (the server creates it on first start).`,
    });
    return false;
  }
  const s = statSync(dataDir);
  if (!s.isDirectory()) {
    out.push({ level: "fail", part: "data directory", message: `${dataDir} is not a directory.` });
    return false;
  }
  try {
    accessSync(dataDir, constants.R_OK | constants.W_OK);
  } catch {
    out.push({
      level: "fail",
      part: "data directory",
      message: `${dataDir} is not readable and writable by this user.`,
    });
    return false;
  }
  if ((s.mode & 0o077) !== 0) {
    out.push({
      level: "warn",
      part: "data directory",
      message: `${dataDir} is open to other users (mode ${(s.mode & 0o777).toString(8)}); chmod 700 it.`,
    });
  } else {
    out.push({ level: "ok", part: "data directory", message: `${dataDir}, private to its owner` });
  }
  return true;
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, rej) => {
        t = setTimeout(() => rej(new Error(`${what} did not answer within ${ms / 1000} s`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(t);
  }
}

async function checkDatabase(env: NodeJS.ProcessEnv, dataDir: string, out: Finding[]) {
  if (env.HEARTH_DATABASE_URL) {
    const client = new pg.Client({
      connectionString: env.HEARTH_DATABASE_URL,
      connectionTimeoutMillis: 5000,
    });
    try {
      await client.connect();
      const schema = env.HEARTH_DATABASE_SCHEMA;
      if (schema) await client.query(`set search_path to "${schema.replaceAll('"', "")}"`);
      const r = await client.query("select count(*)::int as n from kysely_migration").catch(() => undefined);
      out.push({
        level: r ? "ok" : "warn",
        part: "database",
        message: r
          ? `PostgreSQL answers; ${r.rows[0].n} migrations applied`
          : "PostgreSQL answers, but Hearth's tables are not there yet (the server creates them on first start).",
      });
    } catch (err) {
      out.push({
        level: "fail",
        part: "database",
        message: `Cannot reach PostgreSQL at HEARTH_DATABASE_URL: ${errText(err)}`,
      });
    } finally {
      await client.end().catch(() => undefined);
    }
    return;
  }
  const path = join(dataDir, "hearth.db");
  if (!existsSync(path)) {
    out.push({
      level: "warn",
      part: "database",
      message: `No database at ${path} yet (the server creates it on first start).`,
    });
    return;
  }
  try {
    const db = new SQLite(path, { readonly: true, fileMustExist: true });
    try {
      const check = db.pragma("quick_check", { simple: true });
      const mode = db.pragma("journal_mode", { simple: true });
      if (check !== "ok")
        out.push({ level: "fail", part: "database", message: `SQLite quick_check found damage: ${check}` });
      else
        out.push({
          level: "ok",
          part: "database",
          message: `SQLite ${path}: quick_check ok, journal ${mode}`,
        });
    } finally {
      db.close();
    }
  } catch (err) {
    out.push({ level: "fail", part: "database", message: `Cannot open ${path}: ${errText(err)}` });
  }
}

async function checkRedis(env: NodeJS.ProcessEnv, out: Finding[]) {
  if (!env.HEARTH_REDIS_URL) {
    out.push({ level: "ok", part: "redis", message: "not configured (one node, in-process fan-out)" });
    return;
  }
  const redis = new Redis(env.HEARTH_REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on("error", () => undefined);
  try {
    await withTimeout(redis.connect(), 5000, "Redis");
    await withTimeout(redis.ping(), 5000, "Redis");
    out.push({ level: "ok", part: "redis", message: "Redis answers PING" });
  } catch (err) {
    out.push({
      level: "fail",
      part: "redis",
      message: `Cannot reach Redis at HEARTH_REDIS_URL: ${errText(err)}`,
    });
  } finally {
    redis.disconnect();
  }
}

/** The PostgreSQL blob store (`HEARTH_BLOB_STORE=postgres`): its tables, and a chunk written and rolled back. */
async function checkPostgresBlobs(env: NodeJS.ProcessEnv, out: Finding[]) {
  const part = "blob store";
  if (!env.HEARTH_DATABASE_URL) {
    out.push({ level: "fail", part, message: "HEARTH_BLOB_STORE=postgres needs HEARTH_DATABASE_URL." });
    return;
  }
  try {
    const blobs = await openPostgresBlobStore({
      connectionString: env.HEARTH_DATABASE_URL,
      ...(env.HEARTH_DATABASE_SCHEMA ? { schema: env.HEARTH_DATABASE_SCHEMA } : {}),
      poolSize: 1,
    });
    try {
      await blobs.check();
    } finally {
      await blobs.close();
    }
    out.push({ level: "ok", part, message: "PostgreSQL accepts blob chunks (every node reads them)" });
  } catch (err) {
    out.push({ level: "fail", part, message: `Cannot store blobs in PostgreSQL: ${errText(err)}` });
  }
}

/** Encryption at rest: whether it is on, and whether its key (variable or key file) is usable. */
function checkAtRest(env: NodeJS.ProcessEnv, dataDir: string, out: Finding[]) {
  const part = "encryption at rest";
  try {
    const key = loadAtRestKey({ env, dataDir });
    if (!key) {
      out.push({
        level: env.HEARTH_AT_REST === "on" ? "ok" : "warn",
        part,
        message:
          env.HEARTH_AT_REST === "on"
            ? `on; the key file ${join(dataDir, AT_REST_KEY_FILE)} is made on first start (keep a copy elsewhere)`
            : "off: names, logins and emails are stored in the clear (HEARTH_AT_REST=on, docs/operations.md)",
      });
      return;
    }
    out.push({
      level: "ok",
      part,
      message: env.HEARTH_AT_REST_KEY
        ? "on, key from HEARTH_AT_REST_KEY"
        : `on, key file ${join(dataDir, AT_REST_KEY_FILE)} (keep a copy elsewhere: without it the data is lost)`,
    });
  } catch (err) {
    out.push({ level: "fail", part, message: errText(err) });
  }
}

/**
 * `hearth doctor`: configuration, TLS files, the data directory's permissions, the database, Redis
 * and the blob store, each checked for real (a query, a PING, a probe file), and said in words.
 */
export async function doctor(env: NodeJS.ProcessEnv, dataDirArg?: string): Promise<Finding[]> {
  const out: Finding[] = [];
  const dataDir = resolve(dataDirArg ?? env.HEARTH_DATA_DIR ?? "./data");
  checkConfig(env, out);
  const dirOk = checkDataDir(dataDir, out);
  checkAtRest(env, dataDir, out);
  await checkDatabase(env, dataDir, out);
  await checkRedis(env, out);
  if (env.HEARTH_BLOB_STORE === "postgres") {
    await checkPostgresBlobs(env, out);
  } else if (dirOk) {
    try {
      await new FsBlobStore({ dir: join(dataDir, "blobs") }).check();
      out.push({ level: "ok", part: "blob store", message: `${join(dataDir, "blobs")} accepts writes` });
    } catch (err) {
      out.push({
        level: "fail",
        part: "blob store",
        message: `Cannot write blobs under ${join(dataDir, "blobs")}: ${errText(err)}`,
      });
    }
  }
  return out;
}
