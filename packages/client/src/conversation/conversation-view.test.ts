import type { ConversationId, ConversationSummary, DeviceId, MessageId, UserId } from "@hearth/protocol";
import { describe, expect, it } from "vitest";
import type { WebSocketConstructor } from "../connection/connection.ts";
import { HearthClient } from "../hearth-client.ts";
import { MemoryClientStore } from "../memory-client-store.ts";
import { unencryptedCodecForTests } from "../payload-codec.ts";

// Never opened: these views are loaded from the store before any connection.
const WebSocket = class {} as unknown as WebSocketConstructor;
const cid = "cnv_AAAAAAAAAAAAAAAAAAAAAA" as ConversationId;
const me = "usr_MEMEMEMEMEMEMEMEMEMEMA" as UserId;
const them = "usr_THEMTHEMTHEMTHEMTHEMA" as UserId;

/** A store as a reload finds it: two delivered messages and one still queued. */
async function storeWithHistory(): Promise<MemoryClientStore> {
  const store = new MemoryClientStore();
  const delivered = (seq: number, senderId: UserId, text: string) =>
    store.saveDelivered({
      conversationId: cid,
      seq,
      messageId: `msg_${seq}` as MessageId,
      senderId,
      senderDeviceId: "dev_x" as DeviceId,
      sentAt: new Date(1_700_000_000_000 + seq).toISOString(),
      kind: "message",
      content: { text },
    });
  await delivered(1, me, "Mine");
  await delivered(2, them, "Theirs");
  await store.putOutbox({
    kind: "send",
    conversationId: cid,
    messageId: "msg_queued" as MessageId,
    body: "",
    content: { text: "Still queued" },
    createdAt: 1_700_000_000_100,
    position: 1,
  });
  return store;
}

function client(store: MemoryClientStore, userId?: UserId): HearthClient {
  return new HearthClient({
    baseUrl: "http://localhost:1",
    token: "t",
    WebSocket,
    fetch: globalThis.fetch,
    codec: unencryptedCodecForTests,
    store,
    ...(userId ? { userId } : {}),
  });
}

describe("ConversationView before the first connect", () => {
  it("with the user known from sign-in, tells own messages and their statuses apart at once", async () => {
    const view = client(await storeWithHistory(), me).conversation(cid);
    view.setMembers([me, them]);
    view.setWatermark(them, "read", 1);
    await view.load();
    expect(view.messages.map((m) => [m.seq, m.own, m.senderId, m.status, m.content?.text])).toEqual([
      [1, true, me, "read", "Mine"],
      [2, false, them, "sent", "Theirs"],
      [undefined, true, me, "pending", "Still queued"],
    ]);
  });

  it("without it, nothing is this user's until the server says who they are", async () => {
    const view = client(await storeWithHistory()).conversation(cid);
    view.setMembers([me, them]);
    view.setWatermark(them, "read", 1);
    await view.load();
    expect(view.messages.map((m) => [m.seq, m.own, m.status])).toEqual([
      [1, false, "sent"],
      [2, false, "sent"],
      [undefined, true, "pending"],
    ]);
  });
});

describe("ConversationView.setSummary", () => {
  const summary = (theirs: { deliveredSeq: number; readSeq: number }): ConversationSummary => ({
    conversationId: cid,
    kind: "direct",
    members: [
      { userId: me, displayName: "Rowan", role: "therapist", deliveredSeq: 2, readSeq: 2 },
      { userId: them, displayName: "Sky", role: "patient", ...theirs },
    ],
    lastSeq: 2,
    lastActivityAt: new Date(1_700_000_000_002).toISOString(),
    readSeq: 2,
    unread: 0,
  });
  const own = (view: { messages: readonly { own: boolean; status: string }[] }) =>
    view.messages.filter((m) => m.own).map((m) => m.status);

  it("takes the members and their marks from the conversation list; marks never move back", async () => {
    const view = client(await storeWithHistory(), me).conversation(cid);
    await view.load();
    expect(own(view)).toEqual(["sent", "pending"]);
    view.setSummary(summary({ deliveredSeq: 1, readSeq: 0 }));
    expect(own(view)).toEqual(["delivered", "pending"]);
    view.setSummary(summary({ deliveredSeq: 1, readSeq: 1 }));
    expect(own(view)).toEqual(["read", "pending"]);
    view.setSummary(summary({ deliveredSeq: 0, readSeq: 0 }));
    expect(own(view)).toEqual(["read", "pending"]);
  });

  it("refuses another conversation's summary", async () => {
    const view = client(await storeWithHistory(), me).conversation(cid);
    const other = {
      ...summary({ deliveredSeq: 0, readSeq: 0 }),
      conversationId: "cnv_BBBBBBBBBBBBBBBBBBBBBB",
    };
    expect(() => view.setSummary(other as ConversationSummary)).toThrow(/another conversation/);
  });
});
