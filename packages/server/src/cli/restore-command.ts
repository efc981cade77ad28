import { createHash, randomBytes } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { mkdir, open, rename, rm, rmdir } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import SQLite from "better-sqlite3";
import { type BackupManifest, MANIFEST, readEntries, safeArchivePath } from "./backup-archive.ts";
import { tableRows } from "./backup-command.ts";
import { type BackupSecret, openEncrypted } from "./backup-crypto.ts";
import { BackupError } from "./backup-error.ts";
import { loadPostgres, type PostgresTarget } from "./postgres-snapshot.ts";
import type { Progress } from "./progress.ts";

/**
 * Reads a whole backup: every record authenticated, every entry hashed and compared with the
 * manifest, nothing missing and nothing extra. With `writeTo`, each entry is also written below that
 * folder (only after the pass that checks everything — see {@link restore}).
 */
async function readBackup(
  path: string,
  secret: BackupSecret,
  progress: Progress,
  writeTo?: string,
): Promise<BackupManifest> {
  const file = await open(path, "r").catch(() => {
    throw new BackupError("usage", `Cannot open ${path}.`);
  });
  try {
    const { chunks, size } = await openEncrypted(file, secret);
    const hashes = new Map<string, { bytes: number; sha256: string }>();
    let manifest: BackupManifest | undefined;
    let read = 0;
    for await (const entry of readEntries(chunks())) {
      if (manifest) throw new BackupError("damaged", "The backup has entries after its manifest.");
      if (!safeArchivePath(entry.name) || hashes.has(entry.name)) {
        throw new BackupError(
          "damaged",
          `The backup holds an unexpected entry: ${JSON.stringify(entry.name)}.`,
        );
      }
      const hash = createHash("sha256");
      const parts: Buffer[] = [];
      const out = writeTo && entry.name !== MANIFEST ? join(writeTo, entry.name) : undefined;
      if (out) await mkdir(dirname(out), { recursive: true, mode: 0o700 });
      const fh = out ? await open(out, "wx", 0o600) : undefined;
      try {
        for await (const b of entry.body) {
          hash.update(b);
          if (entry.name === MANIFEST) parts.push(b);
          if (fh) await fh.write(b);
          read += b.byteLength;
          progress.update(writeTo ? "restore" : "verify", Math.min(read, size), size, "bytes");
        }
        if (fh) await fh.sync();
      } finally {
        await fh?.close();
      }
      if (entry.name === MANIFEST) {
        try {
          manifest = JSON.parse(Buffer.concat(parts).toString("utf8")) as BackupManifest;
        } catch {
          throw new BackupError("damaged", "The backup's manifest is not valid JSON.");
        }
      } else {
        hashes.set(entry.name, { bytes: entry.size, sha256: hash.digest("hex") });
      }
    }
    if (!manifest) throw new BackupError("damaged", "The backup has no manifest.");
    const expected = [
      { path: manifest.database.file, bytes: manifest.database.bytes, sha256: manifest.database.sha256 },
      ...manifest.blobs.files,
      ...(manifest.atRestKey ? [manifest.atRestKey] : []),
    ];
    for (const f of expected) {
      const got = hashes.get(f.path);
      if (!got) throw new BackupError("damaged", `The backup lacks ${f.path}, which its manifest lists.`);
      if (got.sha256 !== f.sha256 || got.bytes !== f.bytes) {
        throw new BackupError("damaged", `${f.path} does not match the SHA-256 its manifest records.`);
      }
    }
    if (hashes.size !== expected.length)
      throw new BackupError("damaged", "The backup holds files its manifest does not list.");
    return manifest;
  } finally {
    await file.close();
  }
}

/** `hearth verify-backup`: the whole file decrypted and checked against its manifest; writes nothing. */
export async function verifyBackup(path: string, secret: BackupSecret, progress: Progress) {
  const manifest = await readBackup(path, secret, progress);
  progress.done(
    `Backup ${basename(path)} is intact: taken ${manifest.createdAt}, database ${manifest.database.bytes} bytes (${manifest.database.rows.entries ?? 0} log entries), ${manifest.blobs.count} blobs, every hash matches.`,
  );
  return manifest;
}

/**
 * `hearth restore`: into a data directory that does not exist or is empty (anything else is refused).
 * First the whole backup is verified without writing; then it is written to a sibling folder, its
 * database's rows are counted against the manifest, and only then is the folder renamed into place.
 */
export async function restore(
  path: string,
  secret: BackupSecret,
  target: string,
  progress: Progress,
  postgres?: PostgresTarget,
) {
  const dir = resolve(target);
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new BackupError("refused", `${dir} is not empty; restore only into a new or empty data directory.`);
  }
  await readBackup(path, secret, progress);
  const staging = `${dir}.restoring-${randomBytes(4).toString("hex")}`;
  await mkdir(staging, { recursive: false, mode: 0o700 });
  try {
    const manifest = await readBackup(path, secret, progress, staging);
    if (manifest.database.kind === "postgres") {
      if (!postgres) {
        throw new BackupError(
          "usage",
          "This is a backup of a PostgreSQL store: give --to-database postgres://… (and --schema).",
        );
      }
      // Blobs go into the data directory; the rows into the database, verified before they commit.
      const dump = join(staging, manifest.database.file);
      await loadPostgres(postgres, dump, manifest.database, progress);
      await rm(dump);
      if (existsSync(dir)) await rmdir(dir);
      await rename(staging, dir);
      progress.done(
        `Restored into PostgreSQL: ${manifest.database.rows.entries ?? 0} log entries, every table's rows and hash match; ${manifest.blobs.count} blobs into ${dir}. Start the nodes with HEARTH_DATABASE_URL on it and HEARTH_DATA_DIR=${dir}.`,
      );
      return manifest;
    }
    if (postgres)
      throw new BackupError(
        "usage",
        "This is a backup of an embedded SQLite store: restore it with --to DIR only.",
      );
    const db = new SQLite(join(staging, "hearth.db"), { readonly: true });
    try {
      const rows = tableRows(db);
      for (const [table, n] of Object.entries(manifest.database.rows)) {
        if (rows[table] !== n) {
          throw new BackupError(
            "damaged",
            `The restored table ${table} has ${rows[table]} rows, the manifest ${n}.`,
          );
        }
      }
    } finally {
      db.close();
    }
    if (existsSync(dir)) await rmdir(dir);
    await rename(staging, dir);
    progress.done(
      `Restored into ${dir}: ${manifest.database.rows.entries ?? 0} log entries, ${manifest.blobs.count} blobs, every hash and row count matches. Start the server with HEARTH_DATA_DIR=${dir}.`,
    );
    return manifest;
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}
