import { type ConversationSummary, newId } from "@hearth/protocol";
import { describe, expect, it } from "vitest";
import type { StoredMessage } from "./client-store.ts";
import { MemoryClientStore } from "./memory-client-store.ts";

const cid = newId("cnv");
const msg = (seq: number, extra: Partial<StoredMessage> = {}): StoredMessage => ({
  conversationId: cid,
  seq,
  messageId: newId("msg"),
  senderId: newId("usr"),
  senderDeviceId: newId("dev"),
  sentAt: new Date(0).toISOString(),
  kind: "message",
  content: { text: `m${seq}` },
  ...extra,
});

describe("MemoryClientStore", () => {
  it("saveDelivered keeps the message and moves the cursor together", async () => {
    const s = new MemoryClientStore();
    await s.saveDelivered(msg(1));
    await s.saveDelivered(msg(2));
    expect(await s.loadCursors()).toEqual({ [cid]: 2 });
    expect((await s.loadMessages(cid)).map((m) => m.seq)).toEqual([1, 2]);
    expect((await s.loadMessages(cid, { beforeSeq: 2 })).map((m) => m.seq)).toEqual([1]);
    expect((await s.loadMessages(cid, { limit: 1 })).map((m) => m.seq)).toEqual([2]);
  });

  it("a tombstone erases its target's content", async () => {
    const s = new MemoryClientStore();
    const first = msg(1);
    await s.saveDelivered(first);
    await s.saveDelivered(msg(2, { kind: "tombstone", target: first.messageId, content: undefined }));
    const [m1, m2] = await s.loadMessages(cid);
    expect(m1).toMatchObject({ kind: "deleted", messageId: first.messageId });
    expect(m1).not.toHaveProperty("content");
    expect(m2).toMatchObject({ kind: "tombstone", target: first.messageId });
  });

  it("keeps at most the configured number of messages per conversation", async () => {
    const s = new MemoryClientStore({ maxMessagesPerConversation: 3 });
    for (let i = 1; i <= 5; i++) await s.saveDelivered(msg(i));
    expect((await s.loadMessages(cid)).map((m) => m.seq)).toEqual([3, 4, 5]);
    expect(await s.loadCursors()).toEqual({ [cid]: 5 });
  });

  it("keeps the outbox by message id", async () => {
    const s = new MemoryClientStore();
    const item = {
      kind: "send" as const,
      conversationId: cid,
      messageId: newId("msg"),
      body: "eA==",
      createdAt: 1,
      position: 1,
    };
    await s.putOutbox(item);
    await s.putOutbox(item);
    expect(await s.loadOutbox()).toEqual([item]);
    await s.removeOutbox(item.messageId);
    expect(await s.loadOutbox()).toEqual([]);
  });

  it("keeps the conversation list as saved, apart from the caller's later changes", async () => {
    const s = new MemoryClientStore();
    expect(await s.loadConversations()).toEqual([]);
    const summary = {
      conversationId: cid,
      kind: "direct",
      title: null,
      members: [{ userId: newId("usr"), displayName: "Sky", role: "patient", readSeq: 3, deliveredSeq: 4 }],
      lastSeq: 4,
      readSeq: 2,
      unread: 2,
      lastActivityAt: new Date(0).toISOString(),
    } as unknown as ConversationSummary;
    await s.saveConversations([summary]);
    summary.unread = 0;
    const loaded = await s.loadConversations();
    expect(loaded).toHaveLength(1);
    expect(loaded[0]?.unread).toBe(2);
    expect(loaded[0]?.members[0]?.displayName).toBe("Sky");
  });
});
