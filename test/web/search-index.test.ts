import type { StoredMessage } from "@hearth/client";
import type { ConversationId, DeviceId, MessageId, UserId } from "@hearth/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DeviceSearch, type IndexStore } from "../../apps/web/src/search/device-search.ts";
import type { SavedIndex } from "../../apps/web/src/search/encrypted-index-store.ts";
import { SearchIndex, snippet } from "../../apps/web/src/search/search-index.ts";
import { fold, queryTokens, tokenize, wordSpans } from "../../apps/web/src/search/tokenize.ts";
import { searchDoc } from "../support/search-docs.ts";

const doc = searchDoc;

const ids = (index: SearchIndex, q: string) => index.search(q, 1000).results.map((r) => r.doc.messageId);
const marked = (text: string, q: string) =>
  snippet(text, queryTokens(q))
    .filter((p) => p.match)
    .map((p) => p.text);

describe("tokenize", () => {
  it("folds case, accents and compatibility forms, and splits on anything but letters and digits", () => {
    expect(tokenize("Is Thursday still good?")).toEqual(["is", "thursday", "still", "good"]);
    expect(tokenize("Café — crème brûlée")).toEqual(["cafe", "creme", "brulee"]);
    expect(tokenize("ﬁle №2, 4pm")).toEqual(["file", "no2", "4pm"]);
    expect(tokenize("ΟΔΟΣ")).toEqual(tokenize("οδοσ"));
    expect(tokenize("İstanbul")).toEqual(["istanbul"]);
    expect(tokenize("  ...  ")).toEqual([]);
  });

  it("finds the same words with their places in the original text", () => {
    const text = "Cafe\u0301 at 4 — Thursday";
    expect(wordSpans(text).map((s) => s.token)).toEqual(tokenize(text));
    const cafe = wordSpans(text)[0]!;
    expect(text.slice(cafe.start, cafe.end)).toBe("Cafe\u0301");
  });

  it("wordSpans and tokenize agree on any text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (text) => {
        expect(wordSpans(text).map((s) => s.token)).toEqual(tokenize(text));
      }),
    );
  });
});

