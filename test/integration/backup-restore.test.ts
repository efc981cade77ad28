import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { HearthApi, type SentAck } from "@hearth/client";
import type { ConversationId } from "@hearth/protocol";
import { afterAll, describe, expect, it } from "vitest";
import { burst, signUpPractice } from "../support/burst.ts";
import { ChildServer } from "../support/child-server.ts";
import { TestClient } from "../support/sdk.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const HEARTH = join(ROOT, "packages/server/bin/hearth.mjs");
const PATIENTS = 2;
const PER_CLIENT = 200;

/** Runs the real `hearth` command as its own process; resolves with its exit code and output. */
function hearth(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; out: string }>((res, rej) => {
    const { HEARTH_DATABASE_URL: _, HEARTH_BACKUP_PASSPHRASE: __, ...base } = process.env;
    const p = spawn(process.execPath, [HEARTH, ...args], { cwd: ROOT, env: { ...base, ...env } });
    let out = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
    p.stderr.on("data", (d: Buffer) => (out += d.toString("utf8")));
    p.once("error", rej);
    p.once("exit", (code) => res({ code: code ?? -1, out }));
  });
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("hearth backup, verify-backup and restore", () => {
  const work = mkdtempSync(join(tmpdir(), "hearth-backup-test-"));
  const passFile = join(work, "passphrase");
  writeFileSync(passFile, "a long backup passphrase for the test\n", { mode: 0o600 });
  const wrongPassFile = join(work, "wrong");
  writeFileSync(wrongPassFile, "not the passphrase of this backup\n", { mode: 0o600 });
  const backupFile = join(work, "practice.hearth-backup");
  const servers: ChildServer[] = [];
  const clients: TestClient[] = [];
  afterAll(async () => {
    for (const c of clients) c.close();
    for (const s of servers) await s.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  it("a backup taken during a burst restores every message acknowledged before it began, once, and the blobs; old clients are served", async () => {
    const server = await ChildServer.create();
    servers.push(server);
    await server.start();
    const { therapist, patients } = await signUpPractice(
      server.url,
      await server.waitForSetupToken(),
      PATIENTS,
    );
    // Attachments: one spans several of the backup's 1 MiB records.
    const blobs = new Map<string, string>();
    const api = new HearthApi({ baseUrl: server.url, token: patients[0]!.token });
    for (const size of [10, 70_000, 1_500_000]) {
      const bytes = new Uint8Array(randomBytes(size));
      const { blobId } = await api.uploadBlob(patients[0]!.conversationId!, bytes);
      blobs.set(blobId, sha256(bytes));
    }
    for (const p of patients) {
      const c = new TestClient(server.url, p);
      clients.push(c);
      await c.connect();
    }
    const { acked, all, sendRange } = burst(clients, patients);
    await sendRange(0, 100);
    await clients[0]!.waitFor(() => acked.size >= 120, "the first acks");
    // The backup begins now; the burst goes on while it runs.
    const ackedBefore = new Map<string, SentAck>(acked);
    const running = hearth([
      "backup",
      "--data-dir",
      server.dataDir,
      "--out",
      backupFile,
      "--passphrase-file",
      passFile,
    ]);
    await sendRange(100, PER_CLIENT);
    const made = await running;
    expect(made, made.out).toMatchObject({ code: 0 });
    expect(made.out).toMatch(/database \d+%/);
    expect(ackedBefore.size).toBeLessThan(PATIENTS * PER_CLIENT);
    await Promise.all(all);

    const verified = await hearth(["verify-backup", backupFile, "--passphrase-file", passFile]);
    expect(verified, verified.out).toMatchObject({ code: 0 });
    expect(verified.out).toContain("is intact");
    // The backup holds no plaintext of what it protects (the burst's texts, names, logins).
    const raw = readFileSync(backupFile);
    for (const needle of ["p0-1", "patient0", "Burst practice", "SQLite format"]) {
      expect(raw.includes(Buffer.from(needle)), needle).toBe(false);
    }

    // Restore into a fresh, empty data directory, and run a real server on it.
    const restored = await ChildServer.create();
    servers.push(restored);
    const r = await hearth(["restore", backupFile, "--to", restored.dataDir, "--passphrase-file", passFile]);
    expect(r, r.out).toMatchObject({ code: 0 });
    await restored.start();
    for (const c of clients) c.close();

    // The old sessions still sign in: the therapist's device reads every conversation.
    const old = new HearthApi({ baseUrl: restored.url, token: therapist.token });
    for (const p of patients) {
      const cid = p.conversationId as ConversationId;
      const entries = [];
      for (let after = 0; ; ) {
        const page = await old.history(cid, after, 500);
        entries.push(...page.entries);
        if (page.entries.length === 0) break;
        after = page.entries.at(-1)!.seq;
      }
      const seen = new Map<string, number>();
      for (const e of entries) seen.set(e.messageId, (seen.get(e.messageId) ?? 0) + 1);
      for (const [id, a] of ackedBefore) {
        if (a.conversationId !== cid) continue;
        expect(seen.get(id), id).toBe(1);
        expect(entries.find((e) => e.messageId === id)?.seq).toBe(a.seq);
      }
    }
    for (const [blobId, hash] of blobs) {
      const bytes = await new HearthApi({ baseUrl: restored.url, token: patients[0]!.token }).downloadBlob(
        blobId,
      );
      expect(bytes && sha256(bytes), blobId).toBe(hash);
    }
    // A device connects over a real WebSocket to the restored server and syncs.
    const again = new TestClient(restored.url, patients[1]!);
    clients.push(again);
    await again.connect();
    const cid1 = patients[1]!.conversationId!;
    const before1 = [...ackedBefore.values()].filter((a) => a.conversationId === cid1).length;
    await again.waitFor(() => again.texts(cid1).length >= before1, "the restored history over the socket");
  }, 300_000);

  it("refuses to restore over a data directory that is not empty", async () => {
    const target = mkdtempSync(join(work, "busy-"));
    writeFileSync(join(target, "hearth.db"), "someone's data");
    const r = await hearth(["restore", backupFile, "--to", target, "--passphrase-file", passFile]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("is not empty");
    expect(readFileSync(join(target, "hearth.db"), "utf8")).toBe("someone's data");
  });

  it("a wrong passphrase fails verify and restore and writes nothing", async () => {
    const target = join(work, "wrong-pass-target");
    for (const args of [
      ["verify-backup", backupFile, "--passphrase-file", wrongPassFile],
      ["restore", backupFile, "--to", target, "--passphrase-file", wrongPassFile],
    ]) {
      const r = await hearth(args);
      expect(r.code, r.out).toBe(1);
      expect(r.out).toContain("does not open this backup");
    }
    expect(readdirSync(dirname(target)).filter((n) => n.startsWith("wrong-pass-target"))).toEqual([]);
  }, 120_000);

  it("a tampered or truncated backup fails verify and restore with a clear message, and writes nothing", async () => {
    const good = readFileSync(backupFile);
    const flipped = Buffer.from(good);
    const at = Math.floor(good.byteLength / 2);
    flipped[at] = flipped[at]! ^ 0x01;
    const cases = [
      { name: "tampered", bytes: flipped, says: "altered or damaged" },
      { name: "truncated", bytes: good.subarray(0, good.byteLength - 1000), says: "truncated" },
      { name: "cut-at-a-record", bytes: good.subarray(0, 200_000), says: "truncated" },
    ];
    for (const c of cases) {
      const file = join(work, `${c.name}.hearth-backup`);
      writeFileSync(file, c.bytes);
      const verify = await hearth(["verify-backup", file, "--passphrase-file", passFile]);
      expect(verify.code, `${c.name}: ${verify.out}`).toBe(1);
      expect(verify.out, c.name).toContain(c.says);
      const target = join(work, `restore-${c.name}`);
      const restore = await hearth(["restore", file, "--to", target, "--passphrase-file", passFile]);
      expect(restore.code, `${c.name}: ${restore.out}`).toBe(1);
      expect(restore.out, c.name).toContain(c.says);
      expect(readdirSync(work).filter((n) => n.startsWith(`restore-${c.name}`))).toEqual([]);
    }
  }, 300_000);
});
