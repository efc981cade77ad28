import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ClientFrameSchema } from "./frames.ts";
import { acceptHotFrame } from "./hot-frames.ts";
import { newId } from "./ids.ts";
import { parse, parseClientFrame } from "./parse.ts";

const LIMIT = 4096;
const ID_CHARS = "ABCxyz019_-+/=. ";

/** An id: a real one, a real one of another kind, or prefix and body drawn near the rule's edges. */
const idLike = (prefix: string) =>
  fc.oneof(
    { arbitrary: fc.constant(newId(prefix as "cnv")), weight: 6 },
    fc.constant(newId("usr")),
    fc
      .tuple(
        fc.constantFrom(`${prefix}_`, "usr_", `${prefix}-`, ""),
        fc.string({ unit: fc.constantFrom(...ID_CHARS), minLength: 14, maxLength: 45 }),
      )
      .map(([p, b]) => p + b),
    fc.integer(),
  );
const count = fc.oneof(
  { arbitrary: fc.nat(), weight: 4 },
  fc.constantFrom(0, 1, -1, -0, 1.5, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, 1e300),
  fc.constant("1"),
);
const base64Like = fc.oneof(
  { arbitrary: fc.uint8Array({ maxLength: 48 }).map((b) => Buffer.from(b).toString("base64")), weight: 4 },
  fc.uint8Array({ maxLength: 48 }).map((b) => Buffer.from(b).toString("base64")),
  fc.string({ unit: fc.constantFrom(..."AZaz09+/=-_ "), maxLength: 24 }),
  fc.constant(null),
);
const extraKeys = fc.oneof(
  { arbitrary: fc.constant({}), weight: 4 },
  fc.dictionary(fc.constantFrom("blobIds", "extra", "__proto__", "tombstoneId", "id"), fc.jsonValue(), {
    maxKeys: 2,
  }),
);

/** `send` and `receipt` frames, valid and broken in every field (now and then one key is missing). */
const hotLike = fc.oneof(
  fc.record(
    {
      type: fc.constant("send"),
      id: count,
      conversationId: idLike("cnv"),
      messageId: idLike("msg"),
      body: base64Like,
    },
    { requiredKeys: ["type", "id", "conversationId", "messageId", "body"] },
  ),
  fc.record(
    {
      type: fc.constant("receipt"),
      conversationId: idLike("cnv"),
      kind: fc.constantFrom("delivered", "read", "seen", 1),
      seq: count,
      private: fc.constantFrom(true, false, "true", null),
    },
    { requiredKeys: ["type", "conversationId", "kind", "seq"] },
  ),
);
const frames = fc
  .tuple(hotLike, extraKeys, fc.option(fc.constantFrom("id", "conversationId", "messageId", "body", "seq")))
  .map(([f, extra, drop]) => {
    const frame: Record<string, unknown> = { ...extra, ...f };
    if (drop !== null) delete frame[drop];
    return JSON.stringify(frame);
  });

describe("acceptHotFrame", () => {
  it("accepts the usual send and receipt frames (the fast path is taken)", () => {
    const conversationId = newId("cnv");
    const send = { type: "send", id: 7, conversationId, messageId: newId("msg"), body: "aGVsbG8=" };
    const receipt = { type: "receipt", conversationId, kind: "read", seq: 3, private: true };
    expect(acceptHotFrame(send)).toBe(send);
    expect(acceptHotFrame(receipt)).toBe(receipt);
    expect(acceptHotFrame({ ...send, blobIds: ["blb_0123456789abcdef0123"] })).toBeUndefined();
    expect(acceptHotFrame({ type: "ping", id: 1 })).toBeUndefined();
  });

  it("accepts only what the schema accepts, and answers the schema's value (property)", () => {
    let accepted = 0;
    fc.assert(
      fc.property(frames, (raw) => {
        const json = JSON.parse(raw) as Record<string, unknown>;
        const hot = acceptHotFrame(json);
        const schema = parse(ClientFrameSchema, JSON.parse(raw) as unknown, "invalid_frame");
        if (hot === undefined) return;
        accepted++;
        expect(schema).toEqual({ ok: true, value: hot });
      }),
      { numRuns: 5000 },
    );
    // Generated near the edges, a good share is valid: the comparison above ran on accepted frames.
    expect(accepted).toBeGreaterThan(50);
  });

  it("leaves parseClientFrame's answer unchanged: value, or code and path (property)", () => {
    fc.assert(
      fc.property(frames, (raw) => {
        const schema = parse(ClientFrameSchema, JSON.parse(raw) as unknown, "invalid_frame");
        expect(parseClientFrame(raw, LIMIT)).toEqual(schema);
      }),
      { numRuns: 5000 },
    );
  });
});
