import type { ConversationId } from "@hearth/protocol";
import { describe, expect, it } from "vitest";
import { Receipts } from "./receipts.ts";
import { ManualClock } from "./testing/manual-clock.ts";

const A = "cnv_AAAAAAAAAAAAAAAAAAAAAA" as ConversationId;
const B = "cnv_BBBBBBBBBBBBBBBBBBBBBB" as ConversationId;

function setUp(opts: { connected?: boolean; sendRead?: boolean } = {}) {
  const clock = new ManualClock();
  const frames: Record<string, unknown>[] = [];
  const state = { connected: opts.connected ?? true, open: true, sendRead: opts.sendRead ?? true };
  const receipts = new Receipts({
    clock,
    delayMs: 50,
    sendRead: () => state.sendRead,
    connected: () => state.connected,
    send: (f) => {
      if (!state.open) return false;
      frames.push(f);
      return true;
    },
  });
  return { clock, frames, state, receipts };
}

describe("Receipts", () => {
  it("batches: only the highest watermark per conversation and kind goes, after the delay", () => {
    const { clock, frames, receipts } = setUp();
    receipts.want(A, "delivered", 1);
    receipts.want(A, "delivered", 3);
    receipts.want(A, "delivered", 2);
    receipts.want(B, "read", 7);
    expect(frames).toEqual([]);
    clock.advance(50);
    expect(frames).toEqual([
      { type: "receipt", conversationId: A, kind: "delivered", seq: 3 },
      { type: "receipt", conversationId: B, kind: "read", seq: 7 },
    ]);
    // A watermark at or below what was sent is not sent again.
    receipts.want(A, "delivered", 3);
    clock.advance(50);
    expect(frames).toHaveLength(2);
    expect(receipts.watermark(A, "delivered")).toBe(3);
  });

  it("waits while not connected and sends what it kept on the next flush", () => {
    const { clock, frames, state, receipts } = setUp({ connected: false });
    receipts.want(A, "read", 4);
    clock.advance(50);
    expect(frames).toEqual([]);
    state.connected = true;
    state.open = false; // connected but the socket refuses: still kept
    receipts.flush();
    expect(frames).toEqual([]);
    state.open = true;
    receipts.flush();
    expect(frames).toEqual([{ type: "receipt", conversationId: A, kind: "read", seq: 4 }]);
  });

  it("marks read receipts private when read receipts are off; delivered ones are unchanged", () => {
    const { clock, frames, receipts } = setUp({ sendRead: false });
    receipts.want(A, "read", 2);
    receipts.want(A, "delivered", 2);
    clock.advance(50);
    expect(frames).toContainEqual({
      type: "receipt",
      conversationId: A,
      kind: "read",
      seq: 2,
      private: true,
    });
    expect(frames).toContainEqual({ type: "receipt", conversationId: A, kind: "delivered", seq: 2 });
  });

  it("stop() leaves no timer behind", () => {
    const { clock, frames, receipts } = setUp();
    receipts.want(A, "delivered", 1);
    receipts.stop();
    expect(clock.pending).toBe(0);
    clock.advance(100);
    expect(frames).toEqual([]);
  });
});
