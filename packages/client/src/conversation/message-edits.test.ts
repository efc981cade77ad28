import type { ConversationId, DeviceId, LogEntry, MessageId, UserId } from "@hearth/protocol";
import { describe, expect, it } from "vitest";
import type { ReceivedMessage } from "../client-events.ts";
import type { StoredMessage } from "../client-store.ts";
import type { WebSocketConstructor } from "../connection/connection.ts";
import { HearthClient } from "../hearth-client.ts";
import { MemoryClientStore } from "../memory-client-store.ts";
import type { MessageContent } from "../payload-codec.ts";
import { unencryptedCodecForTests } from "../payload-codec.ts";
import { ManualClock } from "../testing/manual-clock.ts";
import { EDIT_WINDOW_MS } from "./message-edits.ts";

// Never opened: the view is fed from the store and from delivered entries, as the inbound path does.
const WebSocket = class {} as unknown as WebSocketConstructor;
const cid = "cnv_AAAAAAAAAAAAAAAAAAAAAA" as ConversationId;
const me = "usr_MEMEMEMEMEMEMEMEMEMEMA" as UserId;
const them = "usr_THEMTHEMTHEMTHEMTHEMA" as UserId;
const T0 = 1_700_000_000_000;

/** A client whose test can hand the view delivered entries, in any order (the inbound path's event). */
class DeliveringClient extends HearthClient {
  deliver(m: StoredMessage): void {
    this.emit("message", { ...m, own: m.senderId === me, entry: {} as LogEntry } satisfies ReceivedMessage);
  }
}

const id = (n: number | string) => `msg_${String(n).padStart(16, "0")}` as MessageId;

function entry(seq: number, senderId: UserId, content: MessageContent, atMs = T0 + seq): StoredMessage {
  return {
    conversationId: cid,
    seq,
    messageId: id(seq),
    senderId,
    senderDeviceId: "dev_x" as DeviceId,
    sentAt: new Date(atMs).toISOString(),
    kind: "message",
    content,
  };
}
const edit = (seq: number, senderId: UserId, target: number, text: string, atMs?: number) =>
  entry(seq, senderId, { kind: "edit", target: id(target), text }, atMs);

function setUp(now = T0 + 1000) {
  const store = new MemoryClientStore();
  const clock = new ManualClock(now);
  const client = new DeliveringClient({
    baseUrl: "http://localhost:1",
    token: "t",
    WebSocket,
    fetch: globalThis.fetch,
    codec: unencryptedCodecForTests,
    store,
    clock,
    userId: me,
  });
  const view = client.conversation(cid);
  const shown = () => view.messages.map((m) => [m.messageId, m.content?.text, m.edited?.earlier ?? null]);
  return { store, client, view, shown, clock };
}

