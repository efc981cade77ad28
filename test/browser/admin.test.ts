import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { startTestServer, type TestServer } from "@hearth/server/testing";
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
const PASSWORD = "quiet harbour evenings";
const NEW_PASSWORD = "a brand new password";
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const LONG = 180_000;

/**
 * The practice admin's console in real Chromium against the real server: withdrawing an invite,
 * deactivating an account (its open app is signed out at once) and reactivating it, an issued
 * sign-in link that sets a new password once, and the audit log that shows all of it, intact.
 */
describeWithBrowser("admin console (Chromium)", () => {
  let web: WebBuild | undefined;
  let t: TestServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  let admin: Page;
  let therapist: Page;

  beforeAll(async () => {
    web = await buildWebApp();
    t = await startTestServer({ webDistDir: web.distDir });
    browser = await launchBrowser();
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, LONG);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await t?.stop();
    web?.remove();
  });

  const base = () => t!.url;

  async function newPage(viewport = DESKTOP): Promise<Page> {
    const ctx = await browser!.newContext({ locale: "en-GB", timezoneId: "Europe/London", viewport });
    contexts.push(ctx);
    ctx.setDefaultTimeout(20_000);
    return ctx.newPage();
  }

  async function saveRecoveryKey(page: Page) {
    await page.getByRole("heading", { level: 1, name: "Save your recovery key" }).waitFor();
    await page.getByLabel("I've saved my recovery key").check();
    await page.getByRole("button", { name: "Continue" }).click();
  }

  async function signIn(page: Page, login: string, password: string) {
    await page.goto(`${base()}/`);
    await page.getByLabel("Sign-in name").fill(login);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
  }

  const openAdmin = async () => {
    await admin.goto(`${base()}/admin`);
    await admin.getByRole("heading", { level: 1, name: "Practice admin" }).waitFor();
  };

  it(
    "sets up a practice and a therapist; the admin withdraws a pending invite and its link fails",
    async () => {
      admin = await newPage();
      await admin.goto(`${base()}/setup#${await t!.server.prepareSetup()}`);
      await admin.getByLabel("Practice name").fill("Quiet Harbour");
      await admin.getByLabel("Your name").fill("Alex Admin");
      await admin.getByLabel("Sign-in name").fill("alex");
      await admin.getByLabel("Password").fill(PASSWORD);
      await admin.getByRole("button", { name: "Create practice" }).click();
      await saveRecoveryKey(admin);
      await admin.getByRole("heading", { level: 1, name: "Your practice" }).waitFor();
      await admin.getByRole("button", { name: "Make an invite link" }).click();
      const therapistLink = await admin.getByRole("textbox", { name: "Invite link" }).inputValue();

      therapist = await newPage();
      await therapist.goto(therapistLink);
      await therapist.getByLabel("Name to show").fill("Dr Rowan");
      await therapist.getByLabel("Sign-in name").fill("rowan");
      await therapist.getByLabel("Password").fill(PASSWORD);
      await therapist.getByRole("button", { name: "Join" }).click();
      await saveRecoveryKey(therapist);
      await therapist.getByRole("heading", { level: 1, name: "Your caseload" }).waitFor();

      // A second invite, then withdrawn from the console (reached from the practice page).
      await admin.goto(`${base()}/conversations`);
      await admin.getByRole("button", { name: "Make an invite link" }).click();
      const withdrawn = await admin.getByRole("textbox", { name: "Invite link" }).inputValue();
      await admin.getByRole("link", { name: "Manage accounts, invites and the audit log" }).click();
      await admin.getByRole("heading", { level: 1, name: "Practice admin" }).waitFor();
      await admin.locator("[data-account='rowan']").getByText("Therapist", { exact: false }).waitFor();
      await admin.getByRole("button", { name: /^Withdraw invite/ }).click();
      await admin.getByText("Invite withdrawn. Its link no longer works.").waitFor();
      await admin.getByText("Nothing is waiting to be used.").waitFor();

      const stranger = await newPage(PHONE);
      await stranger.goto(withdrawn);
      await stranger.getByText("expired or was already used", { exact: false }).waitFor();
      expect(await stranger.getByLabel("Password").count()).toBe(0);
    },
    LONG,
  );

  it(
    "deactivating signs the therapist's open app out at once and refuses sign-in; reactivating lets them in",
    async () => {
      await openAdmin();
      await admin.getByRole("button", { name: "Deactivate Dr Rowan" }).click();
      await admin.getByText("Dr Rowan is deactivated and signed out everywhere.").waitFor();
      await admin.locator("[data-account='rowan']").getByText("Deactivated", { exact: false }).waitFor();
      // The therapist's open app (its socket closed by the server) says it was signed out.
      await therapist.getByText("You were signed out on this device", { exact: false }).waitFor();
      await therapist.getByRole("heading", { level: 1, name: "Welcome to Hearth" }).waitFor();
      await signIn(therapist, "rowan", PASSWORD);
      await therapist.getByText("This account has been deactivated", { exact: false }).waitFor();

      await admin.getByRole("button", { name: "Reactivate Dr Rowan" }).click();
      await admin.getByText("Dr Rowan can sign in again.").waitFor();
      await signIn(therapist, "rowan", PASSWORD);
      await therapist
        .getByRole("heading", { level: 1, name: "Bring your messages to this device" })
        .waitFor();
    },
    LONG,
  );

  it(
    "an issued sign-in link sets a new password once; the old password stops working",
    async () => {
      await openAdmin();
      await admin.getByRole("button", { name: "Sign-in link for Dr Rowan" }).click();
      const link = await admin.getByRole("textbox", { name: "Sign-in link" }).inputValue();
      expect(link).toMatch(new RegExp(`^${base()}/sign-in-link#.{16,}`));
      await admin.getByText("Sign-in link for", { exact: false }).first().waitFor();

      const page = await newPage(PHONE);
      await page.goto(link);
      expect(page.url()).toBe(`${base()}/sign-in-link`);
      await page.getByRole("heading", { level: 1, name: "Choose a new password" }).waitFor();
      await page.getByText("Your username is rowan", { exact: false }).waitFor();
      await page.getByText("recovery key", { exact: false }).first().waitFor();
      await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
      await page.getByRole("button", { name: "Set new password" }).click();
      await page.getByText("Your new password is set", { exact: false }).waitFor();

      const old = await newPage();
      await signIn(old, "rowan", PASSWORD);
      await old.getByText("don't match", { exact: false }).waitFor();
      await signIn(old, "rowan", NEW_PASSWORD);
      await old.getByRole("heading", { level: 1, name: "Bring your messages to this device" }).waitFor();

      const again = await newPage(PHONE);
      await again.goto(link);
      await again.getByText("This sign-in link no longer works", { exact: false }).waitFor();
      expect(await again.getByLabel("New password", { exact: true }).count()).toBe(0);
    },
    LONG,
  );

  it(
    "the audit log shows those actions and says the chain is intact; it filters by action",
    async () => {
      await openAdmin();
      await admin.getByRole("link", { name: "Open the audit log" }).click();
      await admin.getByRole("heading", { level: 1, name: "Audit log" }).waitFor();
      await admin.getByText(/The audit log is intact: [\d,]+ entries verified\./).waitFor();
      for (const action of [
        "invite.revoke",
        "account.deactivate",
        "account.reactivate",
        "link.create",
        "link.redeem",
      ]) {
        expect(await admin.locator(`[data-action='${action}']`).count(), action).toBeGreaterThan(0);
      }
      await admin.getByLabel("Action").selectOption("account.deactivate");
      await admin.getByRole("button", { name: "Show entries" }).click();
      await expect.poll(() => admin.locator(".admin-audit [data-action]").count()).toBe(1);
      await admin.locator("[data-action='account.deactivate']").getByText("Alex Admin → Dr Rowan").waitFor();
    },
    LONG,
  );

  for (const colorScheme of ["light", "dark"] as const) {
    it(
      `the new screens have no serious accessibility problems, ${colorScheme} theme, with screenshots`,
      async () => {
        await admin.emulateMedia({ colorScheme });
        const check = async (page: Page, name: string) => {
          for (const [label, size] of [
            ["desktop", DESKTOP],
            ["phone", PHONE],
          ] as const) {
            await page.setViewportSize(size);
            await page.getByRole("heading", { level: 1 }).waitFor();
            await page.screenshot({
              path: join(SCREENSHOTS, `admin-${name}-${label}-${colorScheme}.png`),
              fullPage: true,
            });
            expect(await seriousAxeFindings(page), `${name} ${label} (${colorScheme})`).toEqual([]);
            const overflow = await page.evaluate(
              () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
            );
            expect(overflow, `${name} ${label}`).toBeLessThanOrEqual(0);
          }
        };
        await openAdmin();
        await admin.getByRole("button", { name: "Sign-in link for Dr Rowan" }).click();
        await admin.getByRole("textbox", { name: "Sign-in link" }).waitFor();
        await check(admin, "console");
        await admin.goto(`${base()}/admin/audit`);
        await admin.getByText(/The audit log is intact/).waitFor();
        await check(admin, "audit");
        const link = await newPage();
        await link.emulateMedia({ colorScheme });
        await link.goto(`${base()}/sign-in-link#${"x".repeat(30)}`);
        await link.getByText("This sign-in link no longer works", { exact: false }).waitFor();
        await check(link, "link-invalid");
      },
      LONG,
    );
  }
});
