import { z } from "zod";

/**
 * Characters no human-readable name may hold: controls (C0, C1, NUL), format characters (bidi
 * overrides and isolates such as U+202E, zero-width spaces, the BOM, soft hyphens, tag characters),
 * lone surrogates, and line or paragraph separators. Zero-width (non-)joiners U+200C and U+200D stay
 * allowed: Persian, Indic scripts and emoji sequences need them.
 */
const FORBIDDEN_IN_NAME = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}]|(?![\u200C\u200D])\p{Cf}/u;

/** Does this (already normalised) name hold only characters a person can see and read? */
export function isSafeName(name: string): boolean {
  return !FORBIDDEN_IN_NAME.test(name);
}

/**
 * A name shown to other people (display names, device names, the practice name): normalised to NFC,
 * trimmed, 1 to `max` characters, and refused with the coded error `name_invalid` when it holds a
 * control, format or direction-override character — so that nobody can look like someone else in a
 * caseload by hiding characters in their name.
 */
export function nameSchema(max: number) {
  return z
    .string()
    .normalize("NFC")
    .trim()
    .min(1)
    .max(max)
    .refine(isSafeName, {
      message: "control, format or direction characters",
      params: { code: "name_invalid" },
    });
}
