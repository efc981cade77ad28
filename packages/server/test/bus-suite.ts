import type { LogEntry, UserId } from "@hearth/protocol";
import { expect, it } from "vitest";
import type { Bus, BusEvent } from "../src/bus/bus.ts";

/** A log entry as the bus carries it (the bus never reads it, so the ids need not be real). */
const entry = (conversationId: string, seq: number) =>
  ({
    conversationId,
    seq,
    messageId: `msg_${seq}`,
    senderId: "usr_a",
    senderDeviceId: "dev_a",
    sentAt: "2026-01-01T00:00:00.000Z",
    kind: "message",
    body: "",
  }) as unknown as LogEntry;

const waitFor = async (pred: () => boolean, what: string) => {
  for (let i = 0; i < 200; i++) {
    if (pred()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
};

/**
 * The conformance suite every Bus adapter must pass. `makeBus` may be called several times: buses
 * made by one call to `makePair` behave like two nodes sharing one fan-out.
 */
export function runBusSuite(makePair: () => Promise<[Bus, Bus]>) {
  it("delivers a published event to every subscriber of the topic, on every node", async () => {
    const [a, b] = await makePair();
    const gotA: BusEvent[] = [];
    const gotB: BusEvent[] = [];
    const sa = a.subscribe("conv:x", (e) => gotA.push(e));
    const sb = b.subscribe("conv:x", (e) => gotB.push(e));
    await Promise.all([sa.ready, sb.ready]);
    const ev: BusEvent = { type: "entry", entry: entry("x", 1) };
    a.publish("conv:x", ev);
    await waitFor(() => gotA.length === 1 && gotB.length === 1, "both nodes");
    expect(gotA).toEqual([ev]);
    expect(gotB).toEqual([ev]);
    await a.close();
    await b.close();
  });

  it("does not deliver other topics, nor after unsubscribe", async () => {
    const [a, b] = await makePair();
    const got: BusEvent[] = [];
    const s = b.subscribe("conv:y", (e) => got.push(e));
    await s.ready;
    a.publish("conv:other", { type: "presence", userId: "u" as UserId, online: true });
    a.publish("conv:y", { type: "presence", userId: "u" as UserId, online: true });
    await waitFor(() => got.length === 1, "the subscribed topic");
    s.off();
    // A marker on a still-subscribed topic proves later events had time to arrive.
    const marker: BusEvent[] = [];
    const m = b.subscribe("conv:marker", (e) => marker.push(e));
    await m.ready;
    a.publish("conv:y", { type: "presence", userId: "u" as UserId, online: false });
    a.publish("conv:marker", { type: "presence", userId: "m" as UserId, online: true });
    await waitFor(() => marker.length === 1, "the marker");
    expect(got).toHaveLength(1);
    await a.close();
    await b.close();
  });

  it("keeps per-topic publish order", async () => {
    const [a, b] = await makePair();
    const seqs: number[] = [];
    const s = b.subscribe("conv:z", (e) => {
      if (e.type === "entry") seqs.push(e.entry.seq);
    });
    await s.ready;
    for (let i = 1; i <= 200; i++) a.publish("conv:z", { type: "entry", entry: entry("z", i) });
    await waitFor(() => seqs.length === 200, "200 events");
    expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    await a.close();
    await b.close();
  });
}
