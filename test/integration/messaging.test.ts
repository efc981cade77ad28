import { HearthApi, MemoryClientStore } from "@hearth/client";
import type { ConversationId } from "@hearth/protocol";
import { login, makePractice, type Practice, startTestServer, type TestServer } from "@hearth/server/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TestClient } from "../support/sdk.ts";

describe("messaging through the SDK and the real server", () => {
  let t: TestServer;
  let p: Practice;
  let cid: ConversationId;
  const clients: TestClient[] = [];
  const client = async (
    session: Practice["therapist"],
    connect = true,
    opts: ConstructorParameters<typeof TestClient>[2] = {},
  ) => {
    const c = new TestClient(t.url, session, opts);
    clients.push(c);
    if (connect) await c.connect();
    return c;
  };

  beforeEach(async () => {
    t = await startTestServer();
    p = await makePractice(t, 3);
    cid = p.patients[0]!.conversationId!;
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await t.stop();
  });

  it("invite → join → send: the sender sees sent, delivered and read", async () => {
    const th = await client(p.therapist);
    const pa = await client(p.patients[0]!);
    const { messageId, sent } = await pa.client.send(cid, { text: "Hello, I made it in." });
    const ack = await sent;
    expect(ack).toMatchObject({ messageId, seq: 1 });
    await th.waitFor(() => th.texts(cid).length === 1, "therapist receives");
    expect(th.texts(cid)).toEqual(["Hello, I made it in."]);
    // delivered: automatic once the therapist's device has it.
    await pa.waitFor(
      () =>
        (pa.events.receipt ?? []).some(
          (r) => r.kind === "delivered" && r.userId === p.therapist.userId && r.seq >= 1,
        ),
      "delivered receipt",
    );
    th.client.markRead(cid, 1);
    await pa.waitFor(
      () =>
        (pa.events.receipt ?? []).some(
          (r) => r.kind === "read" && r.userId === p.therapist.userId && r.seq === 1,
        ),
      "read receipt",
    );
    // The sender's own device got its message back too, but acknowledges no delivery of it: the
    // server (which echoes every receipt to both members) relayed a delivered receipt from the
    // therapist only.
    for (const c of [pa, th]) {
      expect(
        (c.events.receipt ?? []).filter((r) => r.kind === "delivered").map((r) => r.userId),
      ).not.toContain(p.patients[0]!.userId);
    }
    // Replies quote inside the payload.
    const reply = await th.client.send(cid, { text: "Welcome.", replyTo: messageId });
    await reply.sent;
    await pa.waitFor(() => pa.texts(cid).length === 2, "reply");
    expect(pa.messages.at(-1)?.content).toEqual({ text: "Welcome.", replyTo: messageId });
  });

  it("flushReceipts sends a waiting read receipt at once, without its batch delay", async () => {
    const th = await client(p.therapist, true, { receiptDelayMs: 600_000 });
    const pa = await client(p.patients[0]!);
    await (await pa.client.send(cid, { text: "Are you there?" })).sent;
    await th.waitFor(() => th.texts(cid).length === 1, "therapist receives");
    const readBy = () =>
      (pa.events.receipt ?? []).some((r) => r.kind === "read" && r.userId === p.therapist.userId);
    th.client.markRead(cid, 1);
    // A message sent after it arrives, and the receipt has not: it waits for its batch. (A receipt
    // sent at once would be ahead: the server relays a receipt without waiting for a disk sync.)
    await (await th.client.send(cid, { text: "Yes, one moment." })).sent;
    await pa.waitFor(() => pa.texts(cid).length === 2, "patient receives");
    expect(readBy()).toBe(false);
    th.client.flushReceipts();
    await pa.waitFor(readBy, "read receipt");
  });

  it("typing arrives and expires on its own", async () => {
    const th = await client(p.therapist);
    // The SDK would send a stop after `typingIdleMs` of silence; set it far beyond the TTL.
    const pa = await client(p.patients[0]!, true, { typingIdleMs: 600_000 });
    pa.client.setTyping(cid, true);
    await th.waitFor(() => (th.events.typing ?? []).some((e) => e.active), "typing on");
    // No "stop" is sent: the indicator must expire by itself after the TTL.
    await th.waitFor(() => (th.events.typing ?? []).at(-1)?.active === false, "typing expiry", 15_000);
    expect((th.events.typing ?? []).map((e) => e.active)).toEqual([true, false]);
    expect(pa.events.typing ?? []).toEqual([]);
  });

  it("a second device of the same user receives its own user's messages", async () => {
    const loginName = (await new HearthApi({ baseUrl: t.url, token: p.patients[0]!.token }).me()).login;
    const phone = await client(p.patients[0]!);
    const laptop = await client(await login(t, loginName, "laptop"));
    await (await phone.client.send(cid, { text: "from my phone" })).sent;
    await laptop.waitFor(() => laptop.texts(cid).length === 1, "laptop gets it");
    expect(laptop.messages[0]).toMatchObject({ own: true, senderDeviceId: p.patients[0]!.deviceId });
  });

  it("a therapy group with three patients: everyone gets every message once, in order", async () => {
    const api = new HearthApi({ baseUrl: t.url, token: p.therapist.token });
    const th = await client(p.therapist);
    const group = await api.createGroup(p.patients.map((x) => x.userId));
    expect(group.members).toHaveLength(4);
    const gid = group.conversationId;
    const pts = await Promise.all(p.patients.map((s) => client(s)));
    await (await th.client.send(gid, { text: "Welcome to the group" })).sent;
    for (const [i, pt] of pts.entries()) await (await pt.client.send(gid, { text: `hi from ${i}` })).sent;
    const expected = ["Welcome to the group", "hi from 0", "hi from 1", "hi from 2"];
    for (const c of [th, ...pts]) {
      await c.waitFor(() => c.texts(gid).length === 4, "all four");
      expect(c.texts(gid)).toEqual(expected);
    }
    // Per-member watermarks: the therapist sees delivered receipts from each patient.
    await th.waitFor(
      () =>
        new Set((th.events.receipt ?? []).filter((r) => r.kind === "delivered").map((r) => r.userId)).size ===
        3,
      "delivered from all three",
    );
  });

  it("deletes for everyone: a tombstone, and the text is gone for a device that syncs later", async () => {
    const th = await client(p.therapist);
    const pa = await client(p.patients[0]!);
    const { messageId, sent } = await th.client.send(cid, { text: "sent to the wrong person" });
    await sent;
    await pa.waitFor(() => pa.texts(cid).length === 1, "message");
    await (await th.client.deleteMessage(cid, messageId)).sent;
    await pa.waitFor(
      () => pa.messages.some((m) => m.kind === "tombstone" && m.target === messageId),
      "tombstone",
    );
    // A device that joins later sees the order with the text erased.
    const loginName = (await new HearthApi({ baseUrl: t.url, token: p.patients[0]!.token }).me()).login;
    const late = await client(await login(t, loginName, "late"));
    await late.waitFor(() => late.messages.length === 2, "history");
    expect(late.messages.map((m) => m.kind)).toEqual(["deleted", "tombstone"]);
    expect(JSON.stringify(late.messages)).not.toContain("wrong person");
  });

  it("offline: a device that missed 200 messages gets exactly those, in order, once", async () => {
    const th = await client(p.therapist);
    const pa = await client(p.patients[0]!);
    await (await th.client.send(cid, { text: "before" })).sent;
    await pa.waitFor(() => pa.texts(cid).length === 1, "first");
    pa.client.close();
    const sends = [];
    for (let i = 0; i < 200; i++) sends.push((await th.client.send(cid, { text: `m${i}` })).sent);
    await Promise.all(sends);
    // A new client object over the same (persisted) cursors: resume.
    const cursor = pa.client.cursor(cid);
    expect(cursor).toBe(1);
    const store = new MemoryClientStore();
    await store.saveCursor(cid, cursor);
    const again = new TestClient(t.url, p.patients[0]!, { store });
    clients.push(again);
    await again.connect();
    await again.waitFor(() => again.texts(cid).length === 200, "200 missed");
    expect(again.texts(cid)).toEqual(Array.from({ length: 200 }, (_, i) => `m${i}`));
    expect(again.messages.map((m) => m.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 2));
  });

  it("messages sent while offline wait in the outbox and go out once on reconnect", async () => {
    const th = await client(p.therapist);
    const pa = await client(p.patients[0]!, false);
    // Not connected yet: sends queue.
    const queued = [];
    for (let i = 0; i < 5; i++) queued.push(await pa.client.send(cid, { text: `queued ${i}` }));
    expect(pa.client.outboxSize).toBe(5);
    await pa.connect();
    const acks = await Promise.all(queued.map((q) => q.sent));
    expect(acks.map((a) => a.seq)).toEqual([1, 2, 3, 4, 5]);
    await th.waitFor(() => th.texts(cid).length === 5, "therapist gets 5");
    expect(th.texts(cid)).toEqual([0, 1, 2, 3, 4].map((i) => `queued ${i}`));
    expect(pa.client.outboxSize).toBe(0);
  });
});
