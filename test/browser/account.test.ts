import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { makePractice, type Practice, startTestServer, type TestServer } from "@hearth/server/testing";
import type { Browser, BrowserContext, Page } from "playwright-core";
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
const PASSWORD = "a quiet walk by the sea";
const NEW_PASSWORD = "lanterns along the harbour wall";
const SIGN_IN_NAME = "sky.harbour";
const PIN = "2468";

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/**
 * A patient's account in real Chromium against the real server: choosing the sign-in name at join
 * (checked while typing) and signing in with it elsewhere; the recovery-key step that nothing gets
 * past until it is saved (download, print, copy); quick exit that locks, with a PIN or the password
 * to come back; changing the password. Each screen is checked with axe and photographed at desktop
 * and phone sizes, light and dark.
 */
describeWithBrowser("account: sign-in name, recovery key step, quick exit lock, password (Chromium)", () => {
  let web: WebBuild | undefined;
  let t: TestServer | undefined;
  let browser: Browser | undefined;
  let p: Practice | undefined;
  const contexts: BrowserContext[] = [];
  /** The patient's phone, shared by the tests below, in order. */
  let phone: Page | undefined;
  /** A second device of the patient, signed in with the sign-in name. */
  let second: Page | undefined;
  let recoveryKey = "";

  beforeAll(async () => {
    web = await buildWebApp();
    t = await startTestServer({ webDistDir: web.distDir });
    p = await makePractice(t, 0);
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

  async function newPage(viewport = PHONE): Promise<Page> {
    const ctx = await browser!.newContext({ locale: "en-GB", timezoneId: "Europe/London", viewport });
    contexts.push(ctx);
    ctx.setDefaultTimeout(20_000);
    await ctx.route("https://www.bbc.com/**", (route) =>
      route.fulfill({ contentType: "text/html", body: "<title>Weather</title><h1>Weather</h1>" }),
    );
    const page = await ctx.newPage();
    page.on("console", (msg) => {
      if (msg.type() === "error") process.stderr.write(`[browser] ${msg.text()}\n`);
    });
    return page;
  }

  /** Screenshots at both sizes in both themes, and no serious axe findings in any of them. */
  async function look(page: Page, name: string) {
    const size = page.viewportSize();
    for (const colorScheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme });
      for (const [label, viewport] of [
        ["desktop", DESKTOP],
        ["phone", PHONE],
      ] as const) {
        await page.setViewportSize(viewport);
        await page.screenshot({
          path: join(SCREENSHOTS, `account-${name}-${label}-${colorScheme}.png`),
          fullPage: true,
        });
        expect(await seriousAxeFindings(page), `${name} ${label} ${colorScheme}`).toEqual([]);
      }
    }
    await page.emulateMedia({ colorScheme: "light" });
    if (size) await page.setViewportSize(size);
  }

  const loginOf = async (token: string) =>
    (await t!.call<{ login: string }>("GET", "/v1/me", { token })).body.login;

  it("the patient sees the suggested sign-in name at join, finds a taken one refused, and chooses their own", async () => {
    const invite = await t!.call<{ token: string }>("POST", "/v1/invites", {
      token: p!.therapist.token,
      body: { role: "patient" },
    });
    phone = await newPage();
    await phone.goto(`${base()}/invite#${invite.body.token}`);
    await phone.getByText("Dr Rowan at Quiet Harbour Practice invited you", { exact: false }).waitFor();
    await phone.getByLabel("Name to show").fill("Sky");
    const field = phone.getByLabel("Sign-in name");
    expect(await field.inputValue()).toMatch(/^sky\.[a-z0-9]{1,4}$/);
    await phone.getByText("This sign-in name is free.").waitFor();
    // Someone else's sign-in name is refused before joining.
    await field.fill(await loginOf(p!.therapist.token));
    await phone.getByText("Someone already has this sign-in name", { exact: false }).waitFor();
    await field.fill(SIGN_IN_NAME);
    await phone.getByText("This sign-in name is free.").waitFor();
    await phone.getByLabel("Password").fill(PASSWORD);
    await look(phone, "join");
    await phone.getByRole("button", { name: "Join" }).click();
    await phone.getByRole("heading", { level: 1, name: "Save your recovery key" }).waitFor();
  }, 240_000);

  it("the recovery key is a step: nothing else opens until it is saved; it downloads as a .txt with the sign-in name", async () => {
    const page = phone!;
    recoveryKey = (await page.getByTestId("recovery-key").textContent())?.trim() ?? "";
    expect(recoveryKey.length).toBeGreaterThan(20);
    await expect.poll(() => page.getByTestId("recovery-sign-in-name").textContent()).toBe(SIGN_IN_NAME);
    await page.getByRole("button", { name: "Print" }).waitFor();
    await look(page, "recovery-key");
    // No links lead past this step; typing another of Hearth's addresses comes back to it.
    expect(await page.getByRole("navigation", { name: "Main" }).count()).toBe(0);
    // Leaving asks first; coming back (a reload) shows the same key again.
    const asked = new Promise<string>((done) =>
      page.once("dialog", (d) => {
        done(d.type());
        void d.accept();
      }),
    );
    await page.reload();
    expect(await asked).toBe("beforeunload");
    await page.getByRole("heading", { level: 1, name: "Save your recovery key" }).waitFor();
    expect((await page.getByTestId("recovery-key").textContent())?.trim()).toBe(recoveryKey);
    // Download as a file: the key and the sign-in name, nothing else of the account.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download as a file" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("hearth-recovery-key.txt");
    const text = readFileSync((await download.path())!, "utf8");
    expect(text).toContain(recoveryKey);
    expect(text).toContain(`Sign-in name:   ${SIGN_IN_NAME}`);
    expect(text).not.toContain(PASSWORD);
    // Continue needs the box ticked.
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByText("Please tick the box", { exact: false }).waitFor();
    await page.getByLabel("I've saved my recovery key").check();
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByRole("heading", { level: 1, name: "Dr Rowan" }).waitFor();
    // The way on is open again: on a phone the conversation's own header leads back to the list.
    await page.getByRole("link", { name: "Conversations" }).first().waitFor();
  }, 240_000);

  it("the sign-in name is in Settings, and signs in on a fresh browser", async () => {
    const page = phone!;
    await page.goto(`${base()}/settings`);
    await page.getByRole("heading", { level: 1, name: "Settings" }).waitFor();
    await page.getByRole("tab", { name: "Profile" }).click();
    expect(await page.getByTestId("settings-sign-in-name").textContent()).toBe(SIGN_IN_NAME);
    for (const section of ["Profile", "Privacy", "Notifications", "Devices", "Security"]) {
      await page.getByRole("tab", { name: section }).click();
      await look(page, `settings-${section.toLowerCase()}`);
    }
    // Arrow keys move between the sections (the tabs pattern).
    await page.getByRole("tab", { name: "Security" }).focus();
    await page.keyboard.press("ArrowRight");
    expect(await page.getByRole("tab", { name: "Profile" }).getAttribute("aria-selected")).toBe("true");

    second = await newPage(DESKTOP);
    await second.goto(`${base()}/`);
    await look(second, "sign-in");
    await second.getByLabel("Sign-in name").fill(SIGN_IN_NAME.toUpperCase());
    await second.getByLabel("Password").fill(PASSWORD);
    await second.getByRole("button", { name: "Sign in" }).click();
    await second.getByRole("heading", { level: 1, name: "Bring your messages to this device" }).waitFor();
    await second.getByRole("textbox", { name: "Recovery key" }).fill(recoveryKey);
    await second.getByRole("button", { name: "Restore" }).click();
    await second.getByRole("heading", { level: 1, name: "Conversations" }).waitFor();
  }, 240_000);

  it("after quick exit, opening Hearth's address shows the lock; the PIN opens it, wrong PINs fall back to the password", async () => {
    const page = phone!;
    await page.goto(`${base()}/settings`);
    await page.getByRole("tab", { name: "Privacy" }).click();
    expect(await page.getByLabel("Ask for my password or PIN after quick exit").isChecked()).toBe(true);
    await page.getByRole("tab", { name: "Security" }).click();
    await page.getByRole("button", { name: "Set a PIN" }).click();
    await page.getByLabel("New PIN", { exact: true }).fill(PIN);
    await page.getByLabel("New PIN again").fill("2469");
    await page.getByRole("button", { name: "Save PIN" }).click();
    await page.getByText("The two PINs aren't the same yet.").waitFor();
    await page.getByLabel("New PIN again").fill(PIN);
    await page.getByRole("button", { name: "Save PIN" }).click();
    await page.getByText("PIN saved.", { exact: false }).waitFor();
    // Only a slow hash of the PIN is kept.
    const stored = await page.evaluate(() => localStorage.getItem("hearth.lock.pin") ?? "");
    expect(stored).not.toContain(PIN);
    expect(JSON.parse(stored)).toMatchObject({ iterations: expect.any(Number) });

    const quickExitThenReturn = async (how: "button" | "keys") => {
      await page.goto(`${base()}/conversations`);
      await page.getByRole("link", { name: /Dr Rowan/ }).waitFor();
      if (how === "button") await page.getByRole("button", { name: "Quick exit" }).click();
      else {
        await page.keyboard.press("Escape");
        await page.keyboard.press("Escape");
      }
      await page.waitForURL(EXIT_URL);
      await page.goto(`${base()}/`);
    };

    await quickExitThenReturn("button");
    await page.getByRole("heading", { level: 1, name: "Hearth is locked" }).waitFor();
    expect(await page.locator("body").textContent()).not.toContain("Dr Rowan");
    expect(await page.getByRole("navigation", { name: "Main" }).count()).toBe(0);
    await look(page, "locked-pin");
    await page.getByLabel("Your PIN", { exact: true }).fill("1111");
    await page.getByRole("button", { name: "Unlock" }).click();
    await page.getByText("That PIN isn't right. 4 tries left.").waitFor();
    await page.getByLabel("Your PIN", { exact: true }).fill(PIN);
    await page.getByRole("button", { name: "Unlock" }).click();
    await page.getByRole("heading", { level: 1, name: "Conversations" }).waitFor();

    // Five wrong PINs in a row: the PIN is gone, and only the password opens Hearth.
    await quickExitThenReturn("keys");
    await page.getByRole("heading", { level: 1, name: "Hearth is locked" }).waitFor();
    for (let i = 0; i < 5; i++) {
      await page.getByLabel("Your PIN", { exact: true }).fill("0000");
      await page.getByRole("button", { name: "Unlock" }).click();
      if (i < 4) await page.getByText(/That PIN isn't right/).waitFor();
    }
    await page.getByText("Too many wrong PINs", { exact: false }).waitFor();
    expect(await page.getByLabel("Your PIN", { exact: true }).count()).toBe(0);
    await look(page, "locked-password");
    await page.getByLabel("Your password").fill(PASSWORD);
    await page.getByRole("button", { name: "Unlock" }).click();
    await page.getByRole("heading", { level: 1, name: "Conversations" }).waitFor();

    // Turned off: quick exit still leaves, and coming back no longer asks.
    await page.goto(`${base()}/settings`);
    await page.getByRole("tab", { name: "Privacy" }).click();
    await page.getByLabel("Ask for my password or PIN after quick exit").uncheck();
    await quickExitThenReturn("button");
    await page.getByRole("heading", { level: 1, name: "Conversations" }).waitFor();
  }, 240_000);

  it("changes the password: a wrong current one changes nothing; then the old one no longer signs in, and other devices are signed out", async () => {
    const page = phone!;
    await page.goto(`${base()}/settings`);
    await page.getByRole("tab", { name: "Security" }).click();
    await page.getByLabel("Current password").fill("not my password at all");
    await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel("New password again").fill(NEW_PASSWORD);
    await page.getByRole("button", { name: "Change password" }).click();
    await page
      .getByText("Your current password isn't right, so nothing was changed.", { exact: false })
      .waitFor();
    await page.getByLabel("Current password").fill(PASSWORD);
    await page.getByRole("button", { name: "Change password" }).click();
    await page.getByText("Password changed.", { exact: false }).waitFor();
    expect(await page.getByLabel("Current password").inputValue()).toBe("");
    // The other device is signed out; this one stays.
    await second!.getByText("You were signed out on this device", { exact: false }).waitFor();
    await page.goto(`${base()}/conversations`);
    await page.getByRole("heading", { level: 1, name: "Conversations" }).waitFor();

    const fresh = await newPage();
    await fresh.goto(`${base()}/`);
    await fresh.getByLabel("Sign-in name").fill(SIGN_IN_NAME);
    await fresh.getByLabel("Password").fill(PASSWORD);
    await fresh.getByRole("button", { name: "Sign in" }).click();
    await fresh.getByText("That sign-in name and password don't match.", { exact: false }).waitFor();
    await fresh.getByLabel("Password").fill(NEW_PASSWORD);
    await fresh.getByRole("button", { name: "Sign in" }).click();
    await fresh.getByRole("heading", { level: 1, name: "Bring your messages to this device" }).waitFor();
  }, 240_000);
});