describe("SearchIndex", () => {
  it("finds by word prefixes, every query word must match, newest first", () => {
    const index = new SearchIndex();
    const ask = doc("Is Thursday still good?");
    const answer = doc("Thursday at 4 works. See you then.");
    const other = doc("Café on Friday?");
    for (const d of [ask, answer, other]) index.add(d);
    expect(ids(index, "thursday")).toEqual([answer.messageId, ask.messageId]);
    expect(ids(index, "thur 4")).toEqual([answer.messageId]);
    expect(ids(index, "THUR")).toEqual([answer.messageId, ask.messageId]);
    expect(ids(index, "cafe")).toEqual([other.messageId]);
    expect(ids(index, "hursday")).toEqual([]);
    expect(ids(index, "thursday friday")).toEqual([]);
    expect(ids(index, "")).toEqual([]);
    expect(ids(index, "?!")).toEqual([]);
  });

  it("orders by time, then seq, and honours the limit while counting everything", () => {
    const index = new SearchIndex();
    const sentAt = "2026-02-02T10:00:00.000Z";
    const a = doc("note one", { seq: 10, sentAt });
    const b = doc("note two", { seq: 11, sentAt });
    const c = doc("note three", { sentAt: "2026-03-01T00:00:00.000Z" });
    for (const d of [a, b, c]) index.add(d);
    const hits = index.search("note", 2);
    expect(hits.total).toBe(3);
    expect(hits.results.map((r) => r.doc.messageId)).toEqual([c.messageId, b.messageId]);
  });

  it("replaces a message added again and forgets a removed one", () => {
    const index = new SearchIndex();
    const d = doc("apples");
    index.add(d);
    index.add({ ...d, text: "pears" });
    expect(ids(index, "apples")).toEqual([]);
    expect(ids(index, "pears")).toEqual([d.messageId]);
    index.remove(d.conversationId, d.messageId);
    expect(ids(index, "pears")).toEqual([]);
    expect(index.size).toBe(0);
  });

  it("keeps each conversation's messages apart even when another reuses the same id", () => {
    const index = new SearchIndex();
    const mine = doc("appointment moved to friday", { conversationId: "cnv_a", messageId: "msg_same" });
    const theirs = doc("unrelated words", { conversationId: "cnv_b", messageId: "msg_same" });
    index.add(mine);
    index.add(theirs);
    expect(index.size).toBe(2);
    expect(ids(index, "friday")).toEqual(["msg_same"]);
    // A deletion sent in one conversation never removes a message of another.
    index.remove("cnv_b", "msg_same");
    expect(index.search("friday").results.map((r) => r.doc.conversationId)).toEqual(["cnv_a"]);
    expect(ids(index, "unrelated")).toEqual([]);
  });

  it("finds every message by any prefix of any of its words; removed ones never", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: "grapheme", maxLength: 40 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.nat(),
        fc.nat(),
        (texts, removals, pickWord, cut) => {
          const index = new SearchIndex();
          const docs = texts.map((t) => doc(t));
          for (const d of docs) index.add(d);
          const removed = new Set(removals.map((r) => docs[r % docs.length]!.messageId));
          for (const id of removed) index.remove("cnv_1", id);
          for (const d of docs) {
            const tokens = tokenize(d.text);
            if (tokens.length === 0) continue;
            const word = Array.from(tokens[pickWord % tokens.length]!);
            const prefix = word.slice(0, 1 + (cut % word.length)).join("");
            const found = ids(index, prefix);
            expect(found.includes(d.messageId)).toBe(!removed.has(d.messageId));
          }
        },
      ),
    );
  });

  it("never throws on any query, and snippets only show text of the message", () => {
    const index = new SearchIndex();
    index.add(doc("Thursday at 4 works. See you then."));
    index.add(doc("Ça va? 東京で会いましょう"));
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (q) => {
        for (const r of index.search(q).results) {
          const shown = r.snippet
            .map((p) => p.text)
            .join("")
            .replaceAll("…", "");
          expect(fold(r.doc.text.replace(/\s+/g, " "))).toContain(fold(shown.trim()));
        }
      }),
    );
  });

  it("stays fast with 10,000 messages", () => {
    const index = new SearchIndex();
    const words = ["anxious", "sleep", "breathing", "thursday", "session", "walk", "journal", "calm"];
    for (let i = 0; i < 10_000; i++) {
      index.add(doc(`Message ${i}: ${words[i % 8]} and ${words[(i * 3) % 8]} note${i}`));
    }
    const started = performance.now();
    for (const q of ["a", "thur", "sleep calm", "note99", "message 42", "zzz"]) index.search(q);
    const perQuery = (performance.now() - started) / 6;
    expect(index.search("note9999").total).toBe(1);
    expect(perQuery).toBeLessThan(100);
  });
});

describe("snippet", () => {
  it("marks the matched start of each word", () => {
    expect(marked("Thursday at 4 works.", "thur 4")).toEqual(["Thur", "4"]);
    expect(marked("Meet at the Café", "cafe")).toEqual(["Café"]);
    expect(marked("Meet at the Cafe\u0301 later", "caf")).toEqual(["Caf"]);
  });

  it("cuts long text around the first match at word boundaries", () => {
    const text = `${"Lorem ipsum dolor sit amet ".repeat(8)}Thursday works ${"and more words ".repeat(20)}`;
    const parts = snippet(text, ["thursday"]);
    const shown = parts.map((p) => p.text).join("");
    expect(shown.startsWith("…")).toBe(true);
    expect(shown.endsWith("…")).toBe(true);
    expect(shown).toContain("Thursday works");
    expect(shown.length).toBeLessThan(160);
    expect(shown.slice(1, 2)).toMatch(/[A-Za-z]/);
  });
});

