import { newId } from "@hearth/protocol";
import {
  makePractice,
  type Practice,
  RawSocket,
  startTestServer,
  type TestServer,
} from "@hearth/server/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("delivery over raw frames", () => {
  let t: TestServer;
  let p: Practice;
  let cid: string;
  const sockets: RawSocket[] = [];
  const open = async (token: string, cursors: Record<string, number> = {}) => {
    const s = await RawSocket.hello(t.wsUrl, token, cursors);
    sockets.push(s);
    return s;
  };

  beforeEach(async () => {
    t = await startTestServer();
    p = await makePractice(t, 1);
    cid = p.patients[0]!.conversationId!;
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) await s.closeAndWait();
    await t.stop();
  });

  it("stores, acks with a seq, and fans out to every member device", async () => {
    const th = await open(p.therapist.token);
    const pa = await open(p.patients[0]!.token);
    const messageId = newId("msg");
    const ack = await th.request({ type: "send", id: 1, conversationId: cid, messageId, body: b64("x") });
    expect(ack).toMatchObject({ type: "ack", id: 1, seq: 1, messageId });
    const got = await pa.next((f) => f.type === "message");
    expect(got).toMatchObject({
      type: "message",
      entry: { seq: 1, messageId, senderId: p.therapist.userId },
    });
    // The sender's own device gets it too (other tabs of the same user rely on this).
    await th.next((f) => f.type === "message");
  });

  it("is idempotent on messageId: a resend returns the original ack and stores nothing new", async () => {
    const th = await open(p.therapist.token);
    const messageId = newId("msg");
    const a1 = await th.request({ type: "send", id: 1, conversationId: cid, messageId, body: b64("x") });
    const a2 = await th.request({ type: "send", id: 2, conversationId: cid, messageId, body: b64("x") });
    expect(a2).toMatchObject({ type: "ack", seq: (a1 as { seq: number }).seq, messageId });
    const h = await t.call<{ entries: unknown[] }>("GET", `/v1/conversations/${cid}/messages`, {
      token: p.therapist.token,
    });
    expect(h.body.entries).toHaveLength(1);
  });

  it("syncs exactly the gap after a cursor", async () => {
    const th = await open(p.therapist.token);
    for (let i = 1; i <= 5; i++) {
      await th.request({
        type: "send",
        id: i,
        conversationId: cid,
        messageId: newId("msg"),
        body: b64(`m${i}`),
      });
    }
    const pa = await RawSocket.open(t.wsUrl);
    sockets.push(pa);
    pa.send({ type: "hello", id: 0, token: p.patients[0]!.token, cursors: { [cid]: 2 } });
    await pa.next((f) => f.type === "synced");
    const seqs = pa.frames
      .filter((f) => f.type === "message")
      .map((f) => (f as { entry: { seq: number } }).entry.seq);
    expect(seqs).toEqual([3, 4, 5]);
  });

  it("forwards receipts as watermarks, private read receipts stay private", async () => {
    const th = await open(p.therapist.token);
    const pa = await open(p.patients[0]!.token);
    await th.request({ type: "send", id: 1, conversationId: cid, messageId: newId("msg"), body: b64("hi") });
    await pa.next((f) => f.type === "message");
    pa.send({ type: "receipt", conversationId: cid, kind: "delivered", seq: 1 });
    expect(await th.next((f) => f.type === "receipt")).toMatchObject({ kind: "delivered", seq: 1 });
    pa.send({ type: "receipt", conversationId: cid, kind: "read", seq: 1, private: true });
    // A later public receipt proves the private one was processed first and not forwarded.
    await th.request({ type: "send", id: 2, conversationId: cid, messageId: newId("msg"), body: b64("2") });
    await pa.next((f) => f.type === "message" && f.entry.seq === 2);
    pa.send({ type: "receipt", conversationId: cid, kind: "read", seq: 2 });
    expect(await th.next((f) => f.type === "receipt")).toMatchObject({ kind: "read", seq: 2 });
    expect(th.frames.filter((f) => f.type === "receipt")).toEqual([]);
    const list = await t.call<{ unread: number; readSeq: number }[]>("GET", "/v1/conversations", {
      token: p.patients[0]!.token,
    });
    expect(list.body[0]).toMatchObject({ readSeq: 2, unread: 0 });
  });

  it("lists each member's delivered and shared read marks, so an offline device catches up; private reads stay out", async () => {
    const th = await open(p.therapist.token);
    const pa = await open(p.patients[0]!.token);
    const patientId = p.patients[0]!.userId;
    for (let i = 1; i <= 3; i++) {
      await th.request({ type: "send", id: i, conversationId: cid, messageId: newId("msg"), body: b64("m") });
    }
    await pa.next((f) => f.type === "message" && f.entry.seq === 3);
    const marksOfPatient = async () => {
      const list = await t.call<{ members: { userId: string; deliveredSeq: number; readSeq: number }[] }[]>(
        "GET",
        "/v1/conversations",
        { token: p.therapist.token },
      );
      const m = list.body[0]!.members.find((x) => x.userId === patientId)!;
      return { delivered: m.deliveredSeq, read: m.readSeq };
    };
    // Receipts are written behind (batched); a public one that the therapist's socket sees is stored.
    pa.send({ type: "receipt", conversationId: cid, kind: "delivered", seq: 3 });
    pa.send({ type: "receipt", conversationId: cid, kind: "read", seq: 1 });
    await th.next((f) => f.type === "receipt" && f.kind === "read" && f.seq === 1);
    expect(await marksOfPatient()).toEqual({ delivered: 3, read: 1 });
    // A private read moves the patient's own marker only.
    pa.send({ type: "receipt", conversationId: cid, kind: "read", seq: 2, private: true });
    const ownRead = async () =>
      (await t.call<{ readSeq: number }[]>("GET", "/v1/conversations", { token: p.patients[0]!.token }))
        .body[0]!.readSeq;
    await expect.poll(ownRead).toBe(2);
    expect(await marksOfPatient()).toEqual({ delivered: 3, read: 1 });
    // Sharing again at the same seq catches the shared marker up (and tells the others).
    pa.send({ type: "receipt", conversationId: cid, kind: "read", seq: 2 });
    await th.next((f) => f.type === "receipt" && f.kind === "read" && f.seq === 2);
    expect(await marksOfPatient()).toEqual({ delivered: 3, read: 2 });
  });

  it("relays typing to others but not back, and never stores it", async () => {
    const th = await open(p.therapist.token);
    const pa = await open(p.patients[0]!.token);
    pa.send({ type: "typing", conversationId: cid, active: true });
    expect(await th.next((f) => f.type === "typing")).toMatchObject({
      active: true,
      userId: p.patients[0]!.userId,
    });
    const h = await t.call<{ entries: unknown[] }>("GET", `/v1/conversations/${cid}/messages`, {
      token: p.therapist.token,
    });
    expect(h.body.entries).toHaveLength(0);
    expect(pa.frames.some((f) => f.type === "typing")).toBe(false);
  });

  it("deletes for everyone: a tombstone in the order, the body erased, only by the sender", async () => {
    const th = await open(p.therapist.token);
    const pa = await open(p.patients[0]!.token);
    const messageId = newId("msg");
    await th.request({ type: "send", id: 1, conversationId: cid, messageId, body: b64("oops") });
    const refused = await pa.request({
      type: "delete",
      id: 7,
      conversationId: cid,
      messageId,
      tombstoneId: newId("msg"),
    });
    expect(refused).toMatchObject({ type: "error", code: "not_sender" });
    const ack = await th.request({
      type: "delete",
      id: 2,
      conversationId: cid,
      messageId,
      tombstoneId: newId("msg"),
    });
    expect(ack).toMatchObject({ type: "ack", seq: 2 });
    const tomb = await pa.next((f) => f.type === "message" && f.entry.seq === 2);
    expect(tomb).toMatchObject({ entry: { kind: "delete", target: messageId } });
    const h = await t.call<{ entries: { body?: string; deleted?: boolean }[] }>(
      "GET",
      `/v1/conversations/${cid}/messages`,
      { token: p.patients[0]!.token },
    );
    expect(h.body.entries[0]).toMatchObject({ deleted: true });
    expect(h.body.entries[0]?.body).toBeUndefined();
  });

  it("shows presence to contacts, and hides it when the user asks", async () => {
    const th = await open(p.therapist.token);
    const pa = await open(p.patients[0]!.token);
    expect(await th.next((f) => f.type === "presence")).toMatchObject({
      userId: p.patients[0]!.userId,
      online: true,
    });
    expect(await pa.next((f) => f.type === "presence")).toMatchObject({
      userId: p.therapist.userId,
      online: true,
    });
    const r = await t.call("PATCH", "/v1/me/settings", {
      token: p.therapist.token,
      body: { showPresence: false },
    });
    expect(r.status).toBe(200);
    expect(await pa.next((f) => f.type === "presence")).toMatchObject({
      userId: p.therapist.userId,
      online: false,
    });
  });
});
