import type { TestServer } from "@hearth/server/testing";
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { expect } from "vitest";

/** The password every account made here uses. */
export const PASSWORD = "quiet harbour evenings";
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** One person's browser profile and page. */
export interface Person {
  ctx: BrowserContext;
  page: Page;
}

/** A practice made through the web app: a therapist (desktop) and a patient (phone) in one chat. */
export interface WebPractice {
  therapist: Person;
  patient: Person;
  /** The path of their conversation (`/conversations/<id>`). */
  conversationPath: string;
  /** The patient's recovery key (to bring another device of the patient in). */
  patientRecoveryKey: string;
}

/**
 * A fresh browser profile that never touches the internet, failing with Playwright's own message
 * well before a test's time limit; page errors are written to stderr.
 */
export async function openPerson(browser: Browser, options: BrowserContextOptions = {}): Promise<Person> {
  const ctx = await browser.newContext({
    locale: "en-GB",
    timezoneId: "Europe/London",
    viewport: PHONE,
    ...options,
  });
  ctx.setDefaultTimeout(20_000);
  await ctx.route("https://www.bbc.com/**", (route) =>
    route.fulfill({ contentType: "text/html", body: "<title>Weather</title><h1>Weather</h1>" }),
  );
  const page = await ctx.newPage();
  page.on("console", (msg) => {
    if (msg.type() === "error") process.stderr.write(`[browser] ${msg.text()}\n`);
  });
  return { ctx, page };
}

/**
 * Brings another device of someone already signed up in: signs in with the password and restores
 * the keys from the recovery key (the app then shows the conversations).
 */
export async function signInWithRecoveryKey(
  page: Page,
  base: string,
  login: string,
  recoveryKey: string,
): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByLabel("Sign-in name").fill(login);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("textbox", { name: "Recovery key" }).fill(recoveryKey);
  await page.getByRole("button", { name: "Restore" }).click();
}

/** The recovery key step after sign-up: confirms it is saved and goes on; returns the key shown. */
export async function saveRecoveryKey(page: Page): Promise<string> {
  await page.getByRole("heading", { level: 1, name: "Save your recovery key" }).waitFor();
  const key = (await page.getByTestId("recovery-key").textContent())?.trim() ?? "";
  await page.getByLabel("I've saved my recovery key").check();
  await page.getByRole("button", { name: "Continue" }).click();
  return key;
}

/**
 * First-run setup (admin), a therapist "Dr Rowan" joining from the admin's invite, and a patient
 * "Sky" joining from the therapist's: both end up in their conversation (the therapist has it
 * open).
 */
export async function makeWebPractice(browser: Browser, t: TestServer): Promise<WebPractice> {
  const base = t.url;
  const setupToken = await t.server.prepareSetup();
  const admin = await openPerson(browser, { viewport: DESKTOP });
  await admin.page.goto(`${base}/setup#${setupToken}`);
  await admin.page.getByLabel("Practice name").fill("Quiet Harbour");
  await admin.page.getByLabel("Your name").fill("Alex Admin");
  await admin.page.getByLabel("Sign-in name").fill("alex");
  await admin.page.getByLabel("Password").fill(PASSWORD);
  await admin.page.getByRole("button", { name: "Create practice" }).click();
  await saveRecoveryKey(admin.page);
  await admin.page.getByRole("button", { name: "Make an invite link" }).click();
  const therapistLink = await admin.page.getByRole("textbox", { name: "Invite link" }).inputValue();
  await admin.ctx.close();

  const therapist = await openPerson(browser, { viewport: DESKTOP });
  await therapist.page.goto(therapistLink);
  await therapist.page.getByLabel("Name to show").fill("Dr Rowan");
  await therapist.page.getByLabel("Sign-in name").fill("rowan");
  await therapist.page.getByLabel("Password").fill(PASSWORD);
  await therapist.page.getByRole("button", { name: "Join" }).click();
  await saveRecoveryKey(therapist.page);
  await therapist.page.getByRole("heading", { level: 1, name: "Your caseload" }).waitFor();
  await therapist.page.getByRole("button", { name: "Make an invite link" }).click();
  const patientLink = await therapist.page.getByRole("textbox", { name: "Invite link" }).inputValue();

  const patient = await openPerson(browser, { viewport: PHONE });
  await patient.page.goto(patientLink);
  await patient.page.getByLabel("Name to show").fill("Sky");
  await patient.page.getByLabel("Password").fill(PASSWORD);
  await patient.page.getByRole("button", { name: "Join" }).click();
  const patientRecoveryKey = await saveRecoveryKey(patient.page);
  await patient.page.getByRole("heading", { level: 1, name: "Dr Rowan" }).waitFor();
  const conversationPath = new URL(patient.page.url()).pathname;
  expect(conversationPath).toMatch(/^\/conversations\/.+/);

  await therapist.page.getByRole("link", { name: /Sky/ }).click();
  await therapist.page.getByRole("heading", { level: 1, name: "Sky" }).waitFor();
  return { therapist, patient, conversationPath, patientRecoveryKey };
}

/** A message bubble's text on screen (not the screen-reader copies in buttons and live regions). */
export const bubble = (page: Page, text: string | RegExp) => page.locator(".msg__text", { hasText: text });

/** The status (`data-status`) of the last of my messages on screen. */
export const statusOfLast = (page: Page) =>
  page.locator(".msg--own").last().locator("[data-status]").getAttribute("data-status");

/** Writes a message and sends it with Enter. */
export async function send(page: Page, text: string): Promise<void> {
  const composer = page.getByRole("textbox", { name: "Message" });
  await composer.fill(text);
  await composer.press("Enter");
}

/** Waits until the page is controlled by the service worker (its app shell is cached). */
export async function shellCached(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
}

/** The session token the web app keeps for `page` (to set things up through the API in a test). */
export const savedToken = (page: Page) =>
  page.evaluate(
    () => (JSON.parse(localStorage.getItem("hearth.session") ?? "{}") as { token: string }).token,
  );
