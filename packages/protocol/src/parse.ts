import type { z } from "zod";
import { type ErrorCode, isErrorCode } from "./errors.ts";
import {
  CLIENT_FRAME_TYPES,
  type ClientFrame,
  ClientFrameSchema,
  type ServerFrame,
  ServerFrameSchema,
} from "./frames.ts";
import { acceptHotFrame } from "./hot-frames.ts";

/** The outcome of parsing untrusted input: a value, or a coded error with the failing path. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; path?: string };

/** Resolves to `never` when `T` is `any`, so `parse(schema, someAny)` does not compile. */
type NotAny<T> = 0 extends 1 & T ? never : T;

/**
 * Validates untrusted input against a protocol schema. Input must be `unknown` (or a concrete type),
 * never `any`: the type parameter refuses `any` at compile time so nothing skips validation.
 *
 * @example
 * const r = parse(LoginBodySchema, request.body as unknown);
 * if (!r.ok) return reply.code(400).send(errorBody(r.code, r.path));
 */
export function parse<S extends z.ZodType, I>(
  schema: S,
  input: NotAny<I>,
  code: ErrorCode = "bad_request",
): ParseResult<z.output<S>> {
  const r = schema.safeParse(input);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0];
  const path = issue && issue.path.length > 0 ? issue.path.map(String).join(".") : undefined;
  // A schema rule may name its own, more precise code (e.g. `name_invalid`); otherwise the caller's.
  const own: unknown = issue?.code === "custom" ? issue.params?.code : undefined;
  const chosen = isErrorCode(own) ? own : code;
  return path === undefined ? { ok: false, code: chosen } : { ok: false, code: chosen, path };
}

const utf8 = new TextEncoder();

/** Byte length of a frame as it arrived (string frames are measured as UTF-8). */
export function frameByteLength(raw: string | Uint8Array): number {
  return typeof raw === "string" ? utf8.encode(raw).byteLength : raw.byteLength;
}

/**
 * Is a frame over `maxBytes` of UTF-8? A string's UTF-8 length lies between its length and three
 * times it, so only a string in between is encoded to measure it (not every frame on the hot path).
 */
function exceeds(raw: string | Uint8Array, maxBytes: number): boolean {
  if (typeof raw !== "string") return raw.byteLength > maxBytes;
  if (raw.length > maxBytes) return true;
  return raw.length * 3 > maxBytes && frameByteLength(raw) > maxBytes;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Parses one raw client WebSocket frame: size limit, UTF-8, JSON, known `type`, then the schema.
 * Each failure has its own code: `frame_too_large`, `malformed_json`, `unknown_frame_type`,
 * `invalid_frame`.
 */
export function parseClientFrame(raw: string | Uint8Array, maxBytes: number): ParseResult<ClientFrame> {
  if (exceeds(raw, maxBytes)) return { ok: false, code: "frame_too_large" };
  let text: string;
  try {
    text = typeof raw === "string" ? raw : decoder.decode(raw);
  } catch {
    return { ok: false, code: "malformed_json" };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, code: "malformed_json" };
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return { ok: false, code: "invalid_frame" };
  }
  const type = (json as { type?: unknown }).type;
  if (typeof type !== "string" || !(CLIENT_FRAME_TYPES as readonly string[]).includes(type)) {
    return { ok: false, code: "unknown_frame_type", path: "type" };
  }
  const hot = acceptHotFrame(json as Record<string, unknown>);
  if (hot) return { ok: true, value: hot };
  return parse(ClientFrameSchema, json, "invalid_frame");
}

/** Parses one server frame on the client; a broken server frame is data, not a crash. */
export function parseServerFrame(raw: string): ParseResult<ServerFrame> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, code: "malformed_json" };
  }
  return parse(ServerFrameSchema, json, "invalid_frame");
}
