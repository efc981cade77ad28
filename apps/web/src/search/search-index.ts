import { queryTokens, tokenize, wordSpans } from "./tokenize.ts";

/** One searchable message: where it is, who sent it, when, and its words. */
export interface SearchDoc {
  conversationId: string;
  messageId: string;
  seq: number;
  sentAt: string;
  senderId: string;
  /** The message text, with an attachment's name and caption when it has one. */
  text: string;
}

/** A piece of a snippet; `match` pieces are the words the query found. Plain text, never HTML. */
export interface SnippetPart {
  text: string;
  match: boolean;
}

/** A message the query found, with a short snippet around the first match. */
export interface SearchResult {
  doc: SearchDoc;
  snippet: SnippetPart[];
}

/** The newest `results` (at most the limit) and how many messages matched in all. */
export interface SearchHits {
  results: SearchResult[];
  total: number;
}

/** Characters of context shown before the first match, and the longest snippet. */
const BEFORE = 36;
const LONGEST = 140;

/**
 * A message's key in the index: its conversation and id. Ids are chosen by the sending device, so
 * one conversation's member could reuse another conversation's id; keyed by both, a message (or a
 * deletion) can only ever replace or remove one of its own conversation.
 */
export function docKey(conversationId: string, messageId: string): string {
  return `${conversationId}\u0000${messageId}`;
}

/**
 * An inverted index of messages kept in memory: token → message keys. A query looks up its words
 * (as prefixes, by binary search in the sorted token list) and intersects the sets, so a search
 * costs what the matching tokens cost, not a scan of every message.
 */
export class SearchIndex {
  readonly #docs = new Map<string, { doc: SearchDoc; tokens: string[] }>();
  readonly #postings = new Map<string, Set<string>>();
  /** Every token, sorted; rebuilt on the next search after tokens came or went. */
  #sorted: string[] | undefined = [];

  /** How many messages are indexed. */
  get size(): number {
    return this.#docs.size;
  }

  /** Adds (or replaces) a message. A message without words is not kept. */
  add(doc: SearchDoc): void {
    const key = docKey(doc.conversationId, doc.messageId);
    this.#removeKey(key);
    const tokens = [...new Set(tokenize(doc.text))];
    if (tokens.length === 0) return;
    this.#docs.set(key, { doc, tokens });
    for (const t of tokens) {
      let ids = this.#postings.get(t);
      if (!ids) {
        ids = new Set();
        this.#postings.set(t, ids);
        this.#sorted = undefined;
      }
      ids.add(key);
    }
  }

  /** One indexed message, if it is indexed. */
  get(conversationId: string, messageId: string): SearchDoc | undefined {
    return this.#docs.get(docKey(conversationId, messageId))?.doc;
  }

  /** Forgets a message (deleted for everyone). */
  remove(conversationId: string, messageId: string): void {
    this.#removeKey(docKey(conversationId, messageId));
  }

  #removeKey(key: string): void {
    const entry = this.#docs.get(key);
    if (!entry) return;
    this.#docs.delete(key);
    for (const t of entry.tokens) {
      const ids = this.#postings.get(t);
      ids?.delete(key);
      if (ids?.size === 0) {
        this.#postings.delete(t);
        this.#sorted = undefined;
      }
    }
  }

  /** Every indexed message (for saving). */
  docs(): SearchDoc[] {
    return [...this.#docs.values()].map((e) => e.doc);
  }

  /**
   * The messages in which every word of `query` starts some word, newest first (by `sentAt`, then
   * `seq`), at most `limit` of them. Never throws on any input.
   */
  search(query: string, limit = 50): SearchHits {
    const words = queryTokens(query);
    if (words.length === 0) return { results: [], total: 0 };
    let found: Set<string> | undefined;
    // Rarest-first would need every union first; shortest-last is a cheap proxy (longer = rarer).
    for (const w of [...words].sort((a, b) => b.length - a.length)) {
      const ids = this.#withPrefix(w, found);
      found = ids;
      if (ids.size === 0) return { results: [], total: 0 };
    }
    const docs: SearchDoc[] = [];
    for (const id of found ?? []) {
      const entry = this.#docs.get(id);
      if (entry) docs.push(entry.doc);
    }
    docs.sort((a, b) => (a.sentAt === b.sentAt ? b.seq - a.seq : a.sentAt < b.sentAt ? 1 : -1));
    const results = docs
      .slice(0, Math.max(0, limit))
      .map((doc) => ({ doc, snippet: snippet(doc.text, words) }));
    return { results, total: docs.length };
  }

  /** Ids of messages with a token starting with `prefix`; only those in `within`, if given. */
  #withPrefix(prefix: string, within: Set<string> | undefined): Set<string> {
    const sorted = this.#sortedTokens();
    const out = new Set<string>();
    for (let i = lowerBound(sorted, prefix); i < sorted.length; i++) {
      const token = sorted[i] as string;
      if (!token.startsWith(prefix)) break;
      for (const id of this.#postings.get(token) ?? []) {
        if (!within || within.has(id)) out.add(id);
      }
    }
    return out;
  }

  #sortedTokens(): string[] {
    this.#sorted ??= [...this.#postings.keys()].sort();
    return this.#sorted;
  }
}

/** The first index whose value is not less than `key` (code-unit order, as `sort()` leaves it). */
function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A short piece of `text` around the first word a query word starts, with every matched prefix
 * marked. Cut at word boundaries, with "…" where text was left out; runs of white space become one.
 */
export function snippet(text: string, words: readonly string[]): SnippetPart[] {
  const spans = wordSpans(text);
  const marks: Array<[number, number]> = [];
  for (const span of spans) {
    let longest = 0;
    for (const w of words) if (w.length > longest && span.token.startsWith(w)) longest = w.length;
    if (longest > 0) marks.push([span.start, span.ends[longest - 1] ?? span.end]);
  }
  const first = marks[0];
  let from = 0;
  if (first && first[0] > BEFORE) {
    // Start at the first word that begins at most BEFORE characters ahead of the match.
    from = spans.find((s) => s.start >= first[0] - BEFORE)?.start ?? first[0];
  }
  let to = text.length;
  if (to - from > LONGEST) {
    // End after the last whole word that fits, and never inside the first match.
    const limit = from + LONGEST;
    to = first ? first[1] : limit;
    for (const s of spans) if (s.start >= from && s.end <= limit && s.end > to) to = s.end;
  }
  const parts: SnippetPart[] = [];
  const push = (s: string, match: boolean) => {
    const clean = s.replace(/\s+/g, " ");
    if (clean) parts.push({ text: clean, match });
  };
  let at = from;
  for (const [start, end] of marks) {
    if (end <= from || start >= to) continue;
    // Spans of one run of letters overlap (one per word start in it): never show text twice.
    const s = Math.max(start, from, at);
    const e = Math.min(end, to);
    if (e <= s) continue;
    if (s > at) push(text.slice(at, s), false);
    push(text.slice(s, e), true);
    at = e;
  }
  if (at < to) push(text.slice(at, to), false);
  const head = parts[0];
  if (head && !head.match) head.text = head.text.trimStart();
  const tail = parts[parts.length - 1];
  if (tail && !tail.match) tail.text = tail.text.trimEnd();
  if (from > 0) parts.unshift({ text: "…", match: false });
  if (to < text.length) parts.push({ text: "…", match: false });
  return parts.filter((p) => p.text.length > 0);
}
