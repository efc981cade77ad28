import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { HearthApi, type SentAck } from "@hearth/client";
import type { ConversationId } from "@hearth/protocol";
import {
  describeWithService,
  dropSchema,
  POSTGRES_URL,
  postgresReachable,
  uniqueSchemaName,
} from "@hearth/server/testing";
import { afterAll, expect, it } from "vitest";
import { burst, signUpPractice } from "../support/burst.ts";
import { ChildServer } from "../support/child-server.ts";
import { TestClient } from "../support/sdk.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const HEARTH = join(ROOT, "packages/server/bin/hearth.mjs");
const PATIENTS = 2;
const PER_CLIENT = 150;

/** Runs the real `hearth` command as its own process. */
function hearth(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; out: string }>((res, rej) => {
    const {
      HEARTH_DATABASE_URL: _,
      HEARTH_DATABASE_SCHEMA: __,
      HEARTH_BACKUP_PASSPHRASE: ___,
      ...base
    } = process.env;
    const p = spawn(process.execPath, [HEARTH, ...args], { cwd: ROOT, env: { ...base, ...env } });
    let out = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
    p.stderr.on("data", (d: Buffer) => (out += d.toString("utf8")));
    p.once("error", rej);
    p.once("exit", (code) => res({ code: code ?? -1, out }));
  });
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describeWithService(
  "hearth backup and restore of a PostgreSQL store",
  await postgresReachable(),
  "PostgreSQL",
  () => {
    const schemas: string[] = [];
    const work = mkdtempSync(join(tmpdir(), "hearth-pg-backup-"));
    const passFile = join(work, "passphrase");
    writeFileSync(passFile, "a long backup passphrase for the test\n", { mode: 0o600 });
    const servers: ChildServer[] = [];
    const clients: TestClient[] = [];
    afterAll(async () => {
      for (const c of clients) c.close();
      for (const s of servers) await s.destroy();
      for (const schema of schemas) await dropSchema(schema);
      rmSync(work, { recursive: true, force: true });
    });

    // Blobs as files in the (shared) data directory, or as chunks in PostgreSQL (HEARTH_BLOB_STORE).
    it.each(["files", "postgres"] as const)(
      "blobs in %s: a backup taken during a burst restores into an empty schema: acked messages once, blobs, old sessions",
      async (blobStore) => {
        const source = uniqueSchemaName("hearth_bk_src");
        const target = uniqueSchemaName("hearth_bk_dst");
        schemas.push(source, target);
        const backupFile = join(work, `${blobStore}.hearth-backup`);
        const blobEnv = { HEARTH_BLOB_STORE: blobStore };
        const mine: TestClient[] = [];
        const server = await ChildServer.create({
          HEARTH_DATABASE_URL: POSTGRES_URL,
          HEARTH_DATABASE_SCHEMA: source,
          ...blobEnv,
        });
        servers.push(server);
        await server.start();
        const { therapist, patients } = await signUpPractice(
          server.url,
          await server.waitForSetupToken(),
          PATIENTS,
        );
        const blobs = new Map<string, string>();
        const api = new HearthApi({ baseUrl: server.url, token: patients[0]!.token });
        for (const size of [10, 300_000]) {
          const bytes = new Uint8Array(randomBytes(size));
          const { blobId } = await api.uploadBlob(patients[0]!.conversationId!, bytes);
          blobs.set(blobId, sha256(bytes));
        }
        for (const p of patients) {
          const c = new TestClient(server.url, p);
          clients.push(c);
          mine.push(c);
          await c.connect();
        }
        const { acked, all, sendRange } = burst(mine, patients);
        await sendRange(0, 75);
        await mine[0]!.waitFor(() => acked.size >= 80, "the first acks");
        const ackedBefore = new Map<string, SentAck>(acked);
        const running = hearth(
          ["backup", "--data-dir", server.dataDir, "--out", backupFile, "--passphrase-file", passFile],
          { HEARTH_DATABASE_URL: POSTGRES_URL, HEARTH_DATABASE_SCHEMA: source },
        );
        await sendRange(75, PER_CLIENT);
        const made = await running;
        expect(made, made.out).toMatchObject({ code: 0 });
        await Promise.all(all);

        const verified = await hearth(["verify-backup", backupFile, "--passphrase-file", passFile]);
        expect(verified, verified.out).toMatchObject({ code: 0 });
        const raw = readFileSync(backupFile);
        for (const needle of ["p0-1", "patient0", "Burst practice", "therapist"]) {
          expect(raw.includes(Buffer.from(needle)), needle).toBe(false);
        }

        // Restore: the rows into a new schema, the blobs into a new data directory; a node starts on both.
        const dataDir = join(work, `restored-${blobStore}`);
        const r = await hearth([
          "restore",
          backupFile,
          "--to",
          dataDir,
          "--to-database",
          POSTGRES_URL,
          "--schema",
          target,
          "--passphrase-file",
          passFile,
        ]);
        expect(r, r.out).toMatchObject({ code: 0 });
        const restored = await ChildServer.create({
          HEARTH_DATABASE_URL: POSTGRES_URL,
          HEARTH_DATABASE_SCHEMA: target,
          HEARTH_DATA_DIR: dataDir,
          ...blobEnv,
        });
        servers.push(restored);
        await restored.start();
        expect(restored.setupToken).toBeUndefined();
        for (const c of mine) c.close();

        const old = new HearthApi({ baseUrl: restored.url, token: therapist.token });
        for (const p of patients) {
          const cid = p.conversationId as ConversationId;
          const { entries } = await old.history(cid, 0, 500);
          const seen = new Map<string, number>();
          for (const e of entries) seen.set(e.messageId, (seen.get(e.messageId) ?? 0) + 1);
          expect([...seen.values()].every((n) => n === 1)).toBe(true);
          for (const [id, a] of ackedBefore) {
            if (a.conversationId !== cid) continue;
            expect(seen.get(id), id).toBe(1);
            expect(entries.find((e) => e.messageId === id)?.seq).toBe(a.seq);
          }
        }
        for (const [blobId, hash] of blobs) {
          const bytes = await new HearthApi({
            baseUrl: restored.url,
            token: patients[0]!.token,
          }).downloadBlob(blobId);
          expect(bytes && sha256(bytes), blobId).toBe(hash);
        }
        // New messages get the next seq after the restored ones (sequences moved past the loaded ids).
        const again = new TestClient(restored.url, patients[1]!);
        clients.push(again);
        await again.connect();
        const cid1 = patients[1]!.conversationId!;
        const { entries: before } = await old.history(cid1 as ConversationId, 0, 500);
        const { sent } = await again.client.send(cid1, { text: "after restore" });
        expect((await sent).seq).toBe(before.length + 1);

        // Restoring again into the now-populated schema is refused and changes nothing.
        const twice = await hearth([
          "restore",
          backupFile,
          "--to",
          join(work, `second-${blobStore}`),
          "--to-database",
          POSTGRES_URL,
          "--schema",
          target,
          "--passphrase-file",
          passFile,
        ]);
        expect(twice.code, twice.out).toBe(1);
        expect(twice.out).toContain("is not empty");
        const { entries: after } = await old.history(cid1 as ConversationId, 0, 500);
        expect(after).toHaveLength(before.length + 1);
      },
      300_000,
    );
  },
);
