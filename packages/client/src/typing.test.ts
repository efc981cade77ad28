import { type ConversationId, TYPING_REFRESH_MS, TYPING_TTL_MS, type UserId } from "@hearth/protocol";
import { describe, expect, it } from "vitest";
import { ManualClock } from "./testing/manual-clock.ts";
import { Typing } from "./typing.ts";

const A = "cnv_AAAAAAAAAAAAAAAAAAAAAA" as ConversationId;
const U = "usr_UUUUUUUUUUUUUUUUUUUUUU" as UserId;

function setUp(enabled = true) {
  const clock = new ManualClock();
  const frames: Record<string, unknown>[] = [];
  const changes: { conversationId: ConversationId; userId: UserId; active: boolean }[] = [];
  const typing = new Typing(
    {
      clock,
      idleMs: 5_000,
      send: (f) => {
        frames.push(f);
        return true;
      },
      changed: (e) => changes.push(e),
    },
    enabled,
  );
  return { clock, frames, changes, typing };
}

describe("Typing", () => {
  it("sends one active frame per refresh interval, and a stop after idling", () => {
    const { clock, frames, typing } = setUp();
    typing.set(A, true);
    clock.advance(100);
    typing.set(A, true);
    expect(frames).toEqual([{ type: "typing", conversationId: A, active: true }]);
    clock.advance(TYPING_REFRESH_MS);
    typing.set(A, true);
    expect(frames).toHaveLength(2);
    clock.advance(5_000);
    expect(frames.at(-1)).toEqual({ type: "typing", conversationId: A, active: false });
    expect(frames).toHaveLength(3);
  });

  it("a send stops typing at once, and the next keystroke starts again without waiting", () => {
    const { frames, typing } = setUp();
    typing.set(A, true);
    typing.stopOnSend(A);
    typing.set(A, true);
    expect(frames.map((f) => f.active)).toEqual([true, false, true]);
  });

  it("turned off: stops what stands and sends nothing more", () => {
    const { frames, typing } = setUp();
    typing.set(A, true);
    typing.setEnabled(false);
    typing.set(A, true);
    expect(frames.map((f) => f.active)).toEqual([true, false]);
    const off = setUp(false);
    off.typing.set(A, true);
    expect(off.frames).toEqual([]);
  });

  it("others' typing: reported once, expires by itself after the TTL, or ends on their stop", () => {
    const { clock, changes, typing } = setUp();
    typing.received(A, U, true, 0);
    typing.received(A, U, true, 0);
    expect(changes).toEqual([{ conversationId: A, userId: U, active: true }]);
    clock.advance(TYPING_TTL_MS);
    expect(changes.at(-1)).toEqual({ conversationId: A, userId: U, active: false });
    typing.received(A, U, true, 1_000);
    typing.received(A, U, false, 0);
    typing.received(A, U, false, 0);
    expect(changes.map((c) => c.active)).toEqual([true, false, true, false]);
    typing.stop();
    expect(clock.pending).toBe(0);
  });
});
