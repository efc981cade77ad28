import { startTestServer, type TestServer } from "@hearth/server/testing";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { buildWebApp, describeWithBrowser, launchBrowser, type WebBuild } from "../support/browser.ts";
import { bubble, makeWebPractice, send, statusOfLast, type WebPractice } from "../support/web-practice.ts";

/**
 * Unread counts and read receipts follow what is on screen, whatever opened it: here a message
 * arrives while the therapist reads an older one opened from search.
 */
describeWithBrowser("unread follows the screen (Chromium)", () => {
  let web: WebBuild | undefined;
  let t: TestServer | undefined;
  let browser: Browser | undefined;
  let practice: WebPractice | undefined;

  beforeAll(async () => {
    web = await buildWebApp();
    t = await startTestServer({ webDistDir: web.distDir });
    browser = await launchBrowser();
    practice = await makeWebPractice(browser, t);
  });

  afterAll(async () => {
    await practice?.therapist.ctx.close().catch(() => {});
    await practice?.patient.ctx.close().catch(() => {});
    await browser?.close();
    await t?.stop();
    web?.remove();
  });

  it("a message that arrives while an older one opened from search is on screen ends read, also after a reload", async () => {
    const { patient, therapist, conversationPath } = practice!;
    const pp = patient.page;
    const tp = therapist.page;
    // A conversation long enough that its first message is far from the latest.
    await send(pp, "A note about the garden");
    for (let i = 1; i <= 24; i++) await send(pp, `Line ${i} of the week`);
    await bubble(tp, "Line 24 of the week").waitFor();
    await expect.poll(() => statusOfLast(pp)).toBe("read");

    // The therapist opens the old message from search.
    await tp.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Search" }).click();
    await tp.getByRole("searchbox", { name: "Search your messages" }).pressSequentially("garden");
    await tp.locator(".search-result").first().click();
    await tp.waitForURL((url) => url.pathname === conversationPath);
    await bubble(tp, "A note about the garden").waitFor();
    await expect.poll(() => new URL(tp.url()).search).toBe("");

    // A new message comes while the old one is on screen: delivered, not read.
    await send(pp, "Are you there?");
    await expect.poll(() => statusOfLast(pp)).toBe("delivered");
    expect(await bubble(tp, "Are you there?").isVisible()).toBe(false);
    // And the patient takes back an older line: the log's last entry is now a deletion, not a message.
    await pp
      .locator(".msg")
      .filter({ hasText: "Line 23 of the week" })
      .getByRole("button", { name: /^More actions/ })
      .click();
    await pp.getByRole("menuitem", { name: "Delete" }).click();
    await pp
      .getByRole("dialog", { name: "Delete this message for everyone?" })
      .getByRole("button", { name: "Delete for everyone" })
      .click();
    await pp.getByText("This message was deleted.").waitFor();

    // Back to the caseload: one new message. Opening the chat shows it: read, and nothing unread.
    await tp
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: /Caseload|Conversations/ })
      .click();
    await tp.getByText("1 new message").waitFor();
    await tp.getByRole("link", { name: /Sky/ }).click();
    await bubble(tp, "Are you there?").waitFor({ state: "visible" });
    await expect.poll(() => statusOfLast(pp)).toBe("read");
    await tp
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: /Caseload|Conversations/ })
      .click();
    await tp.getByRole("link", { name: /Sky/ }).waitFor();
    await tp.getByText("No new messages").waitFor();
    expect(await tp.getByText(/\d+ new messages?/).count()).toBe(0);

    // And after a reload.
    await tp.reload();
    await tp.getByRole("link", { name: /Sky/ }).waitFor();
    await tp.getByText("No new messages").waitFor();
    expect(await tp.getByText(/\d+ new messages?/).count()).toBe(0);
    await pp.reload();
    await expect.poll(() => statusOfLast(pp)).toBe("read");
  });
});
