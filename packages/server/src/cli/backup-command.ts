import { createReadStream, existsSync } from "node:fs";
import { mkdtemp, open, rename, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import SQLite from "better-sqlite3";
import { AT_REST_KEY_FILE } from "../storage/at-rest/at-rest-key.ts";
import { ArchiveWriter, type BackupManifest } from "./backup-archive.ts";
import { type BackupSecret, checkSecret, EncryptedWriter } from "./backup-crypto.ts";
import { BackupError } from "./backup-error.ts";
import { dumpPostgres, type PostgresTarget } from "./postgres-snapshot.ts";
import type { Progress } from "./progress.ts";

/** What `hearth backup` needs: the data directory, where to write, the secret and a progress display. */
export interface BackupOptions {
  dataDir: string;
  out: string;
  secret: BackupSecret;
  progress: Progress;
  /** Back up this PostgreSQL database (HEARTH_DATABASE_URL) instead of the SQLite file. */
  postgres?: PostgresTarget;
}

/** The PostgreSQL dump's name inside a backup. */
export const POSTGRES_DUMP = "database.jsonl";

/**
 * A consistent copy of the live SQLite database at `to`, through SQLite's backup API, checked with
 * quick_check; resolves with its rows per table and the blobs it names.
 */
async function sqliteSnapshot(dbPath: string, to: string, progress: Progress) {
  const live = new SQLite(dbPath, { readonly: true, fileMustExist: true });
  try {
    await live.backup(to, {
      progress: ({ totalPages, remainingPages }) => {
        progress.update("database", totalPages - remainingPages, totalPages, "pages");
        // After a first step, the rest in one: a step holds the read lock, so no concurrent write
        // restarts the copy, and the snapshot is the database as of that step.
        return totalPages;
      },
    });
  } finally {
    live.close();
  }
  const snap = new SQLite(to, { readonly: true });
  try {
    const check = snap.pragma("quick_check", { simple: true });
    if (check !== "ok")
      throw new BackupError("failed", `The database snapshot failed SQLite's quick_check: ${check}`);
    const rows = tableRows(snap);
    const blobIds = (snap.prepare("select id from blobs order by id").all() as { id: string }[]).map(
      (r) => r.id,
    );
    return { rows, blobIds };
  } finally {
    snap.close();
  }
}

/** Rows per table of a SQLite database (every table but SQLite's own). */
export function tableRows(db: SQLite.Database): Record<string, number> {
  const tables = db
    .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")
    .all() as { name: string }[];
  const rows: Record<string, number> = {};
  for (const { name } of tables) {
    rows[name] = (
      db.prepare(`select count(*) as n from "${name.replaceAll('"', '""')}"`).get() as { n: number }
    ).n;
  }
  return rows;
}

/** A blob's file under the data directory (the filesystem blob store's layout). */
export const blobFile = (dataDir: string, id: string) => join(dataDir, "blobs", id.slice(4, 6), id);

/**
 * `hearth backup`, online: a consistent snapshot of the SQLite database through SQLite's backup API
 * (the server keeps serving; the snapshot is one point in time, the end of the copy), then the blob
 * files the snapshot names, into one encrypted file with a manifest of rows, sizes and SHA-256 hashes.
 * The output is written under a temporary name and renamed into place when complete.
 */
export async function backup(o: BackupOptions): Promise<BackupManifest> {
  checkSecret(o.secret);
  const dbPath = join(o.dataDir, "hearth.db");
  if (!o.postgres && !existsSync(dbPath)) {
    throw new BackupError("usage", `No SQLite database at ${dbPath} (is HEARTH_DATA_DIR right?).`);
  }
  if (existsSync(o.out)) throw new BackupError("refused", `${o.out} exists already; choose a new file name.`);
  // The plain snapshot lives only for the length of the backup, in a private temporary folder.
  const work = await mkdtemp(join(tmpdir(), "hearth-backup-"));
  const partial = join(dirname(o.out), `.${Date.now()}.hearth-backup.partial`);
  try {
    const snapshot = join(work, o.postgres ? POSTGRES_DUMP : "hearth.db");
    let database: BackupManifest["database"];
    let blobIds: string[];
    if (o.postgres) {
      const snap = await dumpPostgres(o.postgres, snapshot, o.progress);
      const { rows, digests, migrations } = snap;
      database = { kind: "postgres", file: POSTGRES_DUMP, bytes: 0, sha256: "", rows, digests, migrations };
      // With the PostgreSQL blob store the blobs are rows of the dump already.
      blobIds = snap.blobsInDatabase ? [] : snap.blobIds;
    } else {
      const snap = await sqliteSnapshot(dbPath, snapshot, o.progress);
      database = { kind: "sqlite", file: "hearth.db", bytes: 0, sha256: "", rows: snap.rows };
      blobIds = snap.blobIds;
    }
    const file = await open(partial, "wx", 0o600);
    const manifest: BackupManifest = {
      format: 1,
      createdAt: new Date().toISOString(),
      database,
      blobs: { count: 0, bytes: 0, files: [] },
      blobsGoneDuringBackup: 0,
    };
    try {
      const archive = new ArchiveWriter(await EncryptedWriter.create(file, o.secret));
      const dbBytes = (await stat(snapshot)).size;
      let dbDone = 0;
      manifest.database.bytes = dbBytes;
      manifest.database.sha256 = await archive.entry(
        database.file,
        dbBytes,
        createReadStream(snapshot),
        (n) => {
          dbDone += n;
          o.progress.update("database", dbDone, dbBytes, "bytes");
        },
      );
      const keyFile = join(o.dataDir, AT_REST_KEY_FILE);
      if (existsSync(keyFile)) {
        // Under the backup's own encryption, like the database it opens.
        const bytes = (await stat(keyFile)).size;
        const sha256 = await archive.entry(AT_REST_KEY_FILE, bytes, createReadStream(keyFile));
        manifest.atRestKey = { path: AT_REST_KEY_FILE, bytes, sha256 };
      }
      for (const [i, id] of blobIds.entries()) {
        const path = blobFile(o.dataDir, id);
        const size = await stat(path).then(
          (s) => s.size,
          () => undefined,
        );
        if (size === undefined) {
          // Deleted for everyone after the snapshot: its row is in the snapshot, its bytes are gone.
          manifest.blobsGoneDuringBackup += 1;
          continue;
        }
        const name = `blobs/${id.slice(4, 6)}/${id}`;
        const sha256 = await archive.entry(name, size, createReadStream(path));
        manifest.blobs.files.push({ path: name, bytes: size, sha256 });
        manifest.blobs.count += 1;
        manifest.blobs.bytes += size;
        o.progress.update("blobs", i + 1, blobIds.length, "files");
      }
      await archive.finish(manifest);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(partial, o.out);
    o.progress.done(
      `Backup written to ${o.out}: ${Object.values(database.rows).reduce((a, b) => a + b, 0)} rows, ${manifest.blobs.count} blobs (${manifest.blobs.bytes} bytes).`,
    );
    return manifest;
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
