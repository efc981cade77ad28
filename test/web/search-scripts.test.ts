import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type SearchDoc, SearchIndex, snippet } from "../../apps/web/src/search/search-index.ts";
import { queryTokens, tokenize, wordSpans } from "../../apps/web/src/search/tokenize.ts";
import { searchDoc } from "../support/search-docs.ts";

/** Search in scripts written without spaces (Chinese, Japanese, Thai) and in accented Latin. */

const doc = searchDoc;

function indexOf(...texts: string[]): { index: SearchIndex; docs: SearchDoc[] } {
  const index = new SearchIndex();
  const docs = texts.map((t) => doc(t));
  for (const d of docs) index.add(d);
  return { index, docs };
}

const ids = (index: SearchIndex, q: string) => index.search(q, 1000).results.map((r) => r.doc.messageId);
const marked = (text: string, q: string) =>
  snippet(text, queryTokens(q))
    .filter((p) => p.match)
    .map((p) => p.text);
const segmenter = new Intl.Segmenter(undefined, { granularity: "word" });
const wordLikeSegments = (text: string) =>
  [...segmenter.segment(text)].filter((s) => s.isWordLike).map((s) => s.segment);

describe("search in every script", () => {
  it("Chinese: finds each word of a sentence written without spaces, and runs of words", () => {
    const { index, docs } = indexOf("我们明天下午三点见面。", "今天很累，想早点睡觉");
    const [meet, tired] = docs.map((d) => d.messageId);
    expect(ids(index, "明天")).toEqual([meet]);
    expect(ids(index, "见面")).toEqual([meet]);
    expect(ids(index, "下午三点")).toEqual([meet]);
    expect(ids(index, "我们明天")).toEqual([meet]);
    expect(ids(index, "睡觉")).toEqual([tired]);
    expect(ids(index, "明天 睡觉")).toEqual([]);
    expect(marked("我们明天下午三点见面。", "见面")).toEqual(["见面"]);
  });

  it("Japanese: kanji, hiragana and katakana words", () => {
    const { index, docs } = indexOf("明日は晴れです。コーヒーを飲みましょう", "東京で会いましょう");
    const [coffee, tokyo] = docs.map((d) => d.messageId);
    expect(ids(index, "晴れ")).toEqual([coffee]);
    expect(ids(index, "コーヒー")).toEqual([coffee]);
    expect(ids(index, "明日")).toEqual([coffee]);
    expect(ids(index, "東京")).toEqual([tokyo]);
    // Both end in しょう, a word in each (会|いま|しょう, 飲|み|ま|しょう).
    expect(ids(index, "しょう")).toEqual([tokyo, coffee]);
    expect(marked("明日は晴れです。コーヒーを飲みましょう", "コーヒー")).toEqual(["コーヒー"]);
  });

  it("Thai: words of a sentence without spaces", () => {
    const { index, docs } = indexOf("ขอบคุณมากครับ", "พรุ่งนี้เจอกันนะ");
    const [thanks, tomorrow] = docs.map((d) => d.messageId);
    expect(ids(index, "มาก")).toEqual([thanks]);
    expect(ids(index, "ครับ")).toEqual([thanks]);
    expect(ids(index, "ขอบคุณ")).toEqual([thanks]);
    expect(ids(index, "เจอ")).toEqual([tomorrow]);
    expect(ids(index, "มาก เจอ")).toEqual([]);
  });

  it("accented Latin: accents and case ignored both ways, words split as before", () => {
    const { index, docs } = indexOf("Rendez-vous à l'hôpital, Zoë", "Crème brûlée für Jürgen");
    const [visit, dessert] = docs.map((d) => d.messageId);
    expect(ids(index, "hopital")).toEqual([visit]);
    expect(ids(index, "HÔPITAL")).toEqual([visit]);
    expect(ids(index, "zoe vous")).toEqual([visit]);
    expect(ids(index, "brulee jurg")).toEqual([dessert]);
    expect(ids(index, "fur")).toEqual([dessert]);
    expect(tokenize("Rendez-vous à l'hôpital")).toEqual(["rendez", "vous", "a", "l", "hopital"]);
    expect(marked("Crème brûlée für Jürgen", "jurg")).toEqual(["Jürg"]);
  });

  it("a Latin word run into Chinese is found by either part", () => {
    const { index, docs } = indexOf("明天去Starbucks见面");
    expect(ids(index, "starbucks")).toEqual([docs[0]!.messageId]);
    expect(ids(index, "见面")).toEqual([docs[0]!.messageId]);
  });

  it("without Intl.Segmenter, every character of an unspaced script starts a word", () => {
    expect(tokenize("我们明天", null)).toEqual(["我们明天", "们明天", "明天", "天"]);
    expect(tokenize("go 东京", null)).toEqual(["go", "东京", "京"]);
    expect(tokenize("Café au lait", null)).toEqual(["cafe", "au", "lait"]);
  });

  it("wordSpans and tokenize agree on any text, with and without a segmenter", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.boolean(), (text, withSegmenter) => {
        const s = withSegmenter ? segmenter : null;
        expect(wordSpans(text, s).map((w) => w.token)).toEqual(tokenize(text, s));
      }),
    );
  });

  it("every word-like segment of an indexed text finds it (property)", () => {
    const words = fc.constantFrom(
      "我们",
      "明天",
      "下午",
      "见面",
      "医生",
      "谢谢",
      "明日",
      "晴れ",
      "です",
      "コーヒー",
      "東京",
      "会いましょう",
      "ขอบคุณ",
      "มาก",
      "ครับ",
      "พรุ่งนี้",
      "café",
      "Zoë",
      "brûlée",
      "hôpital",
      "Jürgen",
      "thursday",
      "session",
    );
    const separators = fc.constantFrom("", "", " ", "、", "。", ", ", "-", "!");
    const texts = fc.array(fc.tuple(words, separators), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(fc.array(texts, { minLength: 1, maxLength: 5 }), (parts) => {
        const { index, docs } = indexOf(...parts.map((p) => p.map(([w, sep]) => w + sep).join("")));
        for (const d of docs) {
          for (const segment of wordLikeSegments(d.text)) {
            expect(ids(index, segment)).toContain(d.messageId);
          }
        }
      }),
    );
  });
});
