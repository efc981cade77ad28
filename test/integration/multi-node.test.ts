import { HearthApi } from "@hearth/client";
import type { ConversationId } from "@hearth/protocol";
import {
  describeWithService,
  dropSchema,
  POSTGRES_URL,
  postgresReachable,
  REDIS_URL,
  redisReachable,
  uniqueSchemaName,
} from "@hearth/server/testing";
import { afterAll, expect, it } from "vitest";
import { burst, burstTexts, signUpPractice } from "../support/burst.ts";
import { ChildServer } from "../support/child-server.ts";
import { FailoverProxy } from "../support/failover-proxy.ts";
import { TestClient } from "../support/sdk.ts";

const PATIENTS = 4;
const PER_CLIENT = 200;

const available = (await postgresReachable()) && (await redisReachable());

/**
 * Two server processes on one PostgreSQL schema and one Redis, behind a TCP load balancer: the
 * deployment for many conversations. One node is killed with SIGKILL in the middle of a burst.
 */
describeWithService("multi-node: a node fails mid-burst", available, "PostgreSQL and Redis", () => {
  const schema = uniqueSchemaName("hearth_nodes");
  const env = {
    HEARTH_DATABASE_URL: POSTGRES_URL,
    HEARTH_DATABASE_SCHEMA: schema,
    HEARTH_REDIS_URL: REDIS_URL,
    HEARTH_REDIS_PREFIX: `${schema}:`,
  };
  const nodes: ChildServer[] = [];
  const clients: TestClient[] = [];
  let proxy: FailoverProxy | undefined;
  afterAll(async () => {
    for (const c of clients) c.close();
    await proxy?.close();
    for (const n of nodes) await n.destroy();
    await dropSchema(schema);
  });

  it("keeps every acked message once, in order; clients of the dead node resume on the other", async () => {
    const a = await ChildServer.create(env);
    nodes.push(a);
    await a.start();
    // Set up through node A; node B starts on the same database afterwards (no second setup link).
    const { therapist, patients } = await signUpPractice(a.url, await a.waitForSetupToken(), PATIENTS);

    const b = await ChildServer.create(env);
    nodes.push(b);
    await b.start();
    expect(b.setupToken).toBeUndefined();
    proxy = await FailoverProxy.start([a.port, b.port]);

    // Patients come in through the load balancer (spread over both nodes); the therapist is on B.
    for (const p of patients) {
      const c = new TestClient(proxy.url, p);
      clients.push(c);
      await c.connect();
    }
    expect(proxy.accepted.get(a.port)).toBeGreaterThanOrEqual(2);
    expect(proxy.accepted.get(b.port)).toBeGreaterThanOrEqual(2);
    const th = new TestClient(b.url, therapist);
    await th.connect();

    const { acked, all, sendRange } = burst(clients, patients);
    await sendRange(0, 50);
    await clients[0]!.waitFor(() => acked.size >= 100, "the first acks");
    await sendRange(50, PER_CLIENT);
    await a.kill();
    const ackedBeforeKill = new Map(acked);
    expect(ackedBeforeKill.size).toBeLessThan(PATIENTS * PER_CLIENT);

    // Node A stays dead: its clients reconnect through the balancer to B and finish their outboxes.
    const acks = await Promise.all(all);
    expect(acks).toHaveLength(PATIENTS * PER_CLIENT);
    for (const c of clients) expect(c.client.outboxSize).toBe(0);

    const history = new HearthApi({ baseUrl: b.url, token: therapist.token });
    for (const [i, p] of patients.entries()) {
      const cid = p.conversationId as ConversationId;
      const { entries } = await history.history(cid, 0, 500);
      expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: PER_CLIENT }, (_, k) => k + 1));
      expect(new Set(entries.map((e) => e.messageId)).size).toBe(PER_CLIENT);
      for (const [id, ack] of ackedBeforeKill) {
        if (ack.conversationId === cid) expect(entries[ack.seq - 1]?.messageId).toBe(id);
      }
      const texts = entries.map((e) => JSON.parse(Buffer.from(e.body ?? "", "base64").toString("utf8")).text);
      expect(texts).toEqual(burstTexts(i, PER_CLIENT));
    }

    // The therapist on B saw every message once, in order — those stored by A came over Redis or
    // from the store when B noticed a gap.
    for (const [i, p] of patients.entries()) {
      const cid = p.conversationId!;
      await th.waitFor(() => th.texts(cid).length >= PER_CLIENT, "therapist has them all");
      expect(th.texts(cid)).toEqual(burstTexts(i, PER_CLIENT));
    }
    expect(th.messages).toHaveLength(PATIENTS * PER_CLIENT);
    th.close();
  });
});
