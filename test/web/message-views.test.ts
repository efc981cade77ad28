import { HearthClient, MemoryClientStore, unencryptedCodecForTests } from "@hearth/client";
import type { ConversationId, DeviceId, MessageId, UserId } from "@hearth/protocol";
import { describe, expect, it } from "vitest";
import { MessageViews } from "../../apps/web/src/state/session/message-views.ts";

const cid = "cnv_AAAAAAAAAAAAAAAAAAAAAA" as ConversationId;
const me = "usr_MEMEMEMEMEMEMEMEMEMEMA" as UserId;
const them = "usr_THEMTHEMTHEMTHEMTHEMA" as UserId;

/** What a reload finds: my message, one of theirs this device can't read, and two queued of mine. */
async function reloadedClient(): Promise<HearthClient> {
  const store = new MemoryClientStore();
  const base = { conversationId: cid, senderDeviceId: "dev_x" as DeviceId, kind: "message" as const };
  await store.saveDelivered({
    ...base,
    seq: 1,
    messageId: "msg_1" as MessageId,
    senderId: me,
    sentAt: new Date(1_700_000_000_001).toISOString(),
    content: { text: "Mine" },
  });
  await store.saveDelivered({
    ...base,
    seq: 2,
    messageId: "msg_2" as MessageId,
    senderId: them,
    sentAt: new Date(1_700_000_000_002).toISOString(),
    undecryptable: "missing_keys",
  });
  const queued = { kind: "send" as const, conversationId: cid, body: "", createdAt: 1_700_000_000_100 };
  await store.putOutbox({
    ...queued,
    messageId: "msg_q1" as MessageId,
    content: { text: "See you", replyTo: "msg_1" as MessageId },
    position: 1,
  });
  // Queued by an older version, which kept no content.
  await store.putOutbox({ ...queued, messageId: "msg_q2" as MessageId, position: 2 });
  return new HearthClient({
    baseUrl: "http://localhost:1",
    token: "t",
    userId: me,
    // Never connected: the views are loaded from the store.
    WebSocket: class {} as never,
    fetch: globalThis.fetch,
    codec: unencryptedCodecForTests,
    store,
  });
}

describe("MessageViews: the SDK's conversation view, mapped for the chat", () => {
  it("maps stored and pending messages, with statuses from the marks it is seeded with", async () => {
    const client = await reloadedClient();
    let changes = 0;
    const views = new MessageViews(
      client,
      me,
      () => changes++,
      (id) => {
        views.setWatermarks(id, new Map([[them, { delivered: 1, read: 0 }]]));
      },
    );
    expect(views.list(cid)).toBeUndefined();
    await views.open(cid);
    const loaded = views.list(cid);
    expect(loaded?.list.map((m) => [m.messageId, m.seq, m.own, m.text, m.undecryptable, m.status])).toEqual([
      ["msg_1", 1, true, "Mine", false, "sent"],
      ["msg_2", 2, false, undefined, true, "sent"],
      ["msg_q1", undefined, true, "See you", false, "pending"],
      ["msg_q2", undefined, true, "A message you wrote earlier, waiting to be sent.", false, "pending"],
    ]);
    expect(views.message(cid, "msg_q1")?.replyTo).toBe("msg_1");
    expect(views.message(cid, "msg_q1")?.senderId).toBe(me);

    // Once the members are known (from the list), the mark remembered earlier counts.
    views.setSummary({
      conversationId: cid,
      kind: "direct",
      members: [
        { userId: me, displayName: "Rowan", role: "therapist", deliveredSeq: 2, readSeq: 2 },
        { userId: them, displayName: "Sky", role: "patient", deliveredSeq: 0, readSeq: 0 },
      ],
      lastSeq: 2,
      lastActivityAt: new Date(1_700_000_000_002).toISOString(),
      readSeq: 2,
      unread: 0,
    });
    expect(views.message(cid, "msg_1")?.status).toBe("delivered");
    expect(views.list(cid)?.version).not.toBe(loaded?.version);
    expect(changes).toBeGreaterThan(0);

    // Only a refused message can be taken off.
    expect(views.forgetFailed(cid, "msg_q1")).toBe(false);
    expect(views.list(cid)?.list).toHaveLength(4);
    views.close();
  });
});
