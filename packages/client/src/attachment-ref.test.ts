import { bytesToBase64, bytesToBase64Url, type ConversationId, type MessageId } from "@hearth/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AttachmentRef,
  MAX_ATTACHMENT_NAME_LENGTH,
  MAX_DURATION_MS,
  parseAttachmentRef,
} from "./attachment-ref.ts";
import { jsonCodec } from "./payload-codec.ts";

const ctx = {
  conversationId: "cnv_AAAAAAAAAAAAAAAAAAAAAA" as ConversationId,
  messageId: "msg_AAAAAAAAAAAAAAAAAAAAAA" as MessageId,
};

const token = fc.stringMatching(/^[a-z0-9][a-z0-9.+-]{0,20}$/);
/** Any valid reference, as `Attachments.send` makes them. */
const validRef: fc.Arbitrary<AttachmentRef> = fc.record(
  {
    blobId: fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => `blb_${bytesToBase64Url(b)}`),
    name: fc
      .string({ minLength: 1, maxLength: MAX_ATTACHMENT_NAME_LENGTH })
      .filter((s) => ![...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)),
    mimeType: fc.tuple(token, token).map(([a, b]) => `${a}/${b}`),
    size: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
    sha256: fc.uint8Array({ minLength: 32, maxLength: 32 }).map(bytesToBase64),
    key: fc.uint8Array({ minLength: 32, maxLength: 32 }).map(bytesToBase64),
    caption: fc.string({ maxLength: 200 }),
    durationMs: fc.nat({ max: MAX_DURATION_MS }),
  },
  { requiredKeys: ["blobId", "name", "mimeType", "size", "sha256", "key"] },
) as fc.Arbitrary<AttachmentRef>;

describe("parseAttachmentRef", () => {
  it("accepts every valid reference and returns it unchanged (known fields only)", () => {
    fc.assert(
      fc.property(validRef, fc.dictionary(fc.string(), fc.jsonValue()), (ref, extra) => {
        const withExtra = { ...extra, ...ref };
        expect(parseAttachmentRef(withExtra)).toEqual(ref);
      }),
    );
  });

  it("refuses any reference with one field broken", () => {
    const broken: [keyof AttachmentRef, unknown][] = [
      ["blobId", "cnv_AAAAAAAAAAAAAAAAAAAAAA"],
      ["blobId", "blb_../../etc/passwd"],
      ["name", ""],
      ["name", "a".repeat(MAX_ATTACHMENT_NAME_LENGTH + 1)],
      ["name", "report.pdf\u0000.exe"],
      ["mimeType", "pdf"],
      ["mimeType", "text/html; charset=utf-8"],
      ["size", -1],
      ["size", 1.5],
      ["size", 2 ** 53],
      ["size", "10"],
      ["sha256", bytesToBase64(new Uint8Array(31))],
      ["sha256", `${bytesToBase64(new Uint8Array(32)).slice(0, 42)}B=`],
      ["key", bytesToBase64(new Uint8Array(33))],
      ["key", 42],
      ["caption", 7],
      ["caption", "x".repeat(4097)],
      ["durationMs", -1],
      ["durationMs", 1.5],
      ["durationMs", MAX_DURATION_MS + 1],
      ["durationMs", "81000"],
    ];
    fc.assert(
      fc.property(validRef, fc.constantFrom(...broken), (ref, [field, value]) => {
        expect(parseAttachmentRef({ ...ref, [field]: value })).toBeUndefined();
      }),
    );
    for (const field of ["blobId", "name", "mimeType", "size", "sha256", "key"] as const) {
      const ref = fc.sample(validRef, 1)[0] as AttachmentRef;
      const { [field]: _, ...missing } = ref;
      expect(parseAttachmentRef(missing), field).toBeUndefined();
    }
  });

  it("never throws, whatever it is given", () => {
    fc.assert(fc.property(fc.anything(), (v) => void parseAttachmentRef(v)));
  });
});

describe("jsonCodec with attachments", () => {
  it("round-trips any valid attachment with any text", () => {
    return fc.assert(
      fc.asyncProperty(validRef, fc.string({ maxLength: 100 }), async (attachment, text) => {
        const bytes = await jsonCodec.encode({ text, attachment }, ctx);
        expect(await jsonCodec.decode(bytes, ctx)).toEqual({ ok: true, content: { text, attachment } });
      }),
    );
  });

  it("refuses to encode a broken attachment, and decodes one as malformed_payload", async () => {
    const attachment = { ...(fc.sample(validRef, 1)[0] as AttachmentRef), size: -1 };
    await expect(jsonCodec.encode({ text: "", attachment }, ctx)).rejects.toThrow(RangeError);
    const bytes = new TextEncoder().encode(JSON.stringify({ v: 1, text: "", attachment }));
    expect(await jsonCodec.decode(bytes, ctx)).toEqual({ ok: false, reason: "malformed_payload" });
  });
});
