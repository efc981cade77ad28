import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { cpSync } from "node:fs";
import { join, resolve } from "node:path";
import { HearthApi } from "@hearth/client";
import type { ConversationId } from "@hearth/protocol";
import {
  describeWithService,
  dropSchema,
  POSTGRES_URL,
  postgresReachable,
  uniqueSchemaName,
} from "@hearth/server/testing";
import pg from "pg";
import { afterAll, expect, it } from "vitest";
import { burst, burstTexts, signUpPractice } from "../support/burst.ts";
import { ChildServer } from "../support/child-server.ts";
import { TestClient } from "../support/sdk.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const PATIENTS = 4;
const PER_CLIENT = 500;

function hearth(args: string[]) {
  return new Promise<{ code: number; out: string }>((res, rej) => {
    const { HEARTH_DATABASE_URL: _, ...env } = process.env;
    const p = spawn(process.execPath, [join(ROOT, "packages/server/bin/hearth.mjs"), ...args], {
      cwd: ROOT,
      env,
    });
    let out = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
    p.stderr.on("data", (d: Buffer) => (out += d.toString("utf8")));
    p.once("error", rej);
    p.once("exit", (code) => res({ code: code ?? -1, out }));
  });
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describeWithService(
  "hearth migrate-store",
  await postgresReachable(),
  `PostgreSQL at ${POSTGRES_URL}`,
  () => {
    const schema = uniqueSchemaName("hearth_migrate");
    const servers: ChildServer[] = [];
    const clients: TestClient[] = [];
    afterAll(async () => {
      for (const c of clients) c.close();
      for (const s of servers) await s.destroy();
      await dropSchema(schema);
    });

    it("copies a populated SQLite practice into PostgreSQL, verified, resumable, and clients carry on there", async () => {
      const sqlite = await ChildServer.create();
      servers.push(sqlite);
      await sqlite.start();
      const { admin, therapist, patients } = await signUpPractice(
        sqlite.url,
        await sqlite.waitForSetupToken(),
        PATIENTS,
      );
      const blobs = new Map<string, string>();
      const api = new HearthApi({ baseUrl: sqlite.url, token: patients[0]!.token });
      for (const size of [100, 300_000]) {
        const bytes = new Uint8Array(randomBytes(size));
        blobs.set((await api.uploadBlob(patients[0]!.conversationId!, bytes)).blobId, sha256(bytes));
      }
      for (const p of patients) {
        const c = new TestClient(sqlite.url, p);
        clients.push(c);
        await c.connect();
      }
      const { all, sendRange } = burst(clients, patients);
      await sendRange(0, PER_CLIENT);
      expect(await Promise.all(all)).toHaveLength(PATIENTS * PER_CLIENT);
      for (const c of clients) c.close();
      await sqlite.stop();

      const to = ["migrate-store", "--data-dir", sqlite.dataDir, "--to", POSTGRES_URL, "--schema", schema];
      const first = await hearth(to);
      expect(first, first.out).toMatchObject({ code: 0 });
      expect(first.out).toMatch(
        /every row count and hash matches, and the audit chain \(\d+ entries\) verifies/,
      );

      // An interrupted run left a table half copied: the next run finishes it and verifies again.
      const db = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` });
      await db.connect();
      try {
        await db.query("delete from audit where seq > (select max(seq) / 2 from audit)");
        const again = await hearth(to);
        expect(again, again.out).toMatchObject({ code: 0 });
        expect(again.out).toContain("every row count and hash matches");
        const chain = (out: string) => /audit chain \((\d+) entries\)/.exec(out)?.[1];
        expect(chain(again.out)).toBe(chain(first.out));
        const n = (await db.query("select count(*)::int as n from entries")).rows[0].n as number;
        expect(n).toBeGreaterThanOrEqual(PATIENTS * PER_CLIENT);
      } finally {
        await db.end();
      }

      // A node on PostgreSQL with the same blob folder serves the same people.
      const node = await ChildServer.create({
        HEARTH_DATABASE_URL: POSTGRES_URL,
        HEARTH_DATABASE_SCHEMA: schema,
      });
      servers.push(node);
      cpSync(join(sqlite.dataDir, "blobs"), join(node.dataDir, "blobs"), { recursive: true });
      await node.start();
      const old = new HearthApi({ baseUrl: node.url, token: therapist.token });
      for (const p of patients) {
        const { entries } = await old.history(p.conversationId as ConversationId, 0, 500);
        expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: PER_CLIENT }, (_, k) => k + 1));
      }
      for (const [id, hash] of blobs) {
        const bytes = await new HearthApi({ baseUrl: node.url, token: patients[0]!.token }).downloadBlob(id);
        expect(bytes && sha256(bytes), id).toBe(hash);
      }
      const verify = await fetch(`${node.url}/v1/audit/verify`, {
        headers: { authorization: `Bearer ${admin.token}` },
      });
      expect(await verify.json()).toMatchObject({ ok: true });
      // A device resumes over a real WebSocket, and sending goes on.
      const c = new TestClient(node.url, patients[1]!);
      clients.push(c);
      await c.connect();
      const cid = patients[1]!.conversationId!;
      await c.waitFor(() => c.texts(cid).length >= PER_CLIENT, "the history on the new store");
      expect(c.texts(cid)).toEqual(burstTexts(1, PER_CLIENT));
      const { sent } = await c.client.send(cid, { text: "after the move" });
      expect((await sent).seq).toBe(PER_CLIENT + 1);
    }, 600_000);
  },
);