describe("DeviceSearch", () => {
  class MemoryStore implements IndexStore {
    saved: SavedIndex | undefined;
    #pending: (() => SavedIndex) | undefined;
    async load() {
      return this.saved;
    }
    schedule(snapshot: () => SavedIndex) {
      this.#pending = snapshot;
    }
    async flush() {
      if (this.#pending) this.saved = JSON.parse(JSON.stringify(this.#pending()));
      this.#pending = undefined;
    }
    async close() {
      await this.flush();
    }
  }

  const cnv = "cnv_1" as ConversationId;
  const stored = (seq: number, over: Partial<StoredMessage> = {}): StoredMessage => ({
    conversationId: cnv,
    seq,
    messageId: `msg_${seq}` as MessageId,
    senderId: "usr_a" as UserId,
    senderDeviceId: "dev_a" as DeviceId,
    sentAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
    kind: "message",
    content: { text: `message number ${seq}` },
    ...over,
  });
  const found = (s: DeviceSearch, q: string) => s.search(q).results.map((r) => r.doc.messageId);

  it("indexes the device's history, live messages, files, and forgets deleted ones", async () => {
    const store = new MemoryStore();
    const search = new DeviceSearch("usr_a", { store });
    const history = [
      stored(1),
      stored(2, { kind: "commit", content: undefined }),
      stored(3, {
        content: {
          text: "",
          attachment: {
            blobId: "blb_x" as never,
            name: "thought-record.pdf",
            mimeType: "application/pdf",
            size: 1,
            sha256: "",
            key: "",
            caption: "For Thursday",
          },
        },
      }),
      stored(4, { content: undefined, undecryptable: "missing_keys" }),
    ];
    search.onMessage(stored(5)); // before load: kept for later
    await search.catchUp([{ conversationId: cnv, lastSeq: 5 }], async () => history);
    expect(search.ready).toBe(true);
    expect(found(search, "thought")).toEqual(["msg_3"]);
    expect(found(search, "thursday")).toEqual(["msg_3"]);
    expect(found(search, "number")).toEqual(["msg_5", "msg_1"]);

    search.onMessage(stored(6, { kind: "tombstone", content: undefined, target: "msg_1" as MessageId }));
    expect(found(search, "number")).toEqual(["msg_5"]);
    await search.close();
    expect(store.saved?.through).toEqual({ [cnv]: 6 });

    // A new session loads the saved index; nothing is read again.
    const again = new DeviceSearch("usr_a", { store });
    let reads = 0;
    await again.catchUp([{ conversationId: cnv, lastSeq: 6 }], async () => {
      reads++;
      return [];
    });
    expect(reads).toBe(0);
    expect(found(again, "number")).toEqual(["msg_5"]);
  });

  it("finds an edited message by its new text only, and ignores edits by others", async () => {
    const search = new DeviceSearch("usr_a", { store: new MemoryStore() });
    const edit = (seq: number, target: number, text: string, senderId = "usr_a") =>
      stored(seq, {
        senderId: senderId as UserId,
        content: { kind: "edit", target: `msg_${target}` as MessageId, text },
      });
    await search.catchUp([{ conversationId: cnv }], async () => [
      stored(1, { content: { text: "appointment at noon" } }),
      edit(2, 1, "appointment at dusk"),
    ]);
    search.onMessage(edit(3, 1, "appointment at midnight", "usr_b"));
    expect(found(search, "noon")).toEqual([]);
    expect(found(search, "dusk")).toEqual(["msg_1"]);
    expect(found(search, "midnight")).toEqual([]);
    expect(found(search, "appointment")).toEqual(["msg_1"]);
  });

  it("does not skip a gap: live messages past it wait for the next catch-up", async () => {
    const store = new MemoryStore();
    store.saved = { docs: [], through: { [cnv]: 1 } };
    const search = new DeviceSearch("usr_a", { store });
    await search.load();
    search.onMessage(stored(4)); // 2 and 3 were stored while the index was not watching
    await search.flush();
    expect(store.saved?.through[cnv]).toBe(1);
    await search.catchUp([{ conversationId: cnv }], async () => [stored(1), stored(2), stored(3), stored(4)]);
    await search.flush();
    expect(store.saved?.through[cnv]).toBe(4);
    expect(found(search, "number")).toEqual(["msg_4", "msg_3", "msg_2"]);
  });

  it("a deletion that arrives during a catch-up stays deleted", async () => {
    const search = new DeviceSearch("usr_a", { store: new MemoryStore() });
    await search.catchUp([{ conversationId: cnv }], async () => {
      // The store was read before the deletion arrived live.
      search.onMessage(stored(2, { kind: "tombstone", content: undefined, target: "msg_1" as MessageId }));
      return [stored(1)];
    });
    expect(found(search, "number")).toEqual([]);
  });

  it("starts over when there is nothing readable saved", async () => {
    const store = new MemoryStore();
    const search = new DeviceSearch("usr_a", { store });
    await search.catchUp([{ conversationId: cnv }], async () => [stored(1)]);
    expect(found(search, "number")).toEqual(["msg_1"]);
  });
});