describe("edits in the conversation view", () => {
  it("applies the author's edit to its target, marks it edited, and never lists the edit itself", async () => {
    const { client, view, shown } = setUp();
    await view.load();
    client.deliver(entry(1, them, { text: "See you at 3" }));
    client.deliver(edit(2, them, 1, "See you at 4"));
    expect(shown()).toEqual([[id(1), "See you at 4", ["See you at 3"]]]);
    expect(view.message(id(1))?.edited?.at).toBe(new Date(T0 + 2).toISOString());
  });

  it("ignores an edit from anyone but the author, and one past the window", async () => {
    const { client, view, shown } = setUp();
    await view.load();
    client.deliver(entry(1, them, { text: "Mine to change" }));
    client.deliver(edit(2, me, 1, "Not yours"));
    client.deliver(edit(3, them, 1, "Too late", T0 + 1 + EDIT_WINDOW_MS + 1));
    expect(shown()).toEqual([[id(1), "Mine to change", null]]);
    client.deliver(edit(4, them, 1, "Just in time", T0 + 1 + EDIT_WINDOW_MS));
    expect(shown()).toEqual([[id(1), "Just in time", ["Mine to change"]]]);
  });

  it("ignores edits of a file message and of a deleted message", async () => {
    const { client, view } = setUp();
    await view.load();
    const attachment = {
      blobId: "blb_AAAAAAAAAAAAAAAAAAAAAA",
      name: "a.pdf",
      mimeType: "application/pdf",
      size: 1,
      sha256: `${"A".repeat(43)}=`,
      key: `${"A".repeat(43)}=`,
    } as NonNullable<MessageContent["attachment"]>;
    client.deliver(entry(1, them, { text: "", attachment }));
    client.deliver(edit(2, them, 1, "Now text"));
    client.deliver(entry(3, them, { text: "Going" }));
    client.deliver({ ...entry(4, them, { text: "" }), kind: "tombstone", target: id(3), content: undefined });
    client.deliver(edit(5, them, 3, "Back?"));
    expect(view.messages.map((m) => [m.content?.text, m.edited, m.deleted])).toEqual([
      ["", undefined, false],
      [undefined, undefined, true],
    ]);
  });

  it("applies an edit that arrived before its target, once the target is there", async () => {
    const { store, client, view, shown } = setUp();
    await store.saveDelivered(entry(1, them, { text: "Original" }));
    // Delivered live while the view was still loading what the device stores.
    client.deliver(edit(2, them, 1, "Corrected"));
    await view.load();
    expect(shown()).toEqual([[id(1), "Corrected", ["Original"]]]);
  });

  it("shows the latest edit in log order, whatever order the edits arrive in", async () => {
    const { client, view, shown } = setUp();
    client.deliver(edit(3, them, 1, "Third"));
    client.deliver(edit(2, them, 1, "Second"));
    client.deliver(entry(1, them, { text: "First" }));
    await view.load();
    expect(shown()).toEqual([[id(1), "Third", ["First", "Second"]]]);
  });

  it("edit() queues an edit shown at once, only for this user's sent text messages in the window", async () => {
    const { store, client, view, shown, clock } = setUp();
    await store.saveDelivered(entry(1, me, { text: "Draft words" }));
    await store.saveDelivered(entry(2, them, { text: "Theirs" }));
    await view.load();
    expect(view.canEdit(id(1))).toBe(true);
    expect(view.canEdit(id(2))).toBe(false);
    await expect(view.edit(id(2), "no")).rejects.toThrow(/can't|cannot|not a message/);
    await expect(view.edit(id(1), "  ")).rejects.toThrow(RangeError);
    const queued = await view.edit(id(1), "Better words");
    expect(shown()).toEqual([
      [id(1), "Better words", ["Draft words"]],
      [id(2), "Theirs", null],
    ]);
    // The outbox keeps it for a reload, and a new view shows it the same way.
    expect(client.pendingItems().map((i) => [i.messageId, i.content?.kind])).toEqual([
      [queued.messageId, "edit"],
    ]);
    queued.sent.catch(() => undefined);
    view.close();
    const again = client.conversation(cid);
    await again.load();
    expect(again.message(id(1))?.content?.text).toBe("Better words");
    clock.advance(EDIT_WINDOW_MS);
    expect(again.canEdit(id(1))).toBe(false);
    client.close();
  });
});

describe("deleting an edited message", () => {
  it("queues a tombstone for the message and for each of its edits; the message is gone at once", async () => {
    const { store, client, view } = setUp();
    await store.saveDelivered(entry(1, me, { text: "Words" }));
    await store.saveDelivered(edit(2, me, 1, "Better words"));
    await view.load();
    (await view.delete(id(1))).sent.catch(() => undefined);
    expect(client.pendingItems().map((i) => [i.kind, i.target])).toEqual([
      ["delete", id(1)],
      ["delete", id(2)],
    ]);
    expect(view.messages.map((m) => [m.deleted, m.content, m.edited])).toEqual([
      [true, undefined, undefined],
    ]);
    client.close();
  });

  it("an edit deleted on its own takes the message back to its earlier text", async () => {
    const { client, view, shown } = setUp();
    await view.load();
    client.deliver(entry(1, them, { text: "First" }));
    client.deliver(edit(2, them, 1, "Second"));
    client.deliver({ ...entry(3, them, { text: "" }), kind: "tombstone", target: id(2), content: undefined });
    expect(shown()).toEqual([[id(1), "First", null]]);
  });
});
