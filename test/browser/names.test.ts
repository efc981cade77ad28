import type { Browser, Page } from "playwright-core";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Name } from "../../apps/web/src/components/names.tsx";
import { describeWithBrowser, launchBrowser } from "../support/browser.ts";

const RLO = "\u202E";

/**
 * Where Chromium draws the first and the last letter of `word` inside the paragraph: true when the
 * first is left of the last (the word reads as written).
 */
async function readsLeftToRight(page: Page, html: string, word: string): Promise<boolean> {
  await page.setContent(`<!doctype html><html lang="en"><body><p id="p">${html}</p></body></html>`);
  return page.evaluate((w) => {
    const p = document.getElementById("p");
    if (!p) throw new Error("no paragraph");
    const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.textContent?.indexOf(w) ?? -1;
      if (at < 0) continue;
      const rect = (i: number) => {
        const r = document.createRange();
        r.setStart(node, i);
        r.setEnd(node, i + 1);
        return r.getBoundingClientRect();
      };
      return rect(at).left < rect(at + w.length - 1).left;
    }
    throw new Error(`"${w}" not found`);
  }, word);
}

describeWithBrowser("a name holding a bidi override (security finding 4, web side; Chromium)", () => {
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    browser = await launchBrowser();
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("does not reorder the words after it once shown with <Name> (it would without)", async () => {
    const name = `${RLO}Rowan`;
    const isolated = renderToStaticMarkup(
      createElement("span", null, "Replying to ", createElement(Name, null, name), ": hello there"),
    );
    expect(isolated).toContain("<bdi>");
    expect(await readsLeftToRight(page, isolated, "hello")).toBe(true);
    // The same words without the isolate: the override runs on and "hello" is drawn backwards.
    const bare = renderToStaticMarkup(createElement("span", null, "Replying to ", name, ": hello there"));
    expect(await readsLeftToRight(page, bare, "hello")).toBe(false);
  });
});
