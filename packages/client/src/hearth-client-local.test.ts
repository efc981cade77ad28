import { type ConversationId, type DeviceId, newId, type UserId } from "@hearth/protocol";
import { describe, expect, it } from "vitest";
import type { StoredMessage } from "./client-store.ts";
import type { WebSocketConstructor } from "./connection/connection.ts";
import { HearthClient } from "./hearth-client.ts";
import { MemoryClientStore } from "./memory-client-store.ts";
import { unencryptedCodecForTests } from "./payload-codec.ts";

// Never opened: these tests read only what the device holds.
const WebSocket = class {} as unknown as WebSocketConstructor;
const me = newId("usr") as UserId;
const them = newId("usr") as UserId;
const cid = newId("cnv") as ConversationId;
const entry = (seq: number, senderId: UserId, kind: StoredMessage["kind"] = "message"): StoredMessage => ({
  conversationId: cid,
  seq,
  messageId: newId("msg"),
  senderId,
  senderDeviceId: newId("dev") as DeviceId,
  sentAt: new Date(0).toISOString(),
  kind,
  ...(kind === "message" ? { content: { text: `m${seq}` } } : {}),
});

function clientOver(store: MemoryClientStore): HearthClient {
  return new HearthClient({
    baseUrl: "http://127.0.0.1:1",
    token: "t",
    userId: me,
    WebSocket,
    store,
    codec: unencryptedCodecForTests,
  });
}

describe("HearthClient, from what the device holds", () => {
  it("unreadAfter counts the others' messages after the read marker, not mine, deletions or commits", async () => {
    const store = new MemoryClientStore();
    await store.saveDelivered(entry(1, them));
    await store.saveDelivered(entry(2, me));
    await store.saveDelivered(entry(3, them));
    await store.saveDelivered(entry(4, them, "commit"));
    await store.saveDelivered(entry(5, them, "tombstone"));
    const client = clientOver(store);
    expect(await client.unreadAfter(cid, 0)).toBe(2);
    expect(await client.unreadAfter(cid, 1)).toBe(1);
    // Read up to the last message: the commit and the deletion after it are not "new messages".
    expect(await client.unreadAfter(cid, 3)).toBe(0);
  });

  it("savedConversations answers the list saved by an earlier client over the same store", async () => {
    const store = new MemoryClientStore();
    const summary = {
      conversationId: cid,
      members: [{ userId: them, displayName: "Sky" }],
      lastSeq: 3,
      readSeq: 3,
      unread: 0,
    } as never;
    await clientOver(store).saveConversations([summary]);
    const again = await clientOver(store).savedConversations();
    expect(again.map((c) => c.conversationId)).toEqual([cid]);
  });
});
