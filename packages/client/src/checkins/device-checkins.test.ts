import type { ConversationId, DeviceId, MessageId, UserId } from "@hearth/protocol";
import { describe, expect, it } from "vitest";
import type { OutboxItem, StoredMessage } from "../client-store.ts";
import { MemoryClientStore } from "../memory-client-store.ts";
import type { MessageContent } from "../payload-codec.ts";
import { scoredCheckins } from "./checkin-trends.ts";
import { deviceCheckinEntries } from "./device-checkins.ts";

const cid = "cnv_CCCCCCCCCCCCCCCCCCCCCC" as ConversationId;
const other = "cnv_OOOOOOOOOOOOOOOOOOOOOO" as ConversationId;
const patient = "usr_PPPPPPPPPPPPPPPPPPPPPP" as UserId;
const planId = "pln_AAAAAAAAAAAAAAAAAAAAAA";
const mood = (value: number, answeredAt: string): MessageContent => ({
  kind: "checkin",
  text: "Check-in answered",
  checkin: { planId, instrument: "mood", answers: [value], answeredAt },
});
const text = (t: string): MessageContent => ({ text: t });
const stored = (conversationId: ConversationId, seq: number, content: MessageContent): StoredMessage => ({
  conversationId,
  seq,
  messageId: `msg_${conversationId.slice(4, 8)}${String(seq).padStart(12, "0")}` as MessageId,
  senderId: patient,
  senderDeviceId: "dev_DDDDDDDDDDDDDDDDDDDDDD" as DeviceId,
  sentAt: new Date(Date.UTC(2026, 0, 1) + seq * 60_000).toISOString(),
  kind: "message",
  content,
});

/**
 * The check-ins a device holds, read from the whole local store: trends and the FHIR export see
 * every answer since the conversation began, not only the page a screen loaded.
 */
describe("device check-in entries", () => {
  it("finds every answer across the whole stored history, pending ones too, oldest first", async () => {
    const store = new MemoryClientStore({ maxMessagesPerConversation: 5000 });
    // 1,200 entries: answers at the very start, in the middle and at the end; text in between.
    for (let seq = 1; seq <= 1200; seq++) {
      const content =
        seq === 1
          ? mood(2, "2026-01-01T20:00:00.000Z")
          : seq === 600
            ? mood(3, "2026-02-01T20:00:00.000Z")
            : seq === 1200
              ? mood(4, "2026-03-01T20:00:00.000Z")
              : text(`m${seq}`);
      await store.saveDelivered(stored(cid, seq, content));
    }
    await store.saveDelivered(stored(other, 1, mood(1, "2026-01-02T20:00:00.000Z")));
    // What a screen loads by default holds only the newest answer.
    expect((await store.loadMessages(cid)).filter((m) => m.content?.kind === "checkin")).toHaveLength(1);

    const pending: OutboxItem[] = [
      {
        kind: "send",
        conversationId: cid,
        messageId: "msg_pending000000000001" as MessageId,
        content: mood(5, "2026-03-02T20:00:00.000Z"),
        createdAt: Date.UTC(2026, 2, 2, 20),
        position: 1,
      },
      {
        kind: "send",
        conversationId: other,
        messageId: "msg_pending000000000002" as MessageId,
        content: mood(1, "2026-03-02T20:00:00.000Z"),
        createdAt: Date.UTC(2026, 2, 2, 20),
        position: 2,
      },
    ];
    const source = {
      localMessages: (c: ConversationId, o?: { beforeSeq?: number; limit?: number }) =>
        store.loadMessages(c, o),
      pendingItems: () => pending,
      userId: patient,
    };
    for (const pageSize of [500, 7, 1200, 5000]) {
      const entries = await deviceCheckinEntries(source, cid, { pageSize });
      expect(entries.map((e) => e.messageId)).toEqual([
        stored(cid, 1, text("")).messageId,
        stored(cid, 600, text("")).messageId,
        stored(cid, 1200, text("")).messageId,
        "msg_pending000000000001",
      ]);
      expect(scoredCheckins(entries).map((c) => c.score.total)).toEqual([2, 3, 4, 5]);
      expect(entries.at(-1)?.senderId).toBe(patient);
    }
  });

  it("leaves out deleted answers and adds what only an open view has", async () => {
    const store = new MemoryClientStore();
    await store.saveDelivered(stored(cid, 1, mood(2, "2026-01-01T20:00:00.000Z")));
    await store.saveDelivered(stored(cid, 2, mood(3, "2026-01-02T20:00:00.000Z")));
    await store.saveDelivered({
      ...stored(cid, 3, text("")),
      kind: "tombstone",
      target: stored(cid, 1, text("")).messageId,
    });
    const live = {
      messageId: "msg_live00000000000001",
      senderId: patient,
      sentAt: "2026-01-03T20:00:00.000Z",
      content: mood(4, "2026-01-03T20:00:00.000Z"),
    };
    const entries = await deviceCheckinEntries(
      { localMessages: (c, o) => store.loadMessages(c, o), pendingItems: () => [], userId: patient },
      cid,
      { also: [live, { ...live, messageId: "msg_text0000000000001", content: text("hi") }] },
    );
    expect(scoredCheckins(entries).map((c) => c.score.total)).toEqual([3, 4]);
  });
});
