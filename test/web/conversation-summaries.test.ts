import type { ConversationSummary } from "@hearth/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keepReadMarkers, moveReadSeq } from "../../apps/web/src/state/session/conversation-summaries.ts";

/** A conversation as the server lists it, with only the marks that matter here. */
function summary(
  conversationId: string,
  readSeq: number,
  lastSeq: number,
  unread: number,
): ConversationSummary {
  return {
    conversationId,
    kind: "direct",
    members: [],
    lastSeq,
    lastActivityAt: "2026-12-08T00:00:00.000Z",
    readSeq,
    unread,
  } as unknown as ConversationSummary;
}

describe("the conversation list's read markers (web)", () => {
  it("a fetched list keeps a read marker this device moved further, and nothing unread past it", () => {
    const before = [summary("c1", 40, 40, 0), summary("c2", 5, 9, 4)];
    // The server has not had c1's receipt yet; c2 is as this device has it.
    const fetched = [summary("c1", 30, 40, 10), summary("c2", 5, 9, 4), summary("c3", 0, 2, 2)];
    const kept = keepReadMarkers(before, fetched);
    expect(kept.map((k) => [k.summary.conversationId, k.serverReadSeq])).toEqual([["c1", 30]]);
    expect(kept[0]!.summary).toBe(fetched[0]);
    expect(fetched[0]).toMatchObject({ readSeq: 40, unread: 0 });
    expect(fetched[1]).toMatchObject({ readSeq: 5, unread: 4 });
    expect(fetched[2]).toMatchObject({ readSeq: 0, unread: 2 });
  });

  it("a message that came after the kept marker stays unread until recounted", () => {
    const fetched = [summary("c1", 30, 41, 11)];
    expect(keepReadMarkers([summary("c1", 40, 40, 0)], fetched)).toHaveLength(1);
    // The server's count is from its older marker: too high, never too low (the list recounts).
    expect(fetched[0]).toMatchObject({ readSeq: 40, unread: 11 });
  });

  it("never moves a marker back, and changes nothing where the server's is as far", () => {
    fc.assert(
      fc.property(fc.nat(50), fc.nat(50), fc.nat(50), fc.nat(20), (mine, server, extra, unread) => {
        const fetched = [summary("c1", server, server + extra, unread)];
        const kept = keepReadMarkers([summary("c1", mine, mine, 0)], fetched);
        const [after] = fetched;
        expect(after!.readSeq).toBe(Math.max(mine, server));
        expect(kept.length).toBe(mine > server ? 1 : 0);
        const emptied = mine > server && mine >= server + extra;
        expect(after!.unread).toBe(emptied ? 0 : unread);
      }),
    );
  });

  it("a marker moved here goes forward only", () => {
    const list = [summary("c1", 10, 20, 10)];
    expect(moveReadSeq(list, "c1", 5)).toBe(false);
    expect(list[0]!.readSeq).toBe(10);
    expect(moveReadSeq(list, "c1", 20)).toBe(true);
    expect(list[0]).toMatchObject({ readSeq: 20, unread: 0 });
  });
});
