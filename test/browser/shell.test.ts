import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
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

const SCREENSHOTS = resolve(import.meta.dirname, "../../test-artifacts/screenshots");
const EXIT_URL = "https://www.bbc.com/weather";
const PREVIOUS_URL = "https://previous.example/";

/**
 * The screens a signed-out visitor reaches: path to open, and a name for the screenshot. (The
 * signed-in screens are covered, with a real practice, by app.test.ts.)
 */
const SCREENS = [
  { name: "welcome", path: "/" },
  { name: "setup", path: "/setup#setup-token-for-test" },
  { name: "invite", path: "/invite#invite-token-for-test" },
  { name: "signed-out-conversations", path: "/conversations" },
  { name: "not-found", path: "/nowhere" },
] as const;

/** The browser's own log line for a refused request (the fake invite token above gets 410). */
const isRefusedRequest = (text: string) => /Failed to load resource: .* 410 /.test(text);

describeWithBrowser("web app shell (Chromium)", () => {
  let web: WebBuild | undefined;
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    web = await buildWebApp();
    // The real server (API, security headers, CSP) serving this build.
    server = await startTestServer({ webDistDir: web.distDir });
    browser = await launchBrowser();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.stop();
    web?.remove();
  });

  const base = () => server!.url;

  /**
   * A fresh browser profile. The neutral exit site and a "page before Hearth" are answered
   * locally, so tests never touch the internet. Console errors (CSP violations among them) are
   * collected for the test to check.
   */
  async function open(options: BrowserContextOptions = {}): Promise<{ page: Page; errors: string[] }> {
    const context = await browser!.newContext({
      locale: "en-US",
      timezoneId: "UTC",
      viewport: { width: 390, height: 844 },
      ...options,
    });
    contexts.push(context);
    await context.route("https://www.bbc.com/**", (route) =>
      route.fulfill({ contentType: "text/html", body: "<title>Weather</title><h1>Weather</h1>" }),
    );
    await context.route(`${PREVIOUS_URL}**`, (route) =>
      route.fulfill({
        contentType: "text/html",
        body: "<title>Before</title><h1>The page before Hearth</h1>",
      }),
    );
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("console", (msg) => {
      if (msg.type() === "error" && !isRefusedRequest(msg.text())) errors.push(msg.text());
    });
    page.on("pageerror", (err) => errors.push(err.message));
    return { page, errors };
  }

  async function openHelp(page: Page) {
    await page.getByRole("button", { name: "Get help now" }).click();
    const dialog = page.getByRole("dialog", { name: "Get help now" });
    await dialog.waitFor();
    return dialog;
  }

  it("keeps the initial JavaScript under 200 KB gzipped", () => {
    const html = readFileSync(join(web!.distDir, "index.html"), "utf8");
    const scripts = [...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    let total = 0;
    for (const src of scripts) total += gzipSync(readFileSync(join(web!.distDir, src))).length;
    process.stdout.write(`initial JS: ${(total / 1024).toFixed(1)} KB gzipped\n`);
    expect(total).toBeLessThan(200 * 1024);
  });

  it("shows the 988 Lifeline and 911 for an en-US browser", async () => {
    const { page, errors } = await open({ locale: "en-US" });
    await page.goto(`${base()}/`);
    const dialog = await openHelp(page);
    await expect
      .poll(() => dialog.getByRole("link", { name: "Call 988" }).getAttribute("href"))
      .toBe("tel:988");
    expect(await dialog.getByRole("link", { name: "Call 911" }).getAttribute("href")).toBe("tel:911");
    expect(await dialog.getByRole("link", { name: "Text 741741" }).getAttribute("href")).toBe("sms:741741");
    await dialog.getByText("Directory updated 28 November 2026", { exact: false }).waitFor();
    // Where a number comes from stays one tap away, behind "Sources", not beside the number.
    expect(await dialog.getByText("high confidence", { exact: false }).first().isVisible()).toBe(false);
    await dialog.locator("summary", { hasText: "Sources" }).first().click();
    await dialog.getByText("high confidence", { exact: false }).first().waitFor();
    expect(await dialog.getByLabel("Country or region").inputValue()).toBe("US");
    expect(errors).toEqual([]);
  });

  it("shows Samaritans 116 123 and 999 for an en-GB browser", async () => {
    const { page } = await open({ locale: "en-GB" });
    await page.goto(`${base()}/`);
    const dialog = await openHelp(page);
    await expect
      .poll(() => dialog.getByRole("link", { name: "Call 116 123" }).getAttribute("href"))
      .toBe("tel:116123");
    expect(await dialog.getByRole("link", { name: "Call 999" }).getAttribute("href")).toBe("tel:999");
    await dialog.getByText("Samaritans", { exact: true }).waitFor();
  });

  it("prefers the device's time zone over the language for the country", async () => {
    const { page } = await open({ locale: "en-US", timezoneId: "Europe/London" });
    await page.goto(`${base()}/`);
    const dialog = await openHelp(page);
    await dialog.getByRole("link", { name: "Call 116 123" }).waitFor();
    await dialog.getByText("from your device's time zone", { exact: false }).waitFor();
  });

  it("says plainly when a country has no entry, and offers only numbers from the directory", async () => {
    const { page } = await open({ locale: "el-GR", timezoneId: "Europe/Athens" });
    await page.goto(`${base()}/`);
    const dialog = await openHelp(page);
    await dialog.getByText("We don't have helplines for Greece", { exact: false }).waitFor();
    // Greece is an EU member state: the directory's EU entry vouches for 112 and lists 116 123.
    expect(await dialog.getByRole("link", { name: "Call 112" }).getAttribute("href")).toBe("tel:112");
    await dialog.getByRole("link", { name: "Call 116 123" }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, "crisis-unlisted-phone-light.png"), fullPage: true });

    const { page: far } = await open({ locale: "th-TH", timezoneId: "Asia/Bangkok" });
    await far.goto(`${base()}/`);
    const farDialog = await openHelp(far);
    await farDialog.getByText("We don't have helplines for Thailand", { exact: false }).waitFor();
    await farDialog.getByText("Call your local emergency number.").waitFor();
    // No emergency number is invented for a country the directory does not cover.
    expect(await farDialog.locator('section.emergency a[href^="tel:"]').count()).toBe(0);
    await far.screenshot({ path: join(SCREENSHOTS, "crisis-unlisted-far-phone-light.png") });
  });

  it("lets the person change the country, and remembers it", async () => {
    const { page } = await open({ locale: "en-US" });
    await page.goto(`${base()}/`);
    const dialog = await openHelp(page);
    await dialog.getByLabel("Country or region").selectOption("DE");
    await dialog.getByRole("link", { name: "Call 0800 111 0 111" }).waitFor();
    expect(await dialog.getByRole("link", { name: "Call 112" }).getAttribute("href")).toBe("tel:112");
    await page.reload();
    const again = await openHelp(page);
    await again.getByText("TelefonSeelsorge", { exact: true }).waitFor();
  });

  it("opens crisis help with the network cut, once the service worker is active", async () => {
    const { page } = await open({ locale: "en-US", serviceWorkers: "allow" });
    await page.goto(`${base()}/`);
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    // clients.claim() hands this page to the worker; wait for it rather than sleeping.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await page.context().setOffline(true);
    try {
      await page.reload();
      const dialog = await openHelp(page);
      await dialog.getByRole("link", { name: "Call 988" }).waitFor();
      // Any app route opens offline, not only the one that was cached.
      await page.goto(`${base()}/setup`);
      await page.getByRole("heading", { level: 1, name: "Set up your practice" }).waitFor();
      const again = await openHelp(page);
      await again.getByRole("link", { name: "Call 911" }).waitFor();
    } finally {
      await page.context().setOffline(false);
    }
  });

  it("quick exit (button) replaces Hearth, and Back goes to the page before it", async () => {
    const { page } = await open();
    await page.goto(PREVIOUS_URL);
    await page.goto(`${base()}/nowhere`);
    const entries = await page.evaluate(() => history.length);
    await page.getByRole("link", { name: "Go to the start" }).click();
    await page.getByRole("heading", { level: 1, name: "Welcome to Hearth" }).waitFor();

    await page.getByRole("button", { name: "Quick exit" }).click();
    await page.waitForURL(EXIT_URL);
    // Moving around inside Hearth added no entries, and leaving replaced the one it had.
    expect(await page.evaluate(() => history.length)).toBe(entries);

    await page.goBack();
    expect(page.url()).toBe(PREVIOUS_URL);
    await page.getByRole("heading", { name: "The page before Hearth" }).waitFor();
    // Forward leads to the weather page again, never to Hearth.
    await page.goForward();
    expect(page.url()).toBe(EXIT_URL);
  });

  it("quick exit (Escape twice) replaces Hearth, and Back goes to the page before it", async () => {
    const { page } = await open({ viewport: { width: 1280, height: 800 } });
    await page.goto(PREVIOUS_URL);
    await page.goto(`${base()}/`);
    await page.getByRole("heading", { level: 1, name: "Welcome to Hearth" }).waitFor();
    await page.getByRole("textbox", { name: "Sign-in name" }).focus();
    await page.keyboard.press("Escape");
    await page.keyboard.press("Escape");
    await page.waitForURL(EXIT_URL);
    await page.goBack();
    expect(page.url()).toBe(PREVIOUS_URL);
  });

  it("one Escape only closes the crisis dialog", async () => {
    const { page } = await open({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${base()}/setup`);
    await openHelp(page);
    await page.keyboard.press("Escape");
    await page.getByRole("dialog").waitFor({ state: "hidden" });
    expect(page.url()).toBe(`${base()}/setup`);
    // Focus is back on the button that opened it.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toContain("Get help now");
  });

  it("leaves again when Back reaches an earlier Hearth page after a quick exit", async () => {
    const { page } = await open();
    // Two separate loads of Hearth in one tab: two history entries, only the last is replaced.
    await page.goto(`${base()}/setup`);
    await page.goto(`${base()}/`);
    await page.getByRole("button", { name: "Quick exit" }).click();
    await page.waitForURL(EXIT_URL);
    await page.goBack({ waitUntil: "commit" });
    await page.waitForURL(EXIT_URL);
    expect(await page.getByRole("heading", { name: "Weather" }).count()).toBe(1);
  });

  it("takes setup and invite tokens out of the address bar", async () => {
    const { page } = await open();
    await page.goto(`${base()}/invite#secret-invite-token`);
    await page.getByRole("heading", { level: 1, name: "You're invited" }).waitFor();
    // The token was read (and checked with the server: this one is unknown) and is gone from the URL.
    await page.getByText("expired or was already used", { exact: false }).waitFor();
    expect(page.url()).toBe(`${base()}/invite`);
    await page.goto(`${base()}/setup`);
    await page.getByText("needs the one-time setup link", { exact: false }).waitFor();
  });

  it("is usable with the keyboard alone: skip link, help dialog, focus returns", async () => {
    const { page } = await open({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${base()}/`);
    await page.getByRole("heading", { level: 1, name: "Welcome to Hearth" }).waitFor();
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to main content");
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("main");
    expect(page.url()).toBe(`${base()}/`);

    await page.getByRole("button", { name: "Get help now" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("dialog").waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("crisis-title");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.closest("dialog") !== null)).toBe(true);
  });

  it("switches theme with the toggle and keeps it after a reload", async () => {
    const { page } = await open({ colorScheme: "light" });
    await page.goto(`${base()}/`);
    await page.getByRole("contentinfo").getByLabel("Theme").selectOption("dark");
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    await page.goto(`${base()}/setup`);
    await page.getByRole("heading", { level: 1, name: "Set up your practice" }).waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    expect(await page.getByRole("contentinfo").getByLabel("Theme").inputValue()).toBe("dark");
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).not.toBe("rgb(246, 244, 240)");
  });

  it("reflows at 320 px wide (200% zoom of 640 px) without sideways scrolling", async () => {
    const { page } = await open({ viewport: { width: 320, height: 640 } });
    for (const screen of SCREENS) {
      await page.goto(`${base()}${screen.path}`);
      await page.getByRole("heading", { level: 1 }).waitFor();
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow, screen.name).toBeLessThanOrEqual(0);
      if (screen.name === "welcome")
        await page.screenshot({ path: join(SCREENSHOTS, "welcome-320-light.png") });
    }
    await openHelp(page);
    const overflow = await page.evaluate(() => {
      const d = document.querySelector("dialog")!;
      return d.scrollWidth - d.clientWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
  });

  for (const colorScheme of ["light", "dark"] as const) {
    it(`has no serious accessibility problems, ${colorScheme} theme (axe-core), with screenshots`, async () => {
      const viewports =
        colorScheme === "light"
          ? [
              { width: 1280, height: 800, label: "desktop" },
              { width: 390, height: 844, label: "phone" },
            ]
          : [{ width: 390, height: 844, label: "phone" }];
      const { page, errors } = await open({ colorScheme, timezoneId: "America/New_York" });
      for (const vp of viewports) {
        await page.setViewportSize({ width: vp.width, height: vp.height });
        for (const screen of SCREENS) {
          await page.goto(`${base()}${screen.path}`);
          await page.getByRole("heading", { level: 1 }).waitFor();
          await page.screenshot({
            path: join(SCREENSHOTS, `${screen.name}-${vp.label}-${colorScheme}.png`),
            fullPage: true,
          });
          if (vp.label === "phone") {
            expect(await seriousAxeFindings(page), `${screen.name} (${colorScheme})`).toEqual([]);
          }
        }
        await openHelp(page);
        await page.screenshot({ path: join(SCREENSHOTS, `crisis-${vp.label}-${colorScheme}.png`) });
        if (vp.label === "phone") {
          expect(await seriousAxeFindings(page), `crisis dialog (${colorScheme})`).toEqual([]);
        }
      }
      expect(errors).toEqual([]);
    });
  }
});
