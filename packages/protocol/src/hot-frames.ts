import { BASE64_MAX_CHARS, BASE64_PATTERN, type ClientFrame } from "./frames.ts";
import { idPattern } from "./ids.ts";

const CONVERSATION_ID = idPattern("cnv");
const MESSAGE_ID = idPattern("msg");
const SEND_KEYS = new Set(["type", "id", "conversationId", "messageId", "body"]);
const RECEIPT_KEYS = new Set(["type", "conversationId", "kind", "seq", "private"]);

/** A request id or seq: an integer from `min` to `Number.MAX_SAFE_INTEGER` (the schemas' rule). */
const isCount = (v: unknown, min: number) => Number.isSafeInteger(v) && (v as number) >= min;
const isBase64 = (v: unknown) =>
  typeof v === "string" && v.length <= BASE64_MAX_CHARS && v.length % 4 === 0 && BASE64_PATTERN.test(v);
const hasOnly = (o: object, allowed: Set<string>) => {
  for (const k of Object.keys(o)) if (!allowed.has(k)) return false;
  return true;
};

/**
 * The two frames every chat message costs the server, `send` and the recipient's `receipt`, checked
 * by hand before the schema: under load zod's machinery (contexts, a copy of every object) was half
 * of the frame parsing in the server's profile. It accepts only what `ClientFrameSchema` accepts and
 * answers the same value (the parsed object itself; the schema would answer an equal copy). Anything
 * else — a refusal, a `send` with `blobIds`, any other frame — answers `undefined` and the schema
 * decides, so every error code and path is still the schema's. `hot-frames.test.ts` checks the two
 * agree on generated frames, valid and not.
 */
export function acceptHotFrame(json: Record<string, unknown>): ClientFrame | undefined {
  if (json.type === "send") {
    const ok =
      hasOnly(json, SEND_KEYS) &&
      isCount(json.id, 0) &&
      typeof json.conversationId === "string" &&
      CONVERSATION_ID.test(json.conversationId) &&
      typeof json.messageId === "string" &&
      MESSAGE_ID.test(json.messageId) &&
      isBase64(json.body);
    return ok ? (json as ClientFrame) : undefined;
  }
  if (json.type === "receipt") {
    const ok =
      hasOnly(json, RECEIPT_KEYS) &&
      typeof json.conversationId === "string" &&
      CONVERSATION_ID.test(json.conversationId) &&
      (json.kind === "delivered" || json.kind === "read") &&
      isCount(json.seq, 1) &&
      (json.private === undefined || typeof json.private === "boolean");
    return ok ? (json as ClientFrame) : undefined;
  }
  return undefined;
}
