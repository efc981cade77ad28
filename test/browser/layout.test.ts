import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { startTestServer, type TestServer } from "@hearth/server/testing";
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  buildWebApp,
  describeWithBrowser,
  launchBrowser,
  seriousAxeFindings,
  type WebBuild,
} from "../support/browser.ts";
import { joinFromInvite, makeInviteLink, setUpPractice } from "../support/web-people.ts";
import { statusOfLast } from "../support/web-practice.ts";

const SCREENSHOTS = resolve(import.meta.dirname, "../../test-artifacts/screenshots");

/** A therapist's desktop, a patient's phone, and a 360 px phone at 200% zoom (half the CSS pixels). */
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const ZOOMED = { width: 180, height: 400 };
const SIZES = [
  { size: DESKTOP, label: "desktop" },
  { size: PHONE, label: "phone" },
  { size: ZOOMED, label: "360-zoom200" },
] as const;

/** Where an element is drawn, in CSS pixels of the viewport. */
type Box = { top: number; bottom: number; left: number; right: number };

/**
 * The web app laid out as a messenger (issue 14): two panes on a wide screen, a conversation that
 * fills a phone with the composer at the bottom, the unread line that goes once read, crisis help
 * whose emergency number is on the first screen at 200% zoom, per-message actions in a menu; axe in
 * both themes and screenshots of every main screen at three sizes.
 */
