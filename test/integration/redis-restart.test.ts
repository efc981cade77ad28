import { HearthApi } from "@hearth/client";
import type { ConversationId } from "@hearth/protocol";
import {
  describeWithService,
  dropSchema,
  POSTGRES_URL,
  postgresReachable,
  uniqueSchemaName,
} from "@hearth/server/testing";
import { afterAll, expect, it } from "vitest";
import { burst, burstTexts, signUpPractice } from "../support/burst.ts";
import { ChildServer, freePort } from "../support/child-server.ts";
import { PrivateRedis, redisServerPresent } from "../support/private-redis.ts";
import { TestClient } from "../support/sdk.ts";

const PATIENTS = 3;
const PER_CLIENT = 150;

async function readiness(url: string): Promise<{ status: number; failed: string[] }> {
  const r = await fetch(`${url}/readyz`);
  const body = (await r.json()) as { failed?: string[] };
  return { status: r.status, failed: body.failed ?? [] };
}

async function waitForReady(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await readiness(url)).status !== 200) {
    if (Date.now() > deadline) throw new Error(`${url} did not become ready again`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const available = redisServerPresent && (await postgresReachable());

/**
 * Two nodes on one PostgreSQL schema and a Redis of the test's own, which the test kills (SIGKILL)
 * and starts again, empty, in the middle of a burst: patients send through node A, the therapist
 * reads live on node B, so every message B delivers crossed Redis or was read back from the store.
 */
describeWithService(
  "Redis restart during traffic, two nodes",
  available,
  "redis-server (Debian's redis-server package) and PostgreSQL",
  () => {
    const schema = uniqueSchemaName("hearth_redis_restart");
    let redis: PrivateRedis | undefined;
    const nodes: ChildServer[] = [];
    const clients: TestClient[] = [];
    afterAll(async () => {
      for (const c of clients) c.close();
      for (const n of nodes) await n.destroy();
      await redis?.kill();
      await dropSchema(schema);
    });

    it("loses nothing acknowledged, duplicates nothing, and both nodes serve again by themselves", async () => {
      redis = await PrivateRedis.start(await freePort());
      const env = {
        HEARTH_DATABASE_URL: POSTGRES_URL,
        HEARTH_DATABASE_SCHEMA: schema,
        HEARTH_REDIS_URL: redis.url,
      };
      const a = await ChildServer.create(env);
      nodes.push(a);
      await a.start();
      const { therapist, patients } = await signUpPractice(a.url, await a.waitForSetupToken(), PATIENTS);
      const b = await ChildServer.create(env);
      nodes.push(b);
      await b.start();

      for (const p of patients) {
        const c = new TestClient(a.url, p);
        clients.push(c);
        await c.connect();
      }
      const th = new TestClient(b.url, therapist);
      clients.push(th);
      await th.connect();

      const { acked, all, sendRange } = burst(clients.slice(0, PATIENTS), patients);
      await sendRange(0, 50);
      await th.waitFor(() => acked.size >= 60, "the first acks");
      await sendRange(50, 100);
      await redis.kill();
      const ackedBeforeKill = new Map(acked);
      expect(ackedBeforeKill.size).toBeLessThan(PATIENTS * PER_CLIENT);

      // Redis down: both nodes say so; the database is up, so sends are still stored and acked.
      expect(await readiness(a.url)).toEqual({ status: 503, failed: ["redis"] });
      expect(await readiness(b.url)).toEqual({ status: 503, failed: ["redis"] });
      await sendRange(100, PER_CLIENT);
      // Rate-limited routes still answer (their counters fall back to each node's memory).
      const signIn = await fetch(`${a.url}/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ login: "therapist", password: "not the password", deviceName: "d" }),
      });
      expect(((await signIn.json()) as { code: string }).code).toBe("login_failed");

      await redis.startServer();
      await waitForReady(a.url);
      await waitForReady(b.url);
      const acks = await Promise.all(all);
      expect(acks).toHaveLength(PATIENTS * PER_CLIENT);
      for (const c of clients) expect(c.client.outboxSize).toBe(0);

      const api = new HearthApi({ baseUrl: b.url, token: therapist.token });
      for (const [i, p] of patients.entries()) {
        const cid = p.conversationId as ConversationId;
        const { entries } = await api.history(cid, 0, 500);
        expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: PER_CLIENT }, (_, k) => k + 1));
        expect(new Set(entries.map((e) => e.messageId)).size).toBe(PER_CLIENT);
        for (const [id, ack] of ackedBeforeKill) {
          if (ack.conversationId === cid) expect(entries[ack.seq - 1]?.messageId).toBe(id);
        }
        const texts = entries.map(
          (e) => JSON.parse(Buffer.from(e.body ?? "", "base64").toString("utf8")).text,
        );
        expect(texts).toEqual(burstTexts(i, PER_CLIENT));
        // The therapist on B received each message once, in order, with no one reconnecting it by hand.
        await th.waitFor(() => th.texts(cid).length >= PER_CLIENT, "the therapist has them all");
        expect(th.texts(cid)).toEqual(burstTexts(i, PER_CLIENT));
      }
      expect(th.messages).toHaveLength(PATIENTS * PER_CLIENT);

      // After the restart, live fan-out across the nodes works again: one more message, A to B.
      const { sent } = await clients[0]!.client.send(patients[0]!.conversationId!, { text: "after" });
      await sent;
      await th.waitFor(() => th.texts(patients[0]!.conversationId!).at(-1) === "after", "a live message");
      for (const n of nodes) expect(n.output).not.toMatch(/Unhandled error event|uncaught/i);
    }, 180_000);
  },
);
