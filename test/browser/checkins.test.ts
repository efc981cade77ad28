import { mkdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { ConversationId, DeviceId } from "@hearth/protocol";
import { LoopbackPushService, pushRef, startTestServer, type TestServer } from "@hearth/server/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  buildWebApp,
  describeWithBrowser,
  launchBrowser,
  seriousAxeFindings,
  type WebBuild,
} from "../support/browser.ts";
import {
  DESKTOP,
  makeWebPractice,
  PHONE,
  savedToken,
  shellCached,
  type WebPractice,
} from "../support/web-practice.ts";

const SCREENSHOTS = resolve(import.meta.dirname, "../../test-artifacts/screenshots");

const savedSession = (page: Page) =>
  page.evaluate(
    () => JSON.parse(localStorage.getItem("hearth.session") ?? "{}") as { token: string; deviceId: string },
  );

/** Axe in both themes, and screenshots at both sizes, of the screen as it is. */
async function checkScreen(page: Page, name: string) {
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    expect(await seriousAxeFindings(page), `${name}, ${colorScheme}`).toEqual([]);
    for (const [size, viewport] of [
      ["phone", PHONE],
      ["desktop", DESKTOP],
    ] as const) {
      await page.setViewportSize(viewport);
      await page.screenshot({
        path: resolve(SCREENSHOTS, `checkins-${name}-${size}-${colorScheme}.png`),
        fullPage: true,
      });
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
}

/**
 * Check-ins in real Chromium against the real server: the therapist assigns a PHQ-9 plan, the
 * patient gets the reminder (a push delivered through the DevTools protocol) and opens the check-in
 * from it, answers with the network cut, and an item-9 answer above zero shows crisis help at once;
 * the therapist then sees the chart and downloads the FHIR file.
 */
describeWithBrowser("check-ins (Chromium)", () => {
  let web: WebBuild | undefined;
  let t: TestServer | undefined;
  let ps: LoopbackPushService | undefined;
  let browser: Browser | undefined;
  let practice: WebPractice | undefined;

  beforeAll(async () => {
    web = await buildWebApp();
    ps = await LoopbackPushService.start();
    t = await startTestServer({ webDistDir: web.distDir, push: { origins: [ps.origin] } });
    browser = await launchBrowser();
    practice = await makeWebPractice(browser, t);
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await practice?.therapist.ctx.close().catch(() => {});
    await practice?.patient.ctx.close().catch(() => {});
    await browser?.close();
    await t?.stop();
    await ps?.stop();
    web?.remove();
  });

  it("the therapist assigns a PHQ-9 plan; the server keeps only whom to remind and when", async () => {
    const { therapist, conversationPath } = practice!;
    const page = therapist.page;
    await page.getByRole("link", { name: "Check-ins" }).click();
    await page.getByRole("heading", { level: 1, name: "Check-ins" }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`${conversationPath}/checkin`);
    await page.getByLabel("What to ask").selectOption("phq9");
    await page.getByLabel("Every day at").fill("20:00");
    await page.getByLabel("In the patient's time zone").selectOption("Europe/London");
    await page.getByRole("button", { name: "Assign check-in" }).click();
    await page.getByText("Assigned: PHQ-9, every day at 20:00.").waitFor();
    await page.getByText("PHQ-9 · every day at 20:00 (Europe/London)").waitFor();
    const conversationId = conversationPath.split("/").pop() as ConversationId;
    const plans = await t!.server.storage.checkins.listPlansForConversation(conversationId);
    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatchObject({ timeZone: "Europe/London", time: "20:00" });
    expect(JSON.stringify(plans[0])).not.toMatch(/phq/i);
    await checkScreen(page, "therapist-plans");
  });

  it("the reminder names nothing and opens the check-in; an item-9 answer shows crisis help offline", async () => {
    const { patient, conversationPath } = practice!;
    const page = patient.page;
    await patient.ctx.grantPermissions(["notifications"], { origin: t!.url });
    await shellCached(page);
    // The reminder, as the push service would deliver it.
    const { token, deviceId } = await savedSession(page);
    const sub = ps!.subscribe();
    expect(
      (
        await t!.call("PUT", "/v1/push/subscription", {
          token,
          body: { endpoint: sub.endpoint, keys: sub.keys },
        })
      ).status,
    ).toBe(200);
    const stored = await t!.server.storage.push.getSubscription(deviceId as DeviceId);
    const ref = pushRef(stored!.aliasKey, conversationPath.split("/").pop() as ConversationId);
    const cdp = await patient.ctx.newCDPSession(page);
    const registrations: { registrationId: string; scopeURL: string }[] = [];
    cdp.on("ServiceWorker.workerRegistrationUpdated", (e: { registrations: typeof registrations }) => {
      registrations.push(...e.registrations);
    });
    await cdp.send("ServiceWorker.enable");
    await expect.poll(() => registrations.find((r) => r.scopeURL.startsWith(t!.url))).toBeDefined();
    await cdp.send("ServiceWorker.deliverPushMessage", {
      origin: t!.url,
      registrationId: registrations.find((r) => r.scopeURL.startsWith(t!.url))!.registrationId,
      data: JSON.stringify({ v: 1, kind: "checkin", ref }),
    });
    const notifications = () =>
      page.evaluate(async () =>
        (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({
          body: n.body,
          tag: n.tag,
          data: n.data,
        })),
      );
    await expect.poll(async () => (await notifications()).length).toBe(1);
    expect(await notifications()).toEqual([
      { body: "Reminder from Hearth", tag: "hearth-checkin", data: { ref, kind: "checkin" } },
    ]);

    // What a click on it opens (sw/push.js): the check-in itself, after the reference is resolved.
    await page.goto(`${t!.url}/conversations#checkin=${ref}`);
    await page.getByRole("heading", { level: 1, name: "Check-ins" }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`${conversationPath}/checkin`);
    const form = page.getByRole("form", { name: "PHQ-9" });
    await form.waitFor();
    await checkScreen(page, "patient-form");
    await page.setViewportSize(PHONE);

    // The network goes; the answers are kept and the help is on this device.
    await patient.ctx.setOffline(true);
    const options = [
      "Several days",
      "More than half the days",
      "Not at all",
      "Several days",
      "Not at all",
      "Several days",
      "Not at all",
      "Not at all",
      "Several days",
    ];
    const items = form.getByRole("group");
    expect(await items.count()).toBe(9);
    for (const [i, label] of options.entries()) {
      await items.nth(i).getByLabel(label, { exact: true }).check();
    }
    await page.getByRole("button", { name: "Send check-in" }).click();
    const help = page.getByTestId("checkin-crisis-help");
    await help.waitFor();
    await help.getByText("Samaritans").first().waitFor();
    // It offers help; it says nothing about having detected anything.
    expect(await help.locator("p").first().textContent()).not.toMatch(/risk|detect|danger/i);
    await checkScreen(page, "patient-crisis-help");
    await patient.ctx.setOffline(false);
  });

  it("the therapist sees the chart with the marked response, a table alternative, and downloads FHIR", async () => {
    const { therapist } = practice!;
    const page = therapist.page;
    await page.setViewportSize(DESKTOP);
    const caption = page.locator(".trend figcaption").first();
    await expect.poll(() => caption.textContent(), { timeout: 30_000 }).toMatch(/latest 6 \(Mild\)/);
    await page.getByText("Show as a table").click();
    await page.getByRole("cell", { name: "Item 9 answered above zero." }).waitFor();
    expect(await page.locator(".trend__flag").count()).toBe(1);
    await checkScreen(page, "therapist-trends");
    // A session on the calendar goes into the file as an Appointment.
    const conversationId = practice!.conversationPath.split("/").pop();
    const scheduled = await t!.call("POST", `/v1/conversations/${conversationId}/appointments`, {
      token: await savedToken(page),
      body: { start: "2099-01-05T20:00", timeZone: "Europe/Berlin", durationMinutes: 50 },
    });
    expect(scheduled.status).toBe(200);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export as FHIR file" }).click(),
    ]);
    const bundle = JSON.parse(readFileSync((await download.path())!, "utf8")) as {
      resourceType: string;
      entry: {
        resource: {
          resourceType: string;
          code?: { coding: { code: string }[] };
          valueInteger?: number;
          start?: string;
        };
      }[];
    };
    expect(bundle.resourceType).toBe("Bundle");
    const total = bundle.entry.find((e) => e.resource.code?.coding[0]?.code === "44261-6");
    expect(total?.resource.valueInteger).toBe(6);
    const appointment = bundle.entry.find((e) => e.resource.resourceType === "Appointment");
    expect(Date.parse(appointment?.resource.start ?? "")).toBe(Date.parse("2099-01-05T19:00:00Z"));
  });
});
