/**
 * Text folding and word tokens for search on the device. Folding makes a query match the way people
 * type it: case, accents and compatibility forms are ignored ("cafe" finds "Café", "ﬁle" finds
 * "file"). A query matches a message when every query word is the start of some word of the message
 * ("thur" finds "Thursday").
 */

const MARKS = /\p{M}+/gu;
const NOT_WORD = /[^\p{L}\p{N}]+/u;
const WORD = /[\p{L}\p{N}]/u;

/**
 * Compatibility decomposition (NFKD), lower case, combining marks removed. Decomposed first, as
 * NFKD can give capitals ("№" → "No"). Final sigma is folded to σ: `toLowerCase` writes ς at the
 * end of a word, which a person typing a prefix would not.
 */
export function fold(text: string): string {
  return text.normalize("NFKD").toLowerCase().normalize("NFKD").replace(MARKS, "").replaceAll("ς", "σ");
}

/** The folded words of `text`, in order (with repeats). */
export function tokenize(text: string): string[] {
  return fold(text)
    .split(NOT_WORD)
    .filter((t) => t.length > 0);
}

/** The distinct folded words of a query. Words that are prefixes of another are kept: each must match. */
export function queryTokens(query: string): string[] {
  return [...new Set(tokenize(query))];
}

/** A word of the original text: where it is (UTF-16 offsets) and its folded form. */
export interface WordSpan {
  start: number;
  end: number;
  token: string;
  /** For each folded character, the original offset just after the character it came from. */
  ends: number[];
}

/**
 * The words of `text` with their places in the original, for highlighting. Folds code point by code
 * point, so the words are exactly those {@link tokenize} finds (only case and marks are context-free
 * here, and both are folded away), and each folded character maps back to the original.
 */
export function wordSpans(text: string): WordSpan[] {
  const spans: WordSpan[] = [];
  let current: WordSpan | undefined;
  let offset = 0;
  for (const cp of text) {
    const next = offset + cp.length;
    const folded = fold(cp);
    if (folded === "" && current) {
      // A combining mark (folded away) belongs to the word it follows.
      current.end = next;
      current.ends[current.ends.length - 1] = next;
    }
    for (const ch of folded) {
      if (WORD.test(ch)) {
        current ??= { start: offset, end: next, token: "", ends: [] };
        current.token += ch;
        current.ends.push(next);
        current.end = next;
      } else if (current) {
        spans.push(current);
        current = undefined;
      }
    }
    offset = next;
  }
  if (current) spans.push(current);
  return spans;
}

/** Does the message with these tokens match every query token (as a word prefix)? */
export function matchesAll(tokens: readonly string[], query: readonly string[]): boolean {
  return query.every((q) => tokens.some((t) => t.startsWith(q)));
}
