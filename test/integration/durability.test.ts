import { HearthApi } from "@hearth/client";
import type { ConversationId } from "@hearth/protocol";
import { afterAll, describe, expect, it } from "vitest";
import { burst, burstTexts, signUpPractice } from "../support/burst.ts";
import { ChildServer } from "../support/child-server.ts";
import { TestClient } from "../support/sdk.ts";

const PATIENTS = 4;
const PER_CLIENT = 250;

describe("durability: SIGKILL in the middle of a burst", () => {
  const srv = ChildServer.create();
  const clients: TestClient[] = [];
  afterAll(async () => {
    for (const c of clients) c.close();
    await (await srv).destroy();
  });

  it("keeps every acked message exactly once, in order, and the outboxes finish the rest", async () => {
    const server = await srv;
    await server.start();
    const { therapist, patients } = await signUpPractice(
      server.url,
      await server.waitForSetupToken(),
      PATIENTS,
    );
    for (const p of patients) {
      const c = new TestClient(server.url, p);
      clients.push(c);
      await c.connect();
    }

    // Each patient sends PER_CLIENT numbered messages into their own conversation, pipelined.
    const { acked, all, sendRange } = burst(clients, patients);
    await sendRange(0, 75);
    await clients[0]!.waitFor(() => acked.size >= 150, "the first acks");
    await sendRange(75, PER_CLIENT);
    await server.kill();
    const ackedBeforeKill = new Map(acked);
    // The kill really landed mid-burst: some sends were not acked yet.
    expect(ackedBeforeKill.size).toBeGreaterThan(0);
    expect(ackedBeforeKill.size).toBeLessThan(PATIENTS * PER_CLIENT);

    await server.start();
    const acks = await Promise.all(all);
    expect(acks).toHaveLength(PATIENTS * PER_CLIENT);
    for (const c of clients) expect(c.client.outboxSize).toBe(0);

    // Every message acked before the crash kept its seq; every conversation holds each message once, in send order.
    const api = new HearthApi({ baseUrl: server.url, token: therapist.token });
    for (const [i, p] of patients.entries()) {
      const cid = p.conversationId as ConversationId;
      const { entries } = await api.history(cid, 0, 500);
      expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: PER_CLIENT }, (_, k) => k + 1));
      const ids = entries.map((e) => e.messageId);
      expect(new Set(ids).size).toBe(PER_CLIENT);
      for (const a of acks.filter((x) => x.conversationId === cid)) {
        expect(entries[a.seq - 1]?.messageId).toBe(a.messageId);
      }
      for (const [id, a] of ackedBeforeKill) {
        if (a.conversationId === cid) expect(entries[a.seq - 1]?.messageId).toBe(id);
      }
      // Order: the texts read back in the order they were sent.
      const texts = entries.map((e) => JSON.parse(Buffer.from(e.body ?? "", "base64").toString("utf8")).text);
      expect(texts).toEqual(burstTexts(i, PER_CLIENT));
    }

    // Devices connected through the crash received each message exactly once, in order.
    for (const [i, c] of clients.entries()) {
      const cid = patients[i]!.conversationId!;
      await c.waitFor(() => c.texts(cid).length >= PER_CLIENT, "own messages echoed");
      expect(c.texts(cid)).toEqual(burstTexts(i, PER_CLIENT));
    }
    // And a device that connects afterwards gets everything once.
    const th = new TestClient(server.url, therapist);
    clients.push(th);
    await th.connect();
    for (const p of patients) {
      await th.waitFor(() => th.texts(p.conversationId!).length === PER_CLIENT, "therapist catch-up");
    }
    expect(th.messages).toHaveLength(PATIENTS * PER_CLIENT);
  });
});