describeWithBrowser("the web app as a messenger: layout (Chromium)", () => {
  let web: WebBuild | undefined;
  let t: TestServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  let therapist: Page;
  let patient: Page;
  let patientInvite = "";

  beforeAll(async () => {
    web = await buildWebApp();
    t = await startTestServer({ webDistDir: web.distDir });
    browser = await launchBrowser();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await t?.stop();
    web?.remove();
  });

  const base = () => t!.url;

  async function newPage(options: BrowserContextOptions): Promise<Page> {
    const ctx = await browser!.newContext({ locale: "en-US", timezoneId: "America/New_York", ...options });
    contexts.push(ctx);
    ctx.setDefaultTimeout(20_000);
    const page = await ctx.newPage();
    page.on("pageerror", (e) => process.stderr.write(`[browser] ${e.message}\n`));
    return page;
  }

  const boxOf = (page: Page, selector: string) =>
    page.evaluate((sel) => {
      const els = document.querySelectorAll(sel);
      const r = els[els.length - 1]?.getBoundingClientRect();
      return r ? { top: r.top, bottom: r.bottom, left: r.left, right: r.right } : undefined;
    }, selector);

  const viewport = (page: Page) => page.evaluate(() => ({ width: innerWidth, height: innerHeight }));

  /** How far the page itself scrolls (0: it fits the window). */
  const pageOverflow = (page: Page) =>
    page.evaluate(() => ({
      down: document.documentElement.scrollHeight - document.documentElement.clientHeight,
      sideways: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    }));

  const inside = (b: Box | undefined, v: { width: number; height: number }) =>
    b !== undefined && b.top >= 0 && b.bottom <= v.height + 0.5 && b.left >= 0 && b.right <= v.width + 0.5;

  const bubble = (page: Page, text: string) => page.locator(".msg__text", { hasText: text });

  async function send(page: Page, text: string) {
    const box = page.getByRole("textbox", { name: "Message" });
    await box.fill(text);
    await box.press("Enter");
    await bubble(page, text).last().waitFor();
  }

  it("a practice with a therapist at a desktop and a patient on a phone", async () => {
    const admin = await newPage({ viewport: DESKTOP });
    const therapistInvite = await setUpPractice(admin, base(), (await t!.server.prepareSetup())!);
    therapist = await newPage({ viewport: DESKTOP });
    await joinFromInvite(therapist, therapistInvite, "Dr Rowan", "rowan");
    await therapist.getByRole("heading", { level: 1, name: "Your caseload" }).waitFor();
    patientInvite = await makeInviteLink(therapist);
    // The patient's phone draws at twice the CSS pixels, as a real one does; 200% zoom then halves
    // the CSS viewport (see ZOOMED).
    patient = await newPage({ viewport: PHONE, deviceScaleFactor: 2 });
    await joinFromInvite(patient, patientInvite, "Sky");
    await patient.getByRole("heading", { level: 1, name: "Dr Rowan" }).waitFor();
  });

  it("two panes at 1280x800: the caseload beside the conversation, full height", async () => {
    const tp = therapist;
    await tp.goto(`${base()}/conversations`);
    const pane = tp.getByRole("complementary", { name: "Caseload" });
    await pane.getByRole("link", { name: /Sky/ }).waitFor();
    // The same word for the list everywhere: the navigation and the pane say "Caseload".
    await tp.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Caseload" }).waitFor();
    await pane.getByRole("link", { name: /Sky/ }).click();
    await tp.getByRole("heading", { level: 1, name: "Sky" }).waitFor();
    await send(tp, "Hello Sky, this is where we can talk between sessions.");

    const v = await viewport(tp);
    const list = await boxOf(tp, ".list-pane");
    const chat = await boxOf(tp, "main.page--chat");
    expect(inside(list, v), "the list pane is on screen").toBe(true);
    expect(inside(chat, v), "the conversation is on screen").toBe(true);
    // Side by side, and the conversation takes most of the window's height.
    expect(list!.right).toBeLessThanOrEqual(chat!.left + 1);
    expect(chat!.bottom - chat!.top).toBeGreaterThanOrEqual(0.7 * v.height);
    expect(await pageOverflow(tp)).toEqual({ down: 0, sideways: 0 });
    // The composer is at the bottom of the window, the newest message just above it.
    const composer = await boxOf(tp, ".composer");
    expect(v.height - composer!.bottom).toBeLessThan(40);
    expect(inside(await boxOf(tp, ".msg--own .msg__bubble"), v)).toBe(true);
    // The open conversation is marked in the list.
    expect(await pane.getByRole("link", { name: /Sky/ }).getAttribute("aria-current")).toBe("page");
    await tp.screenshot({ path: join(SCREENSHOTS, "layout-chat-desktop-light.png") });
  });

  it("finds and orders the caseload in the list pane", async () => {
    const tp = therapist;
    const pane = tp.getByRole("complementary", { name: "Caseload" });
    await pane.getByRole("searchbox", { name: "Find a patient" }).fill("nobody");
    await pane.getByText("Nothing matches", { exact: false }).waitFor();
    await pane.getByRole("searchbox", { name: "Find a patient" }).fill("sk");
    await pane.getByRole("link", { name: /Sky/ }).waitFor();
    await pane.getByLabel("Order").selectOption("name");
    await pane.getByRole("searchbox", { name: "Find a patient" }).fill("");
  });

  it("the unread line and 'Jump to first unread' go once everything has been read", async () => {
    const tp = therapist;
    const pp = patient;
    // The therapist looks elsewhere while the patient writes a lot.
    await tp.goto(`${base()}/settings`);
    await pp.goto(`${base()}/conversations`);
    await pp.getByRole("link", { name: /Dr Rowan/ }).click();
    for (let i = 1; i <= 24; i++) await send(pp, `Something on my mind, part ${i}.`);

    await tp.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Caseload" }).click();
    await tp.getByText("24 new messages").waitFor();
    await tp.getByRole("link", { name: /Sky/ }).click();
    // It opens at the line, above the first new message.
    const line = tp.locator(".chat__unread");
    await line.waitFor();
    await bubble(tp, "part 1.").waitFor();
    // Down to the newest: all read, and the line (now out of view) goes, with the jump.
    await tp.getByRole("region", { name: "Messages" }).focus();
    await tp.keyboard.press("End");
    await bubble(tp, "part 24.").waitFor();
    await expect.poll(() => line.count()).toBe(0);
    // The jump goes with the line (a render later at most).
    await expect.poll(() => tp.getByRole("button", { name: "Jump to first unread" }).count()).toBe(0);
    // And the server has the read marker (the patient sees "read") before the therapist looks away.
    await expect.poll(() => statusOfLast(pp)).toBe("read");

    // A short one: the line stays while it is on screen, and goes once the person answers.
    await tp.goto(`${base()}/settings`);
    await send(pp, "One more thing.");
    await tp.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Caseload" }).click();
    await tp.getByRole("link", { name: /Sky/ }).click();
    await line.waitFor();
    await bubble(tp, "One more thing.").waitFor();
    await send(tp, "Thank you for telling me.");
    await expect.poll(() => line.count()).toBe(0);
  });

  it("on a phone and at 200% zoom the composer and the newest message are on the first screen", async () => {
    const pp = patient;
    for (const { size, label } of SIZES.slice(1)) {
      await pp.setViewportSize(size);
      await pp.goto(`${base()}/conversations`);
      await pp.getByRole("link", { name: /Dr Rowan/ }).click();
      await bubble(pp, "Thank you for telling me.").waitFor();
      await pp.screenshot({ path: join(SCREENSHOTS, `layout-chat-${label}-light.png`) });
      const v = await viewport(pp);
      expect(await pageOverflow(pp), label).toEqual({ down: 0, sideways: 0 });
      expect(inside(await boxOf(pp, "textarea[name=message]"), v), `${label}: message box`).toBe(true);
      expect(inside(await boxOf(pp, ".composer__send"), v), `${label}: Send`).toBe(true);
      const newest = await pp
        .locator(".msg__text", { hasText: "Thank you for telling me." })
        .evaluate((el) => {
          const r = el.getBoundingClientRect();
          return { top: r.top, bottom: r.bottom, left: r.left, right: r.right };
        });
      expect(inside(newest, v), `${label}: newest message`).toBe(true);
      // Help and quick exit stay one tap away in the conversation's own header.
      for (const name of ["Get help now", "Quick exit"]) {
        const b = await pp.getByRole("button", { name }).boundingBox();
        expect(b && b.y >= 0 && b.y + b.height <= v.height, `${label}: ${name}`).toBe(true);
      }
    }
    await pp.setViewportSize(PHONE);
  });

  it("per-message actions are in a menu: keyboard, pointer and long press", async () => {
    const pp = patient;
    await pp.setViewportSize(PHONE);
    await pp.goto(`${base()}/conversations`);
    await pp.getByRole("link", { name: /Dr Rowan/ }).click();
    const msg = pp.locator(".msg").filter({ hasText: "Thank you for telling me." });
    await msg.waitFor();
    // No Reply or Delete links under the bubbles any more.
    expect(await pp.getByRole("button", { name: /^Reply/ }).count()).toBe(0);
    const more = msg.getByRole("button", { name: /^More actions/ });
    expect(await more.getAttribute("aria-haspopup")).toBe("menu");
    // Keyboard: Enter opens at the first item, arrows move, Escape closes back to the button.
    await more.focus();
    await pp.keyboard.press("Enter");
    const menu = pp.getByRole("menu");
    await menu.waitFor();
    expect(await more.getAttribute("aria-expanded")).toBe("true");
    expect(await pp.evaluate(() => document.activeElement?.textContent)).toBe("Reply");
    expect(await menu.getByRole("menuitem").allTextContents()).toEqual(["Reply"]);
    await pp.keyboard.press("Escape");
    await menu.waitFor({ state: "detached" });
    expect(await pp.evaluate(() => document.activeElement?.getAttribute("aria-haspopup"))).toBe("menu");
    // Pointer: choose Reply.
    await more.click();
    await pp.getByRole("menuitem", { name: "Reply" }).click();
    await pp.getByText("Replying to Dr Rowan").waitFor();
    await pp.getByRole("button", { name: "Cancel reply" }).click();
    // My own message offers Delete too; ArrowUp opens at the last item.
    const mine = pp
      .locator(".msg--own")
      .last()
      .getByRole("button", { name: /^More actions/ });
    await mine.focus();
    await pp.keyboard.press("ArrowUp");
    await menu.waitFor();
    expect(await pp.evaluate(() => document.activeElement?.textContent)).toBe("Delete");
    await pp.keyboard.press("ArrowDown");
    expect(await pp.evaluate(() => document.activeElement?.textContent)).toBe("Reply");
    // Tab leaves the menu and closes it. (Not a second Escape: two in a row are the quick exit.)
    await pp.keyboard.press("Tab");
    await menu.waitFor({ state: "detached" });
    // A right click (a long press on a touch screen) on the bubble opens the same menu.
    await msg.locator(".msg__bubble").click({ button: "right" });
    await menu.waitFor();
    await pp.screenshot({ path: join(SCREENSHOTS, "layout-message-menu-phone-light.png") });
    expect(await seriousAxeFindings(pp), "message menu").toEqual([]);
    // A press anywhere else closes it.
    await pp.getByRole("heading", { level: 1 }).click();
    await menu.waitFor({ state: "detached" });
  });

  it("crisis help shows the number to call on the first screen at 200% zoom; sources stay behind a disclosure", async () => {
    const pp = patient;
    await pp.setViewportSize(ZOOMED);
    await pp.getByRole("button", { name: "Get help now" }).click();
    const dialog = pp.getByRole("dialog", { name: "Get help now" });
    const call = dialog.getByRole("link", { name: "Call 911" });
    await call.waitFor();
    const b = await call.boundingBox();
    const v = await viewport(pp);
    expect(b && b.y >= 0 && b.y + b.height <= v.height, "Call 911 without scrolling").toBe(true);
    expect(await dialog.evaluate((d) => d.scrollTop)).toBe(0);
    // No "medium confidence" next to a number; it is under Sources for whoever wants to check.
    expect(await dialog.getByText("confidence", { exact: false }).first().isVisible()).toBe(false);
    await pp.screenshot({ path: join(SCREENSHOTS, "layout-crisis-360-zoom200-light.png") });
    await dialog.getByRole("button", { name: "Close" }).click();
    await pp.setViewportSize(PHONE);
  });

  for (const colorScheme of ["light", "dark"] as const) {
    it(`every main screen at three sizes has no serious accessibility problem, ${colorScheme} theme (axe), with screenshots`, async () => {
      const check = async (page: Page, name: string, dialog = false) => {
        for (const { size, label } of SIZES) {
          await page.setViewportSize(size);
          await (dialog ? page.getByRole("dialog") : page.getByRole("heading", { level: 1 })).waitFor();
          await page.screenshot({ path: join(SCREENSHOTS, `layout-${name}-${label}-${colorScheme}.png`) });
          expect(await seriousAxeFindings(page), `${name} ${label} (${colorScheme})`).toEqual([]);
          expect((await pageOverflow(page)).sideways, `${name} ${label}: sideways`).toBeLessThanOrEqual(0);
        }
      };
      // Signed out: welcome (sign in) and an invite.
      const visitor = await newPage({ viewport: DESKTOP, deviceScaleFactor: 2, colorScheme });
      await visitor.goto(`${base()}/`);
      await check(visitor, "welcome");
      await visitor.goto(patientInvite);
      await visitor.getByText("expired or was already used", { exact: false }).waitFor();
      await check(visitor, "invite");
      await visitor.getByRole("button", { name: "Get help now" }).click();
      await visitor
        .getByRole("dialog", { name: "Get help now" })
        .getByRole("link", { name: "Call 911" })
        .waitFor();
      await check(visitor, "crisis-help", true);

      // Signed in: the list, a conversation, settings (a therapist and a patient).
      for (const [who, page] of [
        ["therapist", therapist],
        ["patient", patient],
      ] as const) {
        await page.emulateMedia({ colorScheme });
        await page.goto(`${base()}/conversations`);
        await check(page, `${who}-list`);
        await page.getByRole("link", { name: who === "therapist" ? /Sky/ : /Dr Rowan/ }).click();
        await bubble(page, "Thank you for telling me.").waitFor();
        await check(page, `${who}-chat`);
        await page.goto(`${base()}/settings`);
        await check(page, `${who}-settings`);
        await page.setViewportSize(who === "therapist" ? DESKTOP : PHONE);
      }
    });
  }
});
