/**
 * Text folding and word tokens for search on the device. Folding makes a query match the way people
 * type it: case, accents and compatibility forms are ignored ("cafe" finds "Café", "ﬁle" finds
 * "file"). A query matches a message when every query word is the start of some word of the message
 * ("thur" finds "Thursday").
 *
 * Words are found with `Intl.Segmenter` (word granularity), so scripts written without spaces are
 * searchable: in "我们明天见" the words are 我们 · 明天 · 见, in "明日は晴れです" 明日 · は · 晴れ · です, in
 * "ขอบคุณมากครับ" ขอบคุณ · มาก · ครับ. A run of letters and digits (a *chunk*, what a query word is) is
 * indexed from each word start inside it: the whole run, then the rest from each later word on
 * ("我们明天见", "明天见", "见"). So "明天" finds the message, and so does "我们明天": a query word may
 * run across several words of the message, however the segmenter split it there.
 */

const MARKS = /\p{M}+/gu;
const NOT_WORD = /[^\p{L}\p{N}]+/u;
const WORD = /[\p{L}\p{N}]/u;
/**
 * Scripts written without spaces between words (with the marks they share, such as ー). Word starts
 * are only taken next to these: elsewhere a run of letters and digits is one word, as before
 * ("no2" from "№2", "4pm").
 */
const UNSPACED =
  /[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Thai}\p{scx=Lao}\p{scx=Khmer}\p{scx=Myanmar}]/u;
/** A chunk longer than this (code points) keeps its later word starts to this length each. */
const LONG_CHUNK = 256;
const SUFFIX_CAP = 64;

/** The word segmenter of this browser, or `null` where `Intl.Segmenter` does not exist. */
const DEFAULT_SEGMENTER: Intl.Segmenter | null =
  typeof Intl !== "undefined" && typeof Intl.Segmenter === "function"
    ? new Intl.Segmenter(undefined, { granularity: "word" })
    : null;

/**
 * Compatibility decomposition (NFKD), lower case, combining marks removed. Decomposed first, as
 * NFKD can give capitals ("№" → "No"). Final sigma is folded to σ: `toLowerCase` writes ς at the
 * end of a word, which a person typing a prefix would not.
 */
export function fold(text: string): string {
  return text.normalize("NFKD").toLowerCase().normalize("NFKD").replace(MARKS, "").replaceAll("ς", "σ");
}

/** The folded runs of letters and digits of `text`, in order. */
function chunks(text: string): string[] {
  return fold(text)
    .split(NOT_WORD)
    .filter((t) => t.length > 0);
}

/**
 * Where words start in `text` (UTF-16 offsets), by the segmenter; `"every"` without one (each
 * character of an unspaced script is then a word).
 */
function wordStarts(text: string, segmenter: Intl.Segmenter | null): Set<number> | "every" {
  if (!segmenter) return "every";
  const starts = new Set<number>();
  for (const s of segmenter.segment(text)) starts.add(s.index);
  return starts;
}

/**
 * The tokens of `text`, in order (with repeats): each run of letters and digits, then, when a word
 * starts inside it, the rest of the run from that word on. `segmenter: null` uses the fallback.
 */
export function tokenize(text: string, segmenter: Intl.Segmenter | null = DEFAULT_SEGMENTER): string[] {
  if (!UNSPACED.test(text)) return chunks(text);
  return wordSpans(text, segmenter).map((s) => s.token);
}

/** The distinct folded words of a query (runs of letters and digits). Prefixes of another are kept: each must match. */
export function queryTokens(query: string): string[] {
  return [...new Set(chunks(query))];
}

/** A token of the original text: where it is (UTF-16 offsets) and its folded form. */
export interface WordSpan {
  start: number;
  end: number;
  token: string;
  /** For each folded character, the original offset just after the character it came from. */
  ends: number[];
}

interface Chunk {
  start: number;
  end: number;
  /** Folded characters, and the original offset just after each. */
  chars: string[];
  ends: number[];
  /** Per later word start: its index in `chars` and its original offset. */
  starts: { at: number; offset: number }[];
}

/**
 * The tokens of `text` with their places in the original, for highlighting (the same tokens as
 * {@link tokenize}; spans of one run overlap). Folds code point by code point (only case and marks
 * are context-free here, and both are folded away), so each folded character maps back to the
 * original.
 */
export function wordSpans(text: string, segmenter: Intl.Segmenter | null = DEFAULT_SEGMENTER): WordSpan[] {
  const starts = UNSPACED.test(text) ? wordStarts(text, segmenter) : new Set<number>();
  const found: Chunk[] = [];
  let current: Chunk | undefined;
  let offset = 0;
  let wordStartPending = false;
  let previousUnspaced = false;
  for (const cp of text) {
    const next = offset + cp.length;
    const unspaced = UNSPACED.test(cp);
    if ((unspaced || previousUnspaced) && (starts === "every" || starts.has(offset))) wordStartPending = true;
    previousUnspaced = unspaced;
    const folded = fold(cp);
    if (folded === "" && current) {
      // A combining mark (folded away) belongs to the word it follows.
      current.end = next;
      current.ends[current.ends.length - 1] = next;
    }
    for (const ch of folded) {
      if (WORD.test(ch)) {
        if (!current) {
          current = { start: offset, end: next, chars: [], ends: [], starts: [] };
          found.push(current);
        } else if (wordStartPending) {
          current.starts.push({ at: current.chars.length, offset });
        }
        wordStartPending = false;
        current.chars.push(ch);
        current.ends.push(next);
        current.end = next;
      } else if (current) {
        current = undefined;
      }
    }
    offset = next;
  }
  const spans: WordSpan[] = [];
  for (const c of found) {
    spans.push({ start: c.start, end: c.end, token: c.chars.join(""), ends: c.ends });
    // A long unspaced run would make its tokens grow with the square of its length: cap them.
    const cap = c.chars.length > LONG_CHUNK ? SUFFIX_CAP : c.chars.length;
    for (const s of c.starts) {
      const ends = c.ends.slice(s.at, s.at + cap);
      spans.push({
        start: s.offset,
        end: ends[ends.length - 1] ?? c.end,
        token: c.chars.slice(s.at, s.at + cap).join(""),
        ends,
      });
    }
  }
  return spans;
}

/** Does the message with these tokens match every query token (as a word prefix)? */
export function matchesAll(tokens: readonly string[], query: readonly string[]): boolean {
  return query.every((q) => tokens.some((t) => t.startsWith(q)));
}
