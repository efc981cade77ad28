import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadAtRestKey } from "../storage/at-rest/at-rest-key.ts";
import { backup } from "./backup-command.ts";
import type { BackupSecret } from "./backup-crypto.ts";
import { BackupError } from "./backup-error.ts";
import { doctor } from "./doctor-command.ts";
import { migrateStore } from "./migrate-store-command.ts";
import { Progress } from "./progress.ts";
import { restore, verifyBackup } from "./restore-command.ts";

const USAGE = `Usage: hearth <command> [options]

  backup --out FILE          Online backup of HEARTH_DATA_DIR (database snapshot, blobs, at-rest.key),
                             encrypted; with HEARTH_DATABASE_URL, of that PostgreSQL database (and schema)
  verify-backup FILE         Decrypts and checks every hash of a backup; writes nothing
  restore FILE --to DIR      Restores into a new or empty data directory (verified first); a
    [--to-database URL]      PostgreSQL backup's rows go into the empty database (and --schema) URL
  migrate-store --to URL     Copies the SQLite store into PostgreSQL (stop the server first), verified;
                             an encrypted-at-rest store needs its key (HEARTH_AT_REST_KEY or at-rest.key)
  doctor                     Checks configuration, permissions, TLS, database, Redis and blob store

Options:
  --data-dir DIR             The data directory (default HEARTH_DATA_DIR, else ./data)
  --passphrase-file FILE     Read the passphrase from FILE (first line); or set HEARTH_BACKUP_PASSPHRASE
  --key-file FILE            Use FILE's bytes (32 or more, e.g. head -c 32 /dev/urandom) as the key
  --schema NAME              migrate-store, restore: the PostgreSQL schema to fill; backup: the one to
                             read (default HEARTH_DATABASE_SCHEMA, else the search path)
  --blobs files|postgres     migrate-store: keep blobs in the folder (default) or copy them into PostgreSQL
  --quiet                    No progress display
`;

function secretFrom(values: { "passphrase-file"?: string; "key-file"?: string }): BackupSecret {
  if (values["key-file"] && values["passphrase-file"]) {
    throw new BackupError("usage", "Give either --key-file or --passphrase-file, not both.");
  }
  const read = (path: string) => {
    try {
      return readFileSync(path);
    } catch {
      throw new BackupError("usage", `Cannot read ${path}.`);
    }
  };
  if (values["key-file"]) return { keyFile: read(values["key-file"]) };
  if (values["passphrase-file"]) {
    return { passphrase: read(values["passphrase-file"]).toString("utf8").split(/\r?\n/)[0] ?? "" };
  }
  const env = process.env.HEARTH_BACKUP_PASSPHRASE;
  if (env) return { passphrase: env };
  throw new BackupError(
    "usage",
    "No secret given: use --passphrase-file FILE, --key-file FILE or HEARTH_BACKUP_PASSPHRASE.",
  );
}

/** The `hearth` command. Resolves with the exit code. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: "string" },
      to: { type: "string" },
      "to-database": { type: "string" },
      "data-dir": { type: "string" },
      "passphrase-file": { type: "string" },
      "key-file": { type: "string" },
      schema: { type: "string" },
      blobs: { type: "string" },
      quiet: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [command, file] = positionals;
  const progress = new Progress(process.stderr, values.quiet ?? false);
  const dataDir = resolve(values["data-dir"] ?? process.env.HEARTH_DATA_DIR ?? "./data");
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return command || values.help ? 0 : 2;
  }
  switch (command) {
    case "backup": {
      if (!values.out) throw new BackupError("usage", "backup needs --out FILE.");
      // With HEARTH_DATABASE_URL (a cluster's PostgreSQL), its rows from one consistent snapshot.
      const url = process.env.HEARTH_DATABASE_URL;
      const schema = values.schema ?? process.env.HEARTH_DATABASE_SCHEMA;
      await backup({
        dataDir,
        out: resolve(values.out),
        secret: secretFrom(values),
        progress,
        ...(url ? { postgres: { url, ...(schema ? { schema } : {}) } } : {}),
      });
      return 0;
    }
    case "verify-backup": {
      if (!file) throw new BackupError("usage", "verify-backup needs the backup file.");
      await verifyBackup(resolve(file), secretFrom(values), progress);
      return 0;
    }
    case "restore": {
      if (!file || !values.to) throw new BackupError("usage", "restore needs the backup file and --to DIR.");
      const url = values["to-database"];
      const pgTarget = url ? { url, ...(values.schema ? { schema: values.schema } : {}) } : undefined;
      await restore(resolve(file), secretFrom(values), values.to, progress, pgTarget);
      return 0;
    }
    case "migrate-store": {
      if (!values.to) throw new BackupError("usage", "migrate-store needs --to postgres://….");
      const atRestKey = loadAtRestKey({ env: process.env, dataDir });
      if (values.blobs !== undefined && values.blobs !== "files" && values.blobs !== "postgres") {
        throw new BackupError("usage", "--blobs is files (keep the folder) or postgres (copy them in).");
      }
      await migrateStore({
        dataDir,
        to: values.to,
        ...(atRestKey ? { atRestKey } : {}),
        ...(values.blobs ? { blobs: values.blobs } : {}),
        ...(values.schema ? { schema: values.schema } : {}),
        progress,
      });
      return 0;
    }
    case "doctor": {
      const findings = await doctor(process.env, values["data-dir"]);
      for (const f of findings) {
        process.stdout.write(
          `${f.level === "ok" ? "ok  " : f.level === "warn" ? "warn" : "FAIL"}  ${f.part}: ${f.message}\n`,
        );
      }
      const failed = findings.filter((f) => f.level === "fail").length;
      process.stdout.write(
        failed
          ? `\n${failed} problem(s) will keep Hearth from working.\n`
          : "\nNothing stops Hearth from working.\n",
      );
      return failed ? 1 : 0;
    }
    default:
      process.stderr.write(`Unknown command: ${command}\n\n${USAGE}`);
      return 2;
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof BackupError) {
      process.stderr.write(`\nhearth: ${err.message}\n`);
      process.exit(err.kind === "usage" ? 2 : 1);
    }
    const code = (err as { code?: string }).code;
    if (code?.startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`hearth: ${(err as Error).message}\n\n${USAGE}`);
      process.exit(2);
    }
    process.stderr.write(`\nhearth failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
