import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { OfficeHours } from "@hearth/protocol";
import { startTestServer, type TestServer } from "@hearth/server/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  buildWebApp,
  describeWithBrowser,
  launchBrowser,
  seriousAxeFindings,
  type WebBuild,
} from "../support/browser.ts";
import { DESKTOP, makeWebPractice, PHONE, send, type WebPractice } from "../support/web-practice.ts";

const SCREENSHOTS = resolve(import.meta.dirname, "../../test-artifacts/screenshots");

const savedToken = (page: Page) =>
  page.evaluate(
    () => (JSON.parse(localStorage.getItem("hearth.session") ?? "{}") as { token: string }).token,
  );

/** Today's ISO weekday in Berlin, so the hours below are closed whenever the test runs. */
function berlinWeekday(): number {
  const name = new Intl.DateTimeFormat("en-US", { timeZone: "Europe/Berlin", weekday: "short" }).format(
    new Date(),
  );
  return ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(name) + 1;
}

/**
 * Office hours in real Chromium against the real server: the patient's chat header shows the
 * therapist's hours and that they are out now; the patient's message outside them gets one
 * automatic reply, marked automatic (not a message from the therapist), with the next opening and
 * the crisis lines of the device's own region from the bundled directory.
 */
describeWithBrowser("office hours and the automatic reply (Chromium)", () => {
  let web: WebBuild | undefined;
  let t: TestServer | undefined;
  let browser: Browser | undefined;
  let practice: WebPractice | undefined;
  // Open only two days from today (Berlin), 09:00–17:00: closed now, whatever the day.
  const openDay = ((berlinWeekday() + 1) % 7) + 1;
  const hours: OfficeHours = {
    timeZone: "Europe/Berlin",
    weekly: [{ day: openDay, start: "09:00", end: "17:00" }],
    away: [],
    awayText: "I answer messages on my working days. Thank you for your patience.",
    typicalReplyHours: 24,
    autoReply: true,
  };

  beforeAll(async () => {
    web = await buildWebApp();
    t = await startTestServer({ webDistDir: web.distDir });
    browser = await launchBrowser();
    practice = await makeWebPractice(browser, t);
    mkdirSync(SCREENSHOTS, { recursive: true });
    const r = await t.call("PUT", "/v1/me/office-hours", {
      token: await savedToken(practice.therapist.page),
      body: hours,
    });
    expect(r.status).toBe(200);
  });

  afterAll(async () => {
    await practice?.therapist.ctx.close().catch(() => {});
    await practice?.patient.ctx.close().catch(() => {});
    await browser?.close();
    await t?.stop();
    web?.remove();
  });

  it("the header shows the therapist's hours and that they are out now", async () => {
    const { patient, conversationPath } = practice!;
    const page = patient.page;
    await page.goto(`${t!.url}${conversationPath}`);
    const bar = page.getByRole("region", { name: "Office hours" });
    await expect.poll(() => bar.textContent()).toContain("Dr Rowan is out of office now");
    const text = (await bar.textContent()) ?? "";
    expect(text).toContain("Usually replies within 24 hours");
    expect(text).toMatch(
      /back \w+day \d+ \w+ at 0?\d{1,2}:00 \(your time\)|back \w+day \d+ \w+, 0?\d{1,2}:00 \(your time\)/,
    );
    await bar.locator("summary").click();
    const day = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][openDay - 1]!;
    await expect.poll(() => bar.textContent()).toContain(`${day}09:00–17:00`);
    expect(await bar.textContent()).toContain("Times are Berlin time.");
  });

  it("a message outside office hours gets one automatic reply, with the next opening and local crisis lines", async () => {
    const { patient, therapist } = practice!;
    const page = patient.page;
    await send(page, "I had a hard evening.");
    const card = page.getByRole("article", { name: "Automatic reply" });
    await card.waitFor();
    const text = (await card.textContent()) ?? "";
    expect(text).toContain("Automatic reply");
    expect(text).toContain("This is an automatic reply, not a message from Dr Rowan.");
    expect(text).toContain("Next available:");
    expect(text).toContain("Usually replies within 24 hours");
    expect(text).toContain(hours.awayText);
    // The device is in London (en-GB, Europe/London): the UK's lines, from the bundled directory.
    expect(text).toContain("If you need help now (United Kingdom)");
    expect(text).toContain("Samaritans");
    await expect.poll(() => card.getByRole("link", { name: "116 123" }).count()).toBeGreaterThan(0);
    // It is not a message bubble, and not shown as the therapist's.
    expect(await card.locator(".msg").count()).toBe(0);

    // A second message in the same closed period: still one.
    await send(page, "Sorry, one more thing.");
    await page.locator(".msg__text", { hasText: "one more thing" }).waitFor();
    await page.reload();
    await page.locator(".msg__text", { hasText: "one more thing" }).waitFor();
    await card.waitFor();
    expect(await page.getByRole("article", { name: "Automatic reply" }).count()).toBe(1);
    // It sits right after the message it answers.
    const order = await page
      .locator(".chat__row")
      .evaluateAll((rows) =>
        rows
          .map((r) =>
            r.querySelector(".auto-reply") ? "auto" : (r.querySelector(".msg__text")?.textContent ?? ""),
          )
          .filter((x) => x === "auto" || x.includes("hard evening") || x.includes("one more thing")),
      );
    expect(order).toEqual(["I had a hard evening.", "auto", "Sorry, one more thing."]);

    // "More crisis lines" opens crisis help.
    await card.getByRole("button", { name: "More crisis lines" }).click();
    await page.getByRole("dialog").waitFor();
    await page.keyboard.press("Escape");

    // The therapist sees the same entry, as automatic too (it was never their message).
    const theirs = therapist.page.getByRole("article", { name: "Automatic reply" });
    await theirs.waitFor();
    expect(await theirs.textContent()).toContain("your patient got this automatic reply");
  });

  it("a therapist sets office hours in Settings (the form shows what is stored; axe; screenshots)", async () => {
    const page = practice!.therapist.page;
    await page.goto(`${t!.url}/settings`);
    await page.getByRole("tab", { name: "Notifications" }).click();
    const form = page.getByRole("form", { name: "Office hours" });
    await form.waitFor();
    const day = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][openDay - 1]!;
    expect(await form.getByRole("checkbox", { name: day }).isChecked()).toBe(true);
    expect(await form.getByLabel("A note with the automatic reply (optional)").inputValue()).toBe(
      hours.awayText,
    );
    await form.getByLabel("I usually reply").selectOption("48");
    await form.getByRole("checkbox", { name: "Saturday" }).check();
    await form.getByRole("button", { name: "Save office hours" }).click();
    await form.getByText("Saved.", { exact: false }).waitFor();
    const stored = await t!.call<{ hours: OfficeHours }>("GET", "/v1/me/office-hours", {
      token: await savedToken(page),
    });
    expect(stored.body.hours.typicalReplyHours).toBe(48);
    expect(stored.body.hours.weekly.map((w) => w.day)).toContain(6);
    expect(stored.body.hours.autoReply).toBe(true);
    for (const colorScheme of ["light", "dark"] as const) {
      // No colour fades while switching themes: axe must not catch a colour halfway.
      await page.emulateMedia({ colorScheme, reducedMotion: "reduce" });
      for (const [label, size] of [
        ["phone", PHONE],
        ["desktop", DESKTOP],
      ] as const) {
        await page.setViewportSize(size);
        await form.scrollIntoViewIfNeeded();
        await page.screenshot({
          path: join(SCREENSHOTS, `office-hours-settings-${label}-${colorScheme}.png`),
        });
        expect(await seriousAxeFindings(page), `settings ${label} ${colorScheme}`).toEqual([]);
      }
    }
    await page.emulateMedia({ colorScheme: "light" });
    await page.setViewportSize(DESKTOP);
  });

  for (const colorScheme of ["light", "dark"] as const) {
    it(`has no serious accessibility problems, ${colorScheme} theme, at 390 and 1280 px (screenshots)`, async () => {
      const page = practice!.patient.page;
      // No colour fades while switching themes: axe must not catch a colour halfway.
      await page.emulateMedia({ colorScheme, reducedMotion: "reduce" });
      for (const [label, size] of [
        ["phone", PHONE],
        ["desktop", DESKTOP],
      ] as const) {
        await page.setViewportSize(size);
        const card = page.getByRole("article", { name: "Automatic reply" });
        await card.waitFor();
        // The list may draw the card anew as the window changes size: scroll to whichever is there.
        await expect
          .poll(() =>
            card.scrollIntoViewIfNeeded({ timeout: 5_000 }).then(
              () => true,
              () => false,
            ),
          )
          .toBe(true);
        await page.screenshot({ path: join(SCREENSHOTS, `office-hours-${label}-${colorScheme}.png`) });
        expect(await seriousAxeFindings(page), `${label} ${colorScheme}`).toEqual([]);
      }
      await page.emulateMedia({ colorScheme: "light" });
      await page.setViewportSize(PHONE);
    });
  }
});
