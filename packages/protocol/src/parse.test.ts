import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "./errors.ts";
import { newId } from "./ids.ts";
import { parseClientFrame, parseServerFrame } from "./parse.ts";

const LIMIT = 4096;

describe("parseClientFrame", () => {
  it("accepts a valid send frame", () => {
    const frame = {
      type: "send",
      id: 1,
      conversationId: newId("cnv"),
      messageId: newId("msg"),
      body: "aGVsbG8=",
    };
    const r = parseClientFrame(JSON.stringify(frame), LIMIT);
    expect(r).toEqual({ ok: true, value: frame });
  });

  it("gives each failure its own code", () => {
    expect(parseClientFrame("{not json", LIMIT)).toMatchObject({ ok: false, code: "malformed_json" });
    expect(parseClientFrame('{"type":"launch"}', LIMIT)).toMatchObject({
      ok: false,
      code: "unknown_frame_type",
    });
    expect(parseClientFrame('{"type":"send","id":1}', LIMIT)).toMatchObject({
      ok: false,
      code: "invalid_frame",
    });
    expect(parseClientFrame("x".repeat(LIMIT + 1), LIMIT)).toMatchObject({
      ok: false,
      code: "frame_too_large",
    });
    expect(parseClientFrame(new Uint8Array([0xff, 0xfe]), LIMIT)).toMatchObject({
      ok: false,
      code: "malformed_json",
    });
    expect(parseClientFrame("[1,2]", LIMIT)).toMatchObject({ ok: false, code: "invalid_frame" });
  });

  it("reports the failing path", () => {
    const r = parseClientFrame(
      JSON.stringify({
        type: "send",
        id: 1,
        conversationId: newId("usr"),
        messageId: newId("msg"),
        body: "",
      }),
      LIMIT,
    );
    expect(r).toEqual({ ok: false, code: "invalid_frame", path: "conversationId" });
  });

  it("never throws and always yields a known code on arbitrary input (property)", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.uint8Array({ maxLength: 512 })), (raw) => {
        const r = parseClientFrame(raw, LIMIT);
        if (!r.ok) expect(ERROR_CODES).toContain(r.code);
      }),
      { numRuns: 2000 },
    );
  });

  it("rejects arbitrary objects carrying a valid type unless they match the schema (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("hello", "send", "delete", "receipt", "typing", "ping"),
        fc.dictionary(fc.string(), fc.jsonValue()),
        (type, rest) => {
          const r = parseClientFrame(JSON.stringify({ ...rest, type }), LIMIT);
          if (r.ok) expect(r.value.type).toBe(type);
          else expect(["invalid_frame", "frame_too_large"]).toContain(r.code);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe("parseServerFrame", () => {
  it("never throws on arbitrary input (property)", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (raw) => {
        const r = parseServerFrame(raw);
        expect(typeof r.ok).toBe("boolean");
      }),
      { numRuns: 1000 },
    );
  });
});
