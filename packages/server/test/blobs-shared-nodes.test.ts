import { randomBytes } from "node:crypto";
import { MemoryBus } from "@hearth/server";
import {
  describeWithService,
  dropSchema,
  makePractice,
  POSTGRES_URL,
  postgresReachable,
  startTestServer,
  type TestServer,
  uniqueSchemaName,
} from "@hearth/server/testing";
import { expect, it } from "vitest";
import { openPostgresBlobStore } from "../src/modules/blobs/postgres/postgres-blob-store.ts";
import { openPostgresStorage } from "../src/storage/postgres/postgres-storage.ts";

/**
 * Two server nodes over one PostgreSQL schema, each with its own PostgreSQL blob store (its own
 * pool) and no shared folder: an attachment uploaded through one node downloads through the other
 * byte for byte, and a member's download on either node is the same.
 */
describeWithService(
  "blobs shared between nodes (PostgreSQL blob store)",
  await postgresReachable(),
  `PostgreSQL at ${POSTGRES_URL}`,
  () => {
    it("a blob uploaded through node A downloads through node B", async () => {
      const schema = uniqueSchemaName("hearth_nodes");
      const nodes: TestServer[] = [];
      try {
        for (let i = 0; i < 2; i++) {
          const storage = await openPostgresStorage({ connectionString: POSTGRES_URL, schema, poolSize: 3 });
          const blobStore = await openPostgresBlobStore({
            connectionString: POSTGRES_URL,
            schema,
            poolSize: 2,
          });
          const t = await startTestServer({ storage, blobStore, bus: new MemoryBus() });
          const stop = t.stop;
          t.stop = async () => {
            await stop();
            await blobStore.close();
          };
          nodes.push(t);
        }
        const [a, b] = nodes as [TestServer, TestServer];
        const p = await makePractice(a, 1);
        const patient = p.patients[0]!;
        const data = randomBytes(600_000);
        const up = await fetch(`${a.url}/v1/conversations/${patient.conversationId}/blobs`, {
          method: "POST",
          headers: { authorization: `Bearer ${patient.token}`, "content-type": "application/octet-stream" },
          body: data,
        });
        expect(up.status).toBe(200);
        const { blobId } = (await up.json()) as { blobId: string };
        for (const [node, token] of [
          [b, p.therapist.token],
          [a, patient.token],
        ] as const) {
          const res = await fetch(`${node.url}/v1/blobs/${blobId}`, {
            headers: { authorization: `Bearer ${token}` },
          });
          expect(res.status).toBe(200);
          expect(Buffer.from(await res.arrayBuffer()).equals(data)).toBe(true);
        }
      } finally {
        for (const t of nodes) await t.stop();
        await dropSchema(schema);
      }
    });
  },
);
