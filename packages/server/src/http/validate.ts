import { type ErrorCode, parse } from "@hearth/protocol";
import type { z } from "zod";
import { HttpRefusal } from "./reply-error.ts";

/** Validates an untrusted request part or throws a coded {@link HttpRefusal}. */
export function validate<S extends z.ZodType>(
  schema: S,
  input: unknown,
  code: ErrorCode = "bad_request",
): z.output<S> {
  const r = parse(schema, input, code);
  if (!r.ok) throw new HttpRefusal(r.code, r.path);
  return r.value;
}
