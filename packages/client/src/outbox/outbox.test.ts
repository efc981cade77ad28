import { type ConversationId, type MessageId, newId } from "@hearth/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { OutboxItem } from "../client-store.ts";
import { Outbox } from "./outbox.ts";

const CONVS = [newId("cnv"), newId("cnv"), newId("cnv")] as const;

function item(outbox: Outbox, conversationId: ConversationId, n: number): OutboxItem {
  return {
    kind: "send",
    conversationId,
    messageId: newId("msg"),
    body: btoa(String(n)),
    createdAt: 0,
    position: outbox.nextPosition(0),
  };
}

type Op =
  | { t: "add"; conv: number }
  | { t: "process"; outcome: "ack" | "ack_lost" | "transient" }
  | { t: "disconnect"; storedWithoutAck: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant("add" as const), conv: fc.integer({ min: 0, max: CONVS.length - 1 }) }),
  fc.record({
    t: fc.constant("process" as const),
    outcome: fc.constantFrom("ack" as const, "ack" as const, "ack_lost" as const, "transient" as const),
  }),
  fc.record({ t: fc.constant("disconnect" as const), storedWithoutAck: fc.integer({ min: 0, max: 3 }) }),
);

/**
 * A model of the server on a lossy connection: frames are processed in the order they were sent
 * (one socket is FIFO); storing is idempotent on the message id; an ack can be lost; a frame can be
 * refused for now; a disconnect drops whatever is still on the wire, after storing a few of them.
 */
function simulate(window: number, ops: Op[], allowTransient: boolean) {
  const outbox = new Outbox(window);
  const added = new Map<string, MessageId[]>();
  const logs = new Map<string, MessageId[]>();
  let wire: OutboxItem[] = [];
  let sends = 0;
  const store = (i: OutboxItem) => {
    const log = logs.get(i.conversationId) ?? [];
    if (!log.includes(i.messageId)) log.push(i.messageId);
    logs.set(i.conversationId, log);
  };
  const flush = () => {
    const taken = outbox.take();
    sends += taken.length;
    wire.push(...taken);
  };
  for (const op of ops) {
    if (op.t === "add") {
      const cid = CONVS[op.conv] as ConversationId;
      const it = item(outbox, cid, 0);
      added.set(cid, [...(added.get(cid) ?? []), it.messageId]);
      outbox.add(it);
    } else if (op.t === "process") {
      const head = wire.shift();
      if (!head) continue;
      if (op.outcome === "transient" && allowTransient) outbox.release(head.messageId);
      else {
        store(head);
        if (op.outcome !== "ack_lost") outbox.settle(head.messageId);
      }
    } else {
      for (const f of wire.slice(0, op.storedWithoutAck)) store(f);
      wire = [];
      outbox.releaseAll();
    }
    // In-flight per conversation never exceeds the window.
    const perConv = new Map<string, number>();
    for (const f of wire) perConv.set(f.conversationId, (perConv.get(f.conversationId) ?? 0) + 1);
    for (const n of perConv.values()) expect(n).toBeLessThanOrEqual(window);
    flush();
  }
  // Drain on a good connection (after a reconnect, since acks may have been lost).
  wire = [];
  outbox.releaseAll();
  flush();
  while (wire.length > 0) {
    const head = wire.shift() as OutboxItem;
    store(head);
    outbox.settle(head.messageId);
    flush();
  }
  return { outbox, added, logs, sends };
}

describe("Outbox", () => {
  it("window 1: every item stored exactly once, in queue order per conversation — despite lost acks, transient refusals and disconnects", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 120 }), (ops) => {
        const { outbox, added, logs } = simulate(1, ops, true);
        expect(outbox.size).toBe(0);
        for (const cid of CONVS) expect(logs.get(cid) ?? []).toEqual(added.get(cid) ?? []);
      }),
    );
  });

  it("window 8 (pipelined): the same, without transient refusals", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 120 }), (ops) => {
        const { outbox, added, logs } = simulate(8, ops, false);
        expect(outbox.size).toBe(0);
        for (const cid of CONVS) expect(logs.get(cid) ?? []).toEqual(added.get(cid) ?? []);
      }),
    );
  });

  it("conversations do not wait for each other", () => {
    const o = new Outbox(1);
    const a1 = item(o, CONVS[0], 1);
    const a2 = item(o, CONVS[0], 2);
    const b1 = item(o, CONVS[1], 1);
    o.add(a1, a2, b1);
    expect(o.take().map((i) => i.messageId)).toEqual([a1.messageId, b1.messageId]);
    expect(o.take()).toEqual([]);
    o.settle(a1.messageId);
    expect(o.take().map((i) => i.messageId)).toEqual([a2.messageId]);
  });

  it("a resend after a disconnect is the same item (same id, same bytes)", () => {
    const o = new Outbox(4);
    const a = item(o, CONVS[0], 1);
    o.add(a);
    const [first] = o.take();
    o.releaseAll();
    const [again] = o.take();
    expect(again).toBe(first);
  });

  it("restored items are ordered by position and duplicates are ignored", () => {
    const o = new Outbox(3);
    const [x, y, z] = [item(o, CONVS[0], 1), item(o, CONVS[0], 2), item(o, CONVS[0], 3)];
    o.add(z, x);
    o.add(y, x);
    expect(o.size).toBe(3);
    expect(o.take().map((i) => i.messageId)).toEqual([x, y, z].map((i) => i.messageId));
    expect(o.has(y.messageId)).toBe(true);
    expect(o.settle(y.messageId)).toBe(y);
    expect(o.settle(y.messageId)).toBeUndefined();
  });

  it("positions strictly increase, even within one millisecond and after restoring later ones", () => {
    const o = new Outbox();
    const p1 = o.nextPosition(1000);
    const p2 = o.nextPosition(1000);
    o.add({ ...item(o, CONVS[0], 1), position: 5000 });
    const p3 = o.nextPosition(1000);
    expect(p1 < p2 && p2 < p3 && p3 > 5000).toBe(true);
  });

  it("refuses a window below 1", () => {
    expect(() => new Outbox(0)).toThrow(RangeError);
  });
});
