/**
 * The paced and saturated message load of bench/cluster.ts over raw protocol sockets: each
 * conversation is a pair of {@link RawClient}s; a message counts as durable once the server has
 * acked it to its sender (stored) and the other member's socket has received it.
 */
import { type ConversationId, newId } from "@hearth/protocol";
import type { RawClient } from "./harness.ts";
import { percentile } from "./stats.ts";

export interface Conversation {
  conversationId: ConversationId;
  sides: [RawClient, RawClient];
}

export interface LoadResult {
  offered: number;
  /** Acked and delivered during the clock. */
  durable: number;
  secs: number;
  p50: number;
  p99: number;
  max: number;
  ackP99: number;
  errors: Map<string, number>;
  /** Sent but neither acked nor delivered when the drain gave up. */
  lost: number;
}

interface Pending {
  t0: number;
  conv: number;
  acked: boolean;
  delivered: boolean;
}

/** Runs one phase: `paced` offers `rate` msg/s per conversation, `saturated` keeps `window` in flight. */
export async function runLoad(
  convs: Conversation[],
  phase: "paced" | "saturated",
  opts: { seconds: number; rate: number; window: number },
): Promise<LoadResult> {
  const pending = new Map<number, Pending>();
  const lat: number[] = [];
  const ackLat: number[] = [];
  const errors = new Map<string, number>();
  const inflight = new Array<number>(convs.length).fill(0);
  let nextId = 1;
  let offered = 0;
  let durable = 0;
  let running = true;

  const sendOne = (i: number) => {
    const id = nextId++;
    const c = convs[i]!;
    pending.set(id, { t0: performance.now(), conv: i, acked: false, delivered: false });
    inflight[i]!++;
    offered++;
    c.sides[id % 2]!.ws.send(
      JSON.stringify({
        type: "send",
        id,
        conversationId: c.conversationId,
        messageId: newId("msg"),
        body: Buffer.from(String(id)).toString("base64"),
      }),
    );
  };
  const settle = (id: number, p: Pending) => {
    if (!p.acked || !p.delivered) return;
    pending.delete(id);
    inflight[p.conv]!--;
    if (running) durable++;
    if (phase === "saturated" && running) sendOne(p.conv);
  };
  for (const c of convs) {
    for (const side of c.sides) {
      side.onFrame = (f) => {
        if (f.type === "ack") {
          const p = pending.get(f.id);
          if (!p || p.acked) return;
          p.acked = true;
          ackLat.push(performance.now() - p.t0);
          settle(f.id, p);
        } else if (f.type === "message") {
          if (f.entry.senderDeviceId === side.deviceId || !f.entry.body) return;
          const id = Number(Buffer.from(f.entry.body, "base64").toString());
          const p = pending.get(id);
          if (!p || p.delivered) return;
          p.delivered = true;
          lat.push(performance.now() - p.t0);
          settle(id, p);
        } else if (f.type === "error") {
          errors.set(f.code, (errors.get(f.code) ?? 0) + 1);
          // A refused send is not retried here; it is counted and leaves the window.
          const p = f.id === undefined ? undefined : pending.get(f.id);
          if (p && !p.acked) {
            pending.delete(f.id!);
            inflight[p.conv]!--;
            if (phase === "saturated" && running) sendOne(p.conv);
          }
        }
      };
    }
  }

  const start = performance.now();
  let ticker: ReturnType<typeof setInterval> | undefined;
  if (phase === "paced") {
    // Every 10 ms this tick's share of N × rate msg/s, round-robin over the conversations.
    let carry = 0;
    let rr = 0;
    ticker = setInterval(() => {
      carry += (convs.length * opts.rate) / 100;
      while (carry >= 1) {
        sendOne(rr);
        rr = (rr + 1) % convs.length;
        carry--;
      }
    }, 10);
  } else {
    for (let i = 0; i < convs.length; i++) for (let w = 0; w < opts.window; w++) sendOne(i);
  }
  await new Promise((r) => setTimeout(r, opts.seconds * 1000));
  running = false;
  clearInterval(ticker);
  const secs = (performance.now() - start) / 1000;
  // Let what is in flight land, so the next phase starts clean; what never lands is reported.
  const drainUntil = Date.now() + 30_000;
  while (pending.size > 0 && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 50));
  const sorted = lat.sort((a, b) => a - b);
  const ackSorted = ackLat.sort((a, b) => a - b);
  return {
    offered,
    durable,
    secs,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    ackP99: percentile(ackSorted, 99),
    errors,
    lost: pending.size,
  };
}
