import { HearthApi } from "@hearth/client";
import type { ConversationId } from "@hearth/protocol";
import { describeWithService } from "@hearth/server/testing";
import { afterAll, expect, it } from "vitest";
import { burst, burstTexts, signUpPractice } from "../support/burst.ts";
import { ChildServer, freePort } from "../support/child-server.ts";
import { PrivatePostgres, postgresBinariesPresent } from "../support/private-postgres.ts";
import { TestClient } from "../support/sdk.ts";

const PATIENTS = 3;
const PER_CLIENT = 150;

/** `/readyz` of a node: its status and which checks failed. */
async function readiness(url: string): Promise<{ status: number; failed: string[] }> {
  const r = await fetch(`${url}/readyz`);
  const body = (await r.json()) as { failed?: string[] };
  return { status: r.status, failed: body.failed ?? [] };
}

/** How many frames the node has failed to handle (logged with the database's error, never the frame). */
const refusals = (output: string) => output.split('"msg":"frame handler failed"').length - 1;

/** Polls `/readyz` until it answers `status` (the server gets there by itself; nobody touches it). */
async function waitForReadiness(url: string, status: number, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if ((await readiness(url)).status === status) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A node on a PostgreSQL of the test's own, which the test stops (a fast shutdown, and a crash) and
 * starts again in the middle of a burst of sends, while more are sent.
 */
describeWithService(
  "PostgreSQL restart during traffic",
  postgresBinariesPresent,
  "PostgreSQL's initdb and pg_ctl (Debian's postgresql-15 package)",
  () => {
    const started: { pg: PrivatePostgres; node: ChildServer; clients: TestClient[] }[] = [];
    afterAll(async () => {
      for (const s of started) {
        for (const c of s.clients) c.close();
        await s.node.destroy();
        await s.pg.destroy();
      }
    });

    // `fast`: PostgreSQL ends every session and shuts down cleanly; `immediate`: it dies as in a
    // crash (no checkpoint) and recovers from its WAL on the next start.
    it.each(["fast", "immediate"] as const)(
      "stopped %s: loses nothing acknowledged, duplicates nothing, is unready while down and serves again by itself",
      async (mode) => {
        const pg = await PrivatePostgres.start(await freePort());
        const node = await ChildServer.create({ HEARTH_DATABASE_URL: pg.url });
        const clients: TestClient[] = [];
        started.push({ pg, node, clients });
        await node.start();
        const { therapist, patients } = await signUpPractice(
          node.url,
          await node.waitForSetupToken(),
          PATIENTS,
        );
        for (const p of patients) {
          const c = new TestClient(node.url, p);
          clients.push(c);
          await c.connect();
        }
        const th = new TestClient(node.url, therapist);
        clients.push(th);
        await th.connect();
        expect(await readiness(node.url)).toEqual({ status: 200, failed: [] });

        const { acked, all, sendRange } = burst(clients.slice(0, PATIENTS), patients);
        await sendRange(0, 50);
        await th.waitFor(() => acked.size >= 60, "the first acks");
        await sendRange(50, 100);
        await pg.stopServer(mode);
        const ackedBeforeStop = new Map(acked);
        expect(ackedBeforeStop.size).toBeLessThan(PATIENTS * PER_CLIENT);

        // While the database is down: the node says so, and clients keep sending (into their outboxes).
        expect(await readiness(node.url)).toEqual({ status: 503, failed: ["database"] });
        const refusedBefore = refusals(node.output);
        await sendRange(100, PER_CLIENT);
        // Sends really reach the node while its database is away (and are refused, to be sent again).
        await th.waitFor(() => refusals(node.output) > refusedBefore, "a send refused during the outage");
        expect(await readiness(node.url)).toEqual({ status: 503, failed: ["database"] });

        await pg.startServer();
        await waitForReadiness(node.url, 200, "ready again after the restart");
        const acks = await Promise.all(all);
        expect(acks).toHaveLength(PATIENTS * PER_CLIENT);
        for (const c of clients) expect(c.client.outboxSize).toBe(0);

        // Every conversation holds each message once, in send order; every ack kept its seq.
        const api = new HearthApi({ baseUrl: node.url, token: therapist.token });
        for (const [i, p] of patients.entries()) {
          const cid = p.conversationId as ConversationId;
          const { entries } = await api.history(cid, 0, 500);
          expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: PER_CLIENT }, (_, k) => k + 1));
          expect(new Set(entries.map((e) => e.messageId)).size).toBe(PER_CLIENT);
          for (const [id, a] of ackedBeforeStop) {
            if (a.conversationId === cid) expect(entries[a.seq - 1]?.messageId).toBe(id);
          }
          for (const a of acks.filter((x) => x.conversationId === cid)) {
            expect(entries[a.seq - 1]?.messageId).toBe(a.messageId);
          }
          const texts = entries.map(
            (e) => JSON.parse(Buffer.from(e.body ?? "", "base64").toString("utf8")).text,
          );
          expect(texts).toEqual(burstTexts(i, PER_CLIENT));
          // The therapist, connected throughout, received each one once, in order.
          await th.waitFor(() => th.texts(cid).length >= PER_CLIENT, "the therapist's copies");
          expect(th.texts(cid)).toEqual(burstTexts(i, PER_CLIENT));
        }
        expect(node.output).not.toMatch(/Unhandled|uncaught/i);
      },
      180_000,
    );
  },
);
