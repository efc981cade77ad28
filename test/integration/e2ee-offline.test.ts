import { HearthApi, MemoryClientStore } from "@hearth/client";
import { decodeE2eePayload } from "@hearth/client/testing";
import { base64ToBytes, type ConversationId } from "@hearth/protocol";
import { makePractice, type Practice, startTestServer, type TestServer } from "@hearth/server/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { converged, E2eeTestClient, until } from "../support/e2ee.ts";
import type { TestClient } from "../support/sdk.ts";

/** A port nothing listens on: every request fails as it does without a network. */
const UNREACHABLE = "http://127.0.0.1:1";

describe("a device opened without a network (real server, real SDK)", () => {
  let t: TestServer;
  let p: Practice;
  let cid: ConversationId;
  const clients: TestClient[] = [];
  const track = <C extends TestClient>(c: C): C => {
    clients.push(c);
    return c;
  };

  beforeEach(async () => {
    t = await startTestServer();
    p = await makePractice(t, 1);
    cid = p.patients[0]!.conversationId!;
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await t.stop();
  });

  it("keeps the conversation list, encrypts to the saved members and archive keys, and sends once back online", async () => {
    const patient = p.patients[0]!;
    const store = new MemoryClientStore();
    const th = track(new E2eeTestClient(t.url, p.therapist));
    const pa = track(new PaClient(t.url, patient, store));
    await th.client.crypto.setUp();
    await pa.client.crypto.setUp();
    await th.connect();
    await pa.connect();
    await until(() => converged([th, pa], cid, [p.therapist.deviceId, patient.deviceId]), "one group");
    await (await pa.client.send(cid, { text: "before the reload" })).sent;
    await th.waitFor(() => th.texts(cid).length === 1, "first message");
    pa.close();

    // The reload, offline: the same stores, a server that can't be reached.
    const offline = track(new PaClient(UNREACHABLE, patient, store, pa.keyStore));
    const saved = await offline.client.savedConversations();
    expect(saved.map((c) => c.conversationId)).toContain(cid);
    const names = saved.find((c) => c.conversationId === cid)?.members.map((m) => m.displayName);
    expect(names?.length).toBe(2);
    const queued = await offline.client.send(cid, { text: "written offline" });
    queued.sent.catch(() => undefined); // this client closes before the ack
    expect(offline.client.outboxSize).toBe(1);
    expect((await store.loadOutbox()).map((i) => i.messageId)).toEqual([queued.messageId]);
    offline.close();

    // Back online: a new client over the same stores sends it, once.
    const online = track(new PaClient(t.url, patient, store, pa.keyStore));
    await online.connect();
    await th.waitFor(() => th.texts(cid).length === 2, "the queued message");
    await until(async () => (await store.loadOutbox()).length === 0, "outbox drained");
    expect(th.texts(cid)).toEqual(["before the reload", "written offline"]);

    // Its archive copy is sealed to both members (their keys came from this device's key store).
    const entries = await new HearthApi({ baseUrl: t.url, token: p.therapist.token }).history(cid, 0);
    const entry = entries.entries.find((e) => e.messageId === queued.messageId);
    const payload = decodeE2eePayload(base64ToBytes(entry?.body ?? ""));
    expect(payload && payload !== "unsupported_version" ? [...payload.sealedKeys.keys()].sort() : []).toEqual(
      [p.therapist.userId, patient.userId].sort(),
    );
    expect(entries.entries.filter((e) => e.messageId === queued.messageId)).toHaveLength(1);
  });
});

/** The patient's device, over a store that outlives it (IndexedDB in a browser). */
class PaClient extends E2eeTestClient {
  constructor(
    baseUrl: string,
    session: Practice["therapist"],
    readonly store: MemoryClientStore,
    keyStore?: E2eeTestClient["keyStore"],
  ) {
    super(baseUrl, session, keyStore, { store });
  }
}
