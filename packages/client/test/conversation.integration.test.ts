import type { ConversationId } from "@hearth/protocol";
import { makePractice, type Practice, startTestServer, type TestServer } from "@hearth/server/testing";
import { afterEach, describe, expect, it } from "vitest";
import { MemoryClientStore, State } from "../src/index.ts";
import { ManualClock } from "../src/testing.ts";
import { instrumented } from "./support/instrumented-socket.ts";
import { recordedClients } from "./support/recorded-clients.ts";

describe("HearthClient: conversations stand on their own", () => {
  let t: TestServer;
  let p: Practice;

  const { make, connected, closeAll } = recordedClients(() => t.url);

  afterEach(async () => {
    closeAll();
    await t?.stop();
  });

  it("a gap fill that hangs holds up only its own conversation, gives up after its timeout, and fills the gap later on the same socket", async () => {
    t = await startTestServer();
    p = await makePractice(t, 2);
    const a = p.patients[0]!.conversationId! as ConversationId;
    const b = p.patients[1]!.conversationId! as ConversationId;
    // The therapist's socket loses conversation A's first entry, so A's second shows a gap.
    const lossy = instrumented((f) => {
      const entry = f.entry as { seq: number; conversationId?: string } | undefined;
      return f.type === "message" && entry?.conversationId === a && entry.seq === 1;
    });
    // The first history request hangs until cancelled (a server that never answers); later ones go through.
    let historyCalls = 0;
    let cancelled = false;
    const fetchFn: typeof fetch = (input, init) => {
      if (String(input).includes("/messages?")) {
        historyCalls++;
        if (historyCalls === 1) {
          return new Promise<Response>((_, reject) =>
            init?.signal?.addEventListener("abort", () => {
              cancelled = true;
              reject(new Error("aborted"));
            }),
          );
        }
      }
      return fetch(input, init);
    };
    const clock = new ManualClock(Date.now());
    const th = make(p.therapist, {
      WebSocket: lossy.WebSocket,
      fetch: fetchFn,
      clock,
      gapFillTimeoutMs: 10_000,
      heartbeatMs: 10_000_000,
      heartbeatTimeoutMs: 10_000_000,
    });
    const pa = make(p.patients[0]!);
    const pb = make(p.patients[1]!);
    await connected(th);
    await connected(pa);
    await connected(pb);

    await (await pa.client.send(a, { text: "a1" })).sent;
    await (await pa.client.send(a, { text: "a2" })).sent;
    await th.rec.waitFor(() => historyCalls === 1, "the gap fill of A to start");

    // A waits on a request that never ends; B is delivered all the same.
    await (await pb.client.send(b, { text: "b1" })).sent;
    await th.rec.waitFor(() => th.rec.texts(b).length === 1, "B's message while A's fill hangs");
    expect(th.rec.texts(b)).toEqual(["b1"]);
    expect(th.rec.texts(a)).toEqual([]);
    expect(cancelled).toBe(false);

    // The fill gives up after its timeout; A tries again later and gets both, in order, once.
    await th.rec.waitFor(() => {
      clock.advance(1_000);
      return th.rec.texts(a).length === 2;
    }, "A's messages after the retry");
    expect(th.rec.texts(a)).toEqual(["a1", "a2"]);
    expect(th.rec.messages.filter((m) => m.conversationId === a).map((m) => m.seq)).toEqual([1, 2]);
    expect(historyCalls).toBe(2);
    expect(cancelled).toBe(true);
    // No reconnect was needed: one socket, no sequence_gap.
    expect(lossy.sockets).toHaveLength(1);
    expect(th.rec.events.state.some((s) => s.reason === "sequence_gap")).toBe(false);
    expect(th.client.state).toBe(State.Connected);
  });

  it("the view model: pending with its content, then sent, delivered and read from the others' receipts", async () => {
    t = await startTestServer();
    p = await makePractice(t, 1);
    const cid = p.patients[0]!.conversationId! as ConversationId;
    const th = make(p.therapist);
    const pa = make(p.patients[0]!, { receiptDelayMs: 1 });
    await connected(th);
    await connected(pa);

    const view = th.client.conversation(cid);
    expect(th.client.conversation(cid)).toBe(view);
    view.setMembers([p.therapist.userId, p.patients[0]!.userId]);
    await view.load();
    let changes = 0;
    view.on("change", () => changes++);

    const { messageId, sent } = await th.client.send(cid, { text: "How was the week?" });
    const pending = view.message(messageId);
    expect(pending?.status).toBe("pending");
    expect(pending?.content?.text).toBe("How was the week?");
    await sent;
    await th.rec.waitFor(() => view.message(messageId)?.seq !== undefined, "the ack");
    await pa.rec.waitFor(() => pa.rec.texts(cid).length === 1, "the patient receives it");
    await th.rec.waitFor(() => view.message(messageId)?.status === "delivered", "delivered");
    pa.client.markRead(cid, pa.client.cursor(cid));
    await th.rec.waitFor(() => view.message(messageId)?.status === "read", "read");

    // The patient's reply shows as theirs; the list stays in seq order.
    await (await pa.client.send(cid, { text: "Better, thanks" })).sent;
    await th.rec.waitFor(() => view.messages.length === 2, "the reply");
    expect(view.messages.map((m) => [m.seq, m.own, m.content?.text])).toEqual([
      [1, true, "How was the week?"],
      [2, false, "Better, thanks"],
    ]);
    expect(changes).toBeGreaterThan(3);

    view.close();
    expect(th.client.conversation(cid)).not.toBe(view);
  });

  it("the view model: a refused message is failed with its code, and can be taken off the list", async () => {
    t = await startTestServer();
    p = await makePractice(t, 1);
    const pa = make(p.patients[0]!);
    await connected(pa);
    const other = "cnv_AAAAAAAAAAAAAAAAAAAAAA" as ConversationId;
    const view = pa.client.conversation(other);
    await view.load();
    const bad = await pa.client.send(other, { text: "nowhere" });
    await expect(bad.sent).rejects.toMatchObject({ code: "not_found" });
    expect(view.message(bad.messageId)).toMatchObject({ status: "failed", failure: "not_found" });
    view.forget(bad.messageId);
    expect(view.messages).toEqual([]);
  });

  it("the view model reads pending messages back from the outbox of a new client over the same store", async () => {
    t = await startTestServer();
    p = await makePractice(t, 1);
    const cid = p.patients[0]!.conversationId! as ConversationId;
    const store = new MemoryClientStore();
    const first = make(p.patients[0]!, { store });
    await first.client.send(cid, { text: "written offline" }); // never connected: stays queued
    first.client.close();

    const second = make(p.patients[0]!, { store });
    const view = second.client.conversation(cid);
    await view.load();
    expect(view.messages.map((m) => [m.status, m.content?.text])).toEqual([["pending", "written offline"]]);
    await connected(second);
    await second.rec.waitFor(() => view.messages[0]?.seq === 1, "the ack");
    expect(view.messages.map((m) => [m.seq, m.status, m.content?.text])).toEqual([
      [1, "sent", "written offline"],
    ]);
    // Loaded before sign-in, the pending message had no sender yet; now it is this user's.
    expect(view.messages[0]).toMatchObject({ own: true, senderId: p.patients[0]!.userId });
  });
});
