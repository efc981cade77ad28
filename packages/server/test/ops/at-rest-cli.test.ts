import { randomBytes } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { PracticeId, UserId } from "@hearth/protocol";
import {
  describeWithService,
  dropSchema,
  makeTempDir,
  POSTGRES_URL,
  postgresReachable,
  uniqueSchemaName,
} from "@hearth/server/testing";
import { describe, expect, it } from "vitest";
import { backup, blobFile } from "../../src/cli/backup-command.ts";
import { copyBlobsToPostgres } from "../../src/cli/migrate-blobs.ts";
import { migrateStore } from "../../src/cli/migrate-store-command.ts";
import { Progress } from "../../src/cli/progress.ts";
import { restore } from "../../src/cli/restore-command.ts";
import { newBlobId } from "../../src/modules/blobs/blob-service.ts";
import { openPostgresBlobStore } from "../../src/modules/blobs/postgres/postgres-blob-store.ts";
import { AT_REST_KEY_FILE, loadAtRestKey } from "../../src/storage/at-rest/at-rest-key.ts";
import { AtRestKeyError } from "../../src/storage/at-rest/seal-in-place.ts";
import { openPostgresStorage } from "../../src/storage/postgres/postgres-storage.ts";
import { openSqliteStorage } from "../../src/storage/sqlite/sqlite-storage.ts";

const quiet = new Progress(process.stderr, true);

/** A data directory holding an encrypted-at-rest SQLite store with one practice and one therapist. */
async function encryptedPractice(dataDir: string) {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const key = loadAtRestKey({ env: { HEARTH_AT_REST: "on" }, dataDir, create: true });
  const storage = await openSqliteStorage({ path: join(dataDir, "hearth.db"), atRestKey: key });
  const now = new Date().toISOString();
  await storage.auth.createPractice({ id: "prc_1" as PracticeId, name: "Harbour", createdAt: now });
  await storage.auth.createUser({
    id: "usr_1" as UserId,
    practiceId: "prc_1" as PracticeId,
    role: "therapist",
    login: "rowan",
    displayName: "Dr Rowan",
    email: "rowan@example.org",
    passwordHash: "x",
    showPresence: true,
    failedLogins: 0,
    lockedUntil: null,
    createdAt: now,
  });
  await storage.close();
  return key;
}

describe("hearth backup and restore with encryption at rest", () => {
  it("carries the key file along, so the restored directory opens and signs in as before", async () => {
    const work = await makeTempDir();
    try {
      const dataDir = join(work.path, "data");
      const key = await encryptedPractice(dataDir);
      expect(key).toBeDefined();

      const out = join(work.path, "b.hearth-backup");
      const secret = { keyFile: new Uint8Array(randomBytes(32)) };
      const manifest = await backup({ dataDir, out, secret, progress: quiet });
      expect(manifest.atRestKey?.path).toBe(AT_REST_KEY_FILE);

      const target = join(work.path, "restored");
      await restore(out, secret, target, quiet);
      expect(statSync(join(target, AT_REST_KEY_FILE)).mode & 0o777).toBe(0o600);
      const restoredKey = loadAtRestKey({ env: {}, dataDir: target });
      expect(restoredKey).toEqual(key);
      const restored = await openSqliteStorage({ path: join(target, "hearth.db"), atRestKey: restoredKey });
      try {
        const u = await restored.auth.getUserByLogin("rowan");
        expect(u).toMatchObject({ displayName: "Dr Rowan", email: "rowan@example.org" });
        expect((await restored.auth.getPractice("prc_1" as PracticeId))?.name).toBe("Harbour");
      } finally {
        await restored.close();
      }
      // Without the key file the restored database does not open.
      const bare = join(work.path, "bare.db");
      await copyFile(join(target, "hearth.db"), bare);
      expect(existsSync(bare)).toBe(true);
      await expect(openSqliteStorage({ path: bare })).rejects.toBeInstanceOf(AtRestKeyError);
    } finally {
      await work.remove();
    }
  });
});

describeWithService(
  "hearth migrate-store with encryption at rest and the PostgreSQL blob store",
  await postgresReachable(),
  `PostgreSQL at ${POSTGRES_URL}`,
  () => {
    it("copies sealed rows as they are; the target opens with the same key, and not without it", async () => {
      const work = await makeTempDir();
      const schema = uniqueSchemaName("hearth_migrate");
      try {
        const dataDir = join(work.path, "data");
        const key = await encryptedPractice(dataDir);
        await expect(migrateStore({ dataDir, to: POSTGRES_URL, schema, progress: quiet })).rejects.toThrow(
          /encrypted at rest and no at-rest key/,
        );
        // Twice: the second run finds every table complete and the copied check value (resumable).
        for (let run = 0; run < 2; run++) {
          await migrateStore({
            dataDir,
            to: POSTGRES_URL,
            schema,
            progress: quiet,
            ...(key ? { atRestKey: key } : {}),
          });
        }
        const target = await openPostgresStorage({ connectionString: POSTGRES_URL, schema, atRestKey: key });
        try {
          expect((await target.auth.getUserByLogin("rowan"))?.displayName).toBe("Dr Rowan");
        } finally {
          await target.close();
        }
        await expect(openPostgresStorage({ connectionString: POSTGRES_URL, schema })).rejects.toBeInstanceOf(
          AtRestKeyError,
        );
      } finally {
        await dropSchema(schema);
        await work.remove();
      }
    });

    it("--blobs postgres copies the blob files in, verified; a rerun resumes", async () => {
      const work = await makeTempDir();
      const schema = uniqueSchemaName("hearth_blobs");
      try {
        const dataDir = work.path;
        const [kept, gone] = [newBlobId(), newBlobId()];
        const data = randomBytes(300_000);
        await mkdir(join(dataDir, "blobs", kept.slice(4, 6)), { recursive: true });
        await writeFile(blobFile(dataDir, kept), data);
        const o = { dataDir, ids: [kept, gone], to: POSTGRES_URL, schema, progress: quiet };
        expect(await copyBlobsToPostgres(o)).toEqual({ copied: 1, bytes: 300_000, gone: 1 });
        expect(await copyBlobsToPostgres(o)).toEqual({ copied: 1, bytes: 300_000, gone: 1 });
        const store = await openPostgresBlobStore({ connectionString: POSTGRES_URL, schema });
        try {
          const got = await store.get(kept);
          const parts: Uint8Array[] = [];
          for await (const p of got!.stream) parts.push(p);
          expect(Buffer.concat(parts).equals(data)).toBe(true);
        } finally {
          await store.close();
        }
      } finally {
        await dropSchema(schema);
        await work.remove();
      }
    });
  },
);
