/**
 * Reads a `Content-Length` header strictly: plain decimal digits (RFC 9110 §8.6), at most 15 of them
 * (below 2^53). `undefined` when absent (a chunked upload, counted as it streams), `"invalid"` for
 * anything else — a sign, a space, a second value, hex, an exponent.
 */
export function parseContentLength(header: string | string[] | undefined): number | undefined | "invalid" {
  if (header === undefined) return undefined;
  if (typeof header !== "string" || !/^[0-9]{1,15}$/.test(header)) return "invalid";
  return Number(header);
}
