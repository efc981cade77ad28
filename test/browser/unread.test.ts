import type { ConversationSummary } from "@hearth/protocol";
import { startTestServer, type TestServer } from "@hearth/server/testing";
import type { Browser, Route } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { buildWebApp, describeWithBrowser, launchBrowser, type WebBuild } from "../support/browser.ts";
import {
  bubble,
  makeWebPractice,
  openPerson,
  type Person,
  savedToken,
  send,
  signInWithRecoveryKey,
  statusOfLast,
  type WebPractice,
} from "../support/web-practice.ts";

/**
 * Unread counts and read receipts follow what is on screen, whatever opened it: here a message
 * arrives while the therapist reads an older one opened from search.
 */
describeWithBrowser("unread follows the screen (Chromium)", () => {
  let web: WebBuild | undefined;
  let t: TestServer | undefined;
  let browser: Browser | undefined;
  let practice: WebPractice | undefined;
  let patientLogin = "";
  /** The patient's laptop (the last two tests). */
  let laptop: Person | undefined;

  beforeAll(async () => {
    web = await buildWebApp();
    t = await startTestServer({ webDistDir: web.distDir });
    browser = await launchBrowser();
    practice = await makeWebPractice(browser, t);
    const me = await t.call<{ login: string }>("GET", "/v1/me", {
      token: await savedToken(practice.patient.page),
    });
    patientLogin = me.body.login;
  });

  afterAll(async () => {
    await practice?.therapist.ctx.close().catch(() => {});
    await practice?.patient.ctx.close().catch(() => {});
    await laptop?.ctx.close().catch(() => {});
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

  it("a new device that opens the chat before its history has arrived still lands on the first unread message", async () => {
    const { patient, therapist } = practice!;
    const tp = therapist.page;
    const phoneToken = await savedToken(patient.page);
    /** The patient's one conversation as the server has it: their read marker, the log's end. */
    const markerOf = async (token: string) => {
      const [c] = (await t!.call<ConversationSummary[]>("GET", "/v1/conversations", { token })).body;
      return { readSeq: c!.readSeq, lastSeq: c!.lastSeq };
    };
    const readAtOpen = (await markerOf(phoneToken)).readSeq;
    // The patient's phone is put away: what comes next stays unread.
    await patient.ctx.close();
    await tp.getByRole("link", { name: /Sky/ }).click();
    for (let i = 1; i <= 30; i++) await send(tp, `Unread line ${i}`);
    await bubble(tp, "Unread line 30").waitFor();

    // A new device of the patient. Its history comes over the socket as `message` frames; they are
    // held back until the chat is open, as on a slow connection (everything else passes at once).
    const desk = await openPerson(browser!);
    let holding = true;
    const held: (() => void)[] = [];
    await desk.ctx.routeWebSocket(/\/v1\/ws$/, (ws) => {
      const server = ws.connectToServer();
      server.onMessage((frame) => {
        const pass = () => ws.send(frame);
        const isEntry =
          typeof frame === "string" && (JSON.parse(frame) as { type?: unknown }).type === "message";
        if (holding && isEntry) held.push(pass);
        else pass();
      });
    });
    const dp = desk.page;
    await signInWithRecoveryKey(dp, t!.url, patientLogin, practice!.patientRecoveryKey);
    await dp.getByText("30 new messages").waitFor();
    await dp.getByRole("link", { name: /Dr Rowan/ }).click();
    await dp.getByRole("textbox", { name: "Message" }).waitFor();
    await expect.poll(() => held.length).toBeGreaterThan(30);
    expect(await dp.locator(".msg__text").count()).toBe(0);

    // The history arrives: the chat goes to the first unread message, not to the latest.
    holding = false;
    for (const pass of held.splice(0)) pass();
    const firstUnread = bubble(dp, /^Unread line 1$/);
    await firstUnread.waitFor();
    await dp.locator(".chat__unread").waitFor();
    const inView = (el: Element) => {
      const box = el.getBoundingClientRect();
      const view = el.closest(".chat__scroller")!.getBoundingClientRect();
      return box.bottom > view.top && box.top < view.bottom;
    };
    await expect.poll(() => dp.locator(".chat__unread").evaluate(inView)).toBe(true);
    await expect.poll(() => firstUnread.evaluate(inView)).toBe(true);
    // What was on screen is read, what was not is not: the patient's read marker moves past the
    // first unread line and stops short of the latest (the therapist's latest stays delivered), until
    // the patient goes down to it.
    const token = await savedToken(dp);
    await expect.poll(async () => (await markerOf(token)).readSeq).toBeGreaterThan(readAtOpen);
    const landed = await markerOf(token);
    expect(landed.readSeq).toBeLessThan(landed.lastSeq);
    expect(await statusOfLast(tp)).toBe("delivered");
    await dp.getByRole("button", { name: "Jump to latest" }).click();
    await bubble(dp, "Unread line 30").waitFor();
    await expect.poll(() => statusOfLast(tp)).toBe("read");
    await desk.ctx.close();
  });

  it("a device that opens the chat before the server's list has come places the new-messages line by the server's read marker, not the one it saved", async () => {
    const tp = practice!.therapist.page;
    // A laptop of the patient's, up to date, is shut: the list it saved keeps the read marker of then.
    const device = await openPerson(browser!);
    laptop = device;
    await signInWithRecoveryKey(device.page, t!.url, patientLogin, practice!.patientRecoveryKey);
    await device.page.getByRole("link", { name: /Dr Rowan/ }).click();
    await bubble(device.page, "Unread line 30").waitFor();
    await device.page.close();

    // Meanwhile the patient reads twenty new lines on another device.
    for (let i = 1; i <= 20; i++) await send(tp, `Later line ${i}`);
    await bubble(tp, "Later line 20").waitFor();
    const other = await openPerson(browser!);
    await signInWithRecoveryKey(other.page, t!.url, patientLogin, practice!.patientRecoveryKey);
    await other.page.getByRole("link", { name: /Dr Rowan/ }).click();
    await bubble(other.page, /^Later line 1$/).waitFor();
    await other.page.getByRole("region", { name: "Messages" }).focus();
    await other.page.keyboard.press("End");
    await bubble(other.page, "Later line 20").waitFor();
    await expect.poll(() => statusOfLast(tp)).toBe("read");
    await other.ctx.close();
    await send(tp, "Still there?");
    await bubble(tp, "Still there?").waitFor();

    // The laptop again, with the server's list held back until its chat is open: the saved list
    // shows the conversation, but only the server knows where the patient stopped reading.
    const lp = await device.ctx.newPage();
    let holding = true;
    const held: Route[] = [];
    await lp.route(/\/v1\/conversations$/, (route) => (holding ? held.push(route) : route.continue()));
    await lp.goto(`${t!.url}/`);
    await lp.getByRole("link", { name: /Dr Rowan/ }).click();
    await lp.getByRole("textbox", { name: "Message" }).waitFor();
    await expect.poll(() => held.length).toBeGreaterThan(0);
    // Connected all along (else the app would have gone by the saved marker on purpose: see below).
    expect(await lp.locator(".connection-banner").getByText("You're offline", { exact: false }).count()).toBe(
      0,
    );
    holding = false;
    for (const route of held.splice(0)) await route.continue();

    // The line sits right above the one message not read anywhere, and that message is in view.
    const place = () =>
      lp.evaluate(() => {
        const top = (text: string) =>
          [...document.querySelectorAll(".msg__text")]
            .find((el) => el.textContent === text)
            ?.getBoundingClientRect().top;
        const line = document.querySelector(".chat__unread")?.getBoundingClientRect().top;
        const before = top("Later line 20");
        const after = top("Still there?");
        if (line === undefined || before === undefined || after === undefined) return "not drawn";
        return before < line && line < after ? "between" : "elsewhere";
      });
    await expect.poll(place).toBe("between");
    await expect.poll(() => bubble(lp, "Still there?").isVisible()).toBe(true);
    await expect.poll(() => statusOfLast(tp)).toBe("read");
    await lp.close();
  });

  it("on a network where nothing answers, the chat opens where the saved marker says once the app knows it is offline", async () => {
    // The laptop of the test above, whose saved list has the latest marker.
    const { ctx } = laptop!;
    // The server's list and the socket both hang: no answer, no error.
    const lp = await ctx.newPage();
    await lp.route(/\/v1\/conversations$/, () => {});
    await ctx.routeWebSocket(/\/v1\/ws$/, () => {});
    await lp.goto(`${t!.url}/`);
    await lp.getByRole("link", { name: /Dr Rowan/ }).click();
    // It says it is offline and shows where the patient stopped reading (the latest here), not the
    // top of the conversation. (Offline comes after 3 s without a socket, the fetch's own deadline
    // after 15 s; the test does not tell the two apart, as it holds no timings.)
    await lp.locator(".connection-banner").getByText("You're offline", { exact: false }).waitFor();
    await bubble(lp, "Still there?").waitFor();
    expect(await bubble(lp, /^Unread line 1$/).count()).toBe(0);
    await ctx.close();
  });
});
