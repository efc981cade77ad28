import { newCallId, type ServerFrame } from "@hearth/protocol";
import {
  describeWithService,
  dropSchema,
  makePractice,
  POSTGRES_URL,
  postgresReachable,
  RawSocket,
  REDIS_URL,
  redisReachable,
  startTestServer,
  type TestServer,
  uniqueSchemaName,
} from "@hearth/server/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { RedisBus } from "../src/bus/redis/redis-bus.ts";
import { openPostgresStorage } from "../src/storage/postgres/postgres-storage.ts";

const available = (await postgresReachable()) && (await redisReachable());
const isCall = (f: ServerFrame) => f.type === "call";

/**
 * Call control between two server nodes (one PostgreSQL schema, one Redis): the caller on node A,
 * the callee's devices on node B. Rings, answers and signals cross the Redis bus; none is stored.
 */
describeWithService("calls across two nodes (PostgreSQL + Redis)", available, "PostgreSQL and Redis", () => {
  const schema = uniqueSchemaName("hearth_calls");
  let a: TestServer | undefined;
  let b: TestServer | undefined;

  beforeAll(async () => {
    const node = async () =>
      startTestServer({
        storage: await openPostgresStorage({ connectionString: POSTGRES_URL, schema }),
        bus: await RedisBus.connect({ url: REDIS_URL, prefix: `${schema}:` }),
      });
    a = await node();
    b = await node();
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await dropSchema(schema);
  });

  it("a ring on node A rings the callee on node B; its answer and a signal come back; nothing is stored", async () => {
    const p = await makePractice(a!, 1);
    const cid = p.patients[0]!.conversationId!;
    const caller = await RawSocket.hello(a!.wsUrl, p.therapist.token);
    const callee = await RawSocket.hello(b!.wsUrl, p.patients[0]!.token);
    try {
      const callId = newCallId();
      const body = Buffer.from("opaque MLS message").toString("base64");
      expect(
        await caller.request({
          type: "call",
          id: 1,
          conversationId: cid,
          callId,
          action: "ring",
          media: "audio",
        }),
      ).toMatchObject({ type: "ack" });
      expect(await callee.next(isCall)).toMatchObject({
        action: "ring",
        callId,
        fromUserId: p.therapist.userId,
      });
      await callee.request({ type: "call", id: 2, conversationId: cid, callId, action: "accept" });
      expect(await caller.next(isCall)).toMatchObject({
        action: "accept",
        fromDeviceId: p.patients[0]!.deviceId,
      });
      await caller.request({
        type: "call",
        id: 3,
        conversationId: cid,
        callId,
        action: "signal",
        toDeviceId: p.patients[0]!.deviceId,
        body,
      });
      expect(await callee.next(isCall)).toMatchObject({ action: "signal", body });
      // The log of the conversation holds no call at all.
      const history = await b!.call<{ entries: unknown[] }>("GET", `/v1/conversations/${cid}/messages`, {
        token: p.therapist.token,
      });
      expect(history.body.entries).toEqual([]);
      expect(a!.logs() + b!.logs()).not.toContain(body);
    } finally {
      await caller.closeAndWait();
      await callee.closeAndWait();
    }
  });
});
