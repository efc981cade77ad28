import { ManualClock } from "@hearth/client/testing";
import { newId, type ServerFrame } from "@hearth/protocol";
import {
  makePractice,
  type Practice,
  RawSocket,
  startTestServer,
  type TestServer,
} from "@hearth/server/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const b64 = (s: string) => Buffer.from(s).toString("base64");

type Member = { userId: string; deliveredSeq: number; readSeq: number };

describe("findings 1 and 2: receipts within the log, typing throttled per member", () => {
  let t: TestServer;
  let p: Practice;
  let cid: string;
  let clock: ManualClock;
  const sockets: RawSocket[] = [];
  const open = async (token: string, cursors: Record<string, number> = {}) => {
    const s = await RawSocket.hello(t.wsUrl, token, cursors);
    sockets.push(s);
    return s;
  };
  const send = (s: RawSocket, id: number) =>
    s.request({ type: "send", id, conversationId: cid, messageId: newId("msg"), body: b64(`m${id}`) });
  /** The patient's watermarks as the therapist's list shows them, and the patient's own read marker. */
  const patientMarks = async () => {
    type Summary = { conversationId: string; members: Member[]; readSeq: number };
    const list = (token: string) => t.call<Summary[]>("GET", "/v1/conversations", { token });
    const shared = (await list(p.therapist.token)).body.find((x) => x.conversationId === cid);
    const own = (await list(p.patients[0]?.token ?? "")).body.find((x) => x.conversationId === cid);
    const m = shared?.members.find((x) => x.userId === p.patients[0]?.userId);
    return { deliveredSeq: m?.deliveredSeq, readSeq: m?.readSeq, ownReadSeq: own?.readSeq };
  };
  /** Every typing frame the therapist has received once the patient's later message reached it. */
  const typingSeenBy = async (th: RawSocket, pa: RawSocket, id: number) => {
    await send(pa, id);
    await th.next((f) => f.type === "message");
    await th.request({ type: "ping", id: 1000 + id });
    return th.frames.filter((f: ServerFrame) => f.type === "typing").length;
  };

  beforeEach(async () => {
    // Time stands still unless a test moves it: the typing window is counted, never waited for.
    clock = new ManualClock();
    t = await startTestServer({ clock, frameRate: { perSecond: 300, burst: 5000 } });
    p = await makePractice(t, 1);
    cid = p.patients[0]?.conversationId ?? "";
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) await s.closeAndWait();
    await t.stop();
  });

  it("finding 1: a cursor beyond the log does not let a device mark future messages read", async () => {
    const th = await open(p.therapist.token);
    await send(th, 1);
    // The patient claims to have seen a million entries.
    const pa = await open(p.patients[0]?.token ?? "", { [cid]: 1_000_000 });
    const before = await patientMarks();
    pa.send({ type: "receipt", conversationId: cid, kind: "read", seq: 1_000_000 });
    expect(await pa.next((f) => f.type === "error")).toMatchObject({ code: "bad_request", path: "seq" });
    pa.send({ type: "receipt", conversationId: cid, kind: "read", seq: 1_000, private: true });
    expect(await pa.next((f) => f.type === "error")).toMatchObject({ code: "bad_request", path: "seq" });
    // Nothing moved, not even the patient's private read marker.
    expect(await patientMarks()).toEqual(before);
    // The therapist's next message still reaches the patient: the cursor was held to the log's end.
    await send(th, 2);
    expect(await pa.next((f) => f.type === "message")).toMatchObject({ entry: { seq: 2 } });
    // What the patient was really sent can be acknowledged, and only that is what the therapist sees.
    pa.send({ type: "receipt", conversationId: cid, kind: "read", seq: 2 });
    const seen = await th.next((f) => f.type === "receipt" && f.kind === "read");
    expect(seen).toMatchObject({ seq: 2, userId: p.patients[0]?.userId });
    expect(th.frames.some((f) => f.type === "receipt" && f.seq > 2)).toBe(false);
    expect(await patientMarks()).toMatchObject({ readSeq: 2, ownReadSeq: 2 });
  });

  it("finding 1: delivered receipts are bounded the same way, and refused ones change nothing", async () => {
    const th = await open(p.therapist.token);
    await send(th, 1);
    const pa = await open(p.patients[0]?.token ?? "", { [cid]: 50 });
    // Its cursor was held to the log's end (seq 1): no kind of receipt may go past it.
    pa.send({ type: "receipt", conversationId: cid, kind: "delivered", seq: 50 });
    expect(await pa.next((f) => f.type === "error")).toMatchObject({ code: "bad_request", path: "seq" });
    pa.send({ type: "receipt", conversationId: cid, kind: "delivered", seq: 2, private: true });
    expect(await pa.next((f) => f.type === "error")).toMatchObject({ code: "bad_request", path: "seq" });
    expect(await patientMarks()).toMatchObject({ deliveredSeq: 0, readSeq: 0, ownReadSeq: 0 });
    // Up to the log's end is fine: the clamped cursor is what the device has.
    pa.send({ type: "receipt", conversationId: cid, kind: "delivered", seq: 1 });
    expect(await th.next((f) => f.type === "receipt" && f.kind === "delivered")).toMatchObject({ seq: 1 });
    expect(await patientMarks()).toMatchObject({ deliveredSeq: 1, readSeq: 0, ownReadSeq: 0 });
  });

  it("finding 2: alternating typing true/false is throttled per (conversation, user)", async () => {
    const th = await open(p.therapist.token);
    const pa = await open(p.patients[0]?.token ?? "");
    for (let i = 0; i < 1000; i++) pa.send({ type: "typing", conversationId: cid, active: i % 2 === 0 });
    // A message after the storm, then a ping: everything the storm caused has reached the therapist.
    expect(await typingSeenBy(th, pa, 1)).toBe(2);
    // The next window lets two more through, and no more.
    clock.advance(1000);
    for (let i = 0; i < 100; i++) pa.send({ type: "typing", conversationId: cid, active: i % 2 === 1 });
    expect(await typingSeenBy(th, pa, 2)).toBe(4);
  });

  it("finding 2: a second device of the same user does not double the typing budget", async () => {
    const th = await open(p.therapist.token);
    const pa1 = await open(p.patients[0]?.token ?? "");
    // Two sockets of the same user share one budget: the throttle is per (conversation, user).
    const pa2 = await open(p.patients[0]?.token ?? "");
    for (let i = 0; i < 200; i++) {
      pa1.send({ type: "typing", conversationId: cid, active: true });
      pa2.send({ type: "typing", conversationId: cid, active: false });
    }
    expect(await typingSeenBy(th, pa1, 1)).toBe(2);
    // The patient's throttle is not the therapist's: the patient still hears the therapist type.
    th.send({ type: "typing", conversationId: cid, active: true });
    expect(await pa1.next((f) => f.type === "typing")).toMatchObject({ userId: p.therapist.userId });
  });
});
