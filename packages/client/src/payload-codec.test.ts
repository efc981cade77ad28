import { newId } from "@hearth/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CodecContext, jsonCodec, MAX_TEXT_LENGTH } from "./payload-codec.ts";

const ctx: CodecContext = { conversationId: newId("cnv"), messageId: newId("msg") };
const enc = new TextEncoder();

describe("jsonCodec", () => {
  it("round-trips any text, with or without a reply", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "grapheme", maxLength: 200 }), fc.boolean(), async (text, reply) => {
        const content = reply ? { text, replyTo: newId("msg") } : { text };
        const r = await jsonCodec.decode(await jsonCodec.encode(content, ctx), ctx);
        expect(r).toEqual({ ok: true, content });
      }),
    );
  });

  it("produces the documented format", async () => {
    const replyTo = newId("msg");
    const bytes = await jsonCodec.encode({ text: "hi", replyTo }, ctx);
    expect(JSON.parse(new TextDecoder().decode(bytes))).toEqual({ v: 1, text: "hi", replyTo });
  });

  it("never throws on arbitrary bytes: it returns content or a documented reason", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), async (bytes) => {
        const r = await jsonCodec.decode(bytes, ctx);
        if (r.ok) expect(typeof r.content.text).toBe("string");
        else expect(["malformed_payload", "unsupported_version"]).toContain(r.reason);
      }),
    );
  });

  it("never throws on arbitrary JSON values either", async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (v) => {
        const r = await jsonCodec.decode(enc.encode(JSON.stringify(v)), ctx);
        expect(typeof r.ok).toBe("boolean");
      }),
    );
  });

  it.each([
    ["not UTF-8", new Uint8Array([0xff, 0xfe, 0x00]), "malformed_payload"],
    ["not JSON", enc.encode("hello"), "malformed_payload"],
    ["an array", enc.encode("[1]"), "malformed_payload"],
    ["a newer version", enc.encode('{"v":2,"text":"x"}'), "unsupported_version"],
    ["no version", enc.encode('{"text":"x"}'), "malformed_payload"],
    ["text not a string", enc.encode('{"v":1,"text":5}'), "malformed_payload"],
    [
      "replyTo not a message id",
      enc.encode('{"v":1,"text":"x","replyTo":"usr_aaaaaaaaaaaaaaaaaaaa"}'),
      "malformed_payload",
    ],
    [
      "text too long",
      enc.encode(JSON.stringify({ v: 1, text: "a".repeat(MAX_TEXT_LENGTH + 1) })),
      "malformed_payload",
    ],
  ])("refuses %s as data", async (_name, bytes, reason) => {
    expect(await jsonCodec.decode(bytes, ctx)).toEqual({ ok: false, reason });
  });

  it("round-trips an edit in the documented format, with only its target and new text", async () => {
    const target = newId("msg");
    const content = { kind: "edit" as const, target, text: "better words" };
    const bytes = await jsonCodec.encode(content, ctx);
    expect(JSON.parse(new TextDecoder().decode(bytes))).toEqual({ v: 1, ...content });
    expect(await jsonCodec.decode(bytes, ctx)).toEqual({ ok: true, content });
  });

  it("refuses to encode an edit without a target, or with a reply or a file (misuse)", async () => {
    await expect(jsonCodec.encode({ kind: "edit", text: "x" }, ctx)).rejects.toThrow(RangeError);
    const target = newId("msg");
    await expect(
      jsonCodec.encode({ kind: "edit", target, text: "x", replyTo: newId("msg") }, ctx),
    ).rejects.toThrow(RangeError);
  });

  it.each([
    ["an edit without a target", '{"v":1,"kind":"edit","text":"x"}', "malformed_payload"],
    [
      "an edit of a user id",
      '{"v":1,"kind":"edit","target":"usr_aaaaaaaaaaaaaaaaaaaa","text":"x"}',
      "malformed_payload",
    ],
    ["a kind that is not a string", '{"v":1,"kind":3,"text":"x"}', "malformed_payload"],
    ["a newer client's kind", '{"v":1,"kind":"poll","text":"x"}', "unsupported_version"],
  ])("refuses %s as data", async (_name, json, reason) => {
    expect(await jsonCodec.decode(enc.encode(json), ctx)).toEqual({ ok: false, reason });
  });

  it("ignores unknown fields from newer clients", async () => {
    expect(await jsonCodec.decode(enc.encode('{"v":1,"text":"x","sticker":"🌱"}'), ctx)).toEqual({
      ok: true,
      content: { text: "x" },
    });
  });

  it("refuses to encode an oversized text (misuse)", async () => {
    await expect(jsonCodec.encode({ text: "a".repeat(MAX_TEXT_LENGTH + 1) }, ctx)).rejects.toThrow(
      RangeError,
    );
  });
});
