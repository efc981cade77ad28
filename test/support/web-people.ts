import type { Page } from "playwright-core";
import { expect } from "vitest";

/** The password every person in the browser tests uses. */
export const TEST_PASSWORD = "quiet harbour evenings";

/** The recovery key step after sign-up: reads the key, confirms it is saved, goes on. */
export async function saveRecoveryKey(page: Page): Promise<string> {
  await page.getByRole("heading", { level: 1, name: "Save your recovery key" }).waitFor();
  const key = (await page.getByTestId("recovery-key").textContent())?.trim() ?? "";
  expect(key.length).toBeGreaterThan(20);
  await page.getByLabel("I've saved my recovery key").check();
  await page.getByRole("button", { name: "Continue" }).click();
  return key;
}

/**
 * First-run setup in `page` with the one-time `setupToken`: a practice and its admin. Returns the
 * invite link the admin then makes for a therapist.
 */
export async function setUpPractice(page: Page, baseUrl: string, setupToken: string): Promise<string> {
  await page.goto(`${baseUrl}/setup#${setupToken}`);
  await page.getByLabel("Practice name").fill("Quiet Harbour");
  await page.getByLabel("Your name").fill("Alex Admin");
  await page.getByLabel("Sign-in name").fill("alex");
  await page.getByLabel("Password").fill(TEST_PASSWORD);
  await page.getByRole("button", { name: "Create practice" }).click();
  await saveRecoveryKey(page);
  await page.getByRole("heading", { level: 1, name: "Your practice" }).waitFor();
  return makeInviteLink(page);
}

/** Presses "Make an invite link" and reads the link. */
export async function makeInviteLink(page: Page): Promise<string> {
  await page.getByRole("button", { name: "Make an invite link" }).click();
  return page.getByRole("textbox", { name: "Invite link" }).inputValue();
}

/** Joins from an invite link as `name` (the suggested sign-in name, or `username`); returns the key. */
export async function joinFromInvite(
  page: Page,
  link: string,
  name: string,
  username?: string,
): Promise<{ username: string; recoveryKey: string }> {
  await page.goto(link);
  await page.getByLabel("Name to show").fill(name);
  if (username) await page.getByLabel("Sign-in name").fill(username);
  const chosen = await page.getByLabel("Sign-in name").inputValue();
  await page.getByLabel("Password").fill(TEST_PASSWORD);
  await page.getByRole("button", { name: "Join" }).click();
  return { username: chosen, recoveryKey: await saveRecoveryKey(page) };
}
