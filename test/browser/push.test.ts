import { mkdirSync } from "node:fs";
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
import { DESKTOP, makeWebPractice, PHONE, shellCached, type WebPractice } from "../support/web-practice.ts";

const SCREENSHOTS = resolve(import.meta.dirname, "../../test-artifacts/screenshots");

/** What this device remembers of its sign-in (the app keeps it in localStorage). */
const savedSession = (page: Page) =>
  page.evaluate(
    () => JSON.parse(localStorage.getItem("hearth.session") ?? "{}") as { token: string; deviceId: string },
  );

/** The notifications Hearth's service worker is showing. */
const shownNotifications = (page: Page) =>
  page.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    return (await reg.getNotifications()).map((n) => ({
      title: n.title,
      body: n.body,
      tag: n.tag,
      data: n.data,
    }));
  });

/**
 * Web Push in real Chromium against the real server: the service worker turns a push (delivered
 * through the DevTools protocol, as a push service would) into the generic notification; the
 * address a notification click opens leads to the right conversation after sign-in; signing out and
 * quick exit remove the device's subscription on the server.
 */
describeWithBrowser("web push (Chromium)", () => {
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

  /** Registers a subscription for the page's device, as the app does after `pushManager.subscribe`. */
  const subscribeDevice = async (page: Page) => {
    const { token } = await savedSession(page);
    const sub = ps!.subscribe();
    const r = await t!.call("PUT", "/v1/push/subscription", {
      token,
      body: { endpoint: sub.endpoint, keys: sub.keys },
    });
    expect(r.status).toBe(200);
    return sub;
  };

  it("shows the generic notification for every push, whatever it carries", async () => {
    const { patient } = practice!;
    const page = patient.page;
    await patient.ctx.grantPermissions(["notifications"], { origin: t!.url });
    await shellCached(page);
    const cdp = await patient.ctx.newCDPSession(page);
    const registrations: { registrationId: string; scopeURL: string }[] = [];
    cdp.on("ServiceWorker.workerRegistrationUpdated", (e: { registrations: typeof registrations }) => {
      registrations.push(...e.registrations);
    });
    await cdp.send("ServiceWorker.enable");
    await expect.poll(() => registrations.find((r) => r.scopeURL.startsWith(t!.url))).toBeDefined();
    const registrationId = registrations.find((r) => r.scopeURL.startsWith(t!.url))!.registrationId;

    const ref = "A".repeat(22);
    await cdp.send("ServiceWorker.deliverPushMessage", {
      origin: t!.url,
      registrationId,
      data: JSON.stringify({ v: 1, kind: "message", ref }),
    });
    await expect.poll(async () => (await shownNotifications(page)).length).toBe(1);
    expect(await shownNotifications(page)).toEqual([
      { title: "Hearth", body: "New message in Hearth", tag: "hearth-new-message", data: { ref } },
    ]);

    // Garbage, or a sender the device has no name for: the same words, nothing more.
    await cdp.send("ServiceWorker.deliverPushMessage", { origin: t!.url, registrationId, data: "not json" });
    await cdp.send("ServiceWorker.deliverPushMessage", {
      origin: t!.url,
      registrationId,
      data: JSON.stringify({ v: 1, kind: "message", ref, sender: "usr_someone" }),
    });
    await expect
      .poll(async () => (await shownNotifications(page)).map((n) => n.body))
      .toEqual(["New message in Hearth"]);
    await page.evaluate(async () => {
      for (const n of await (await navigator.serviceWorker.ready).getNotifications()) n.close();
    });
  });

  it("a notification's address opens the conversation it was about, after sign-in", async () => {
    const { therapist, conversationPath } = practice!;
    const page = therapist.page;
    await subscribeDevice(page);
    const { deviceId } = await savedSession(page);
    const stored = await t!.server.storage.push.getSubscription(deviceId as DeviceId);
    const conversationId = conversationPath.split("/").pop() as ConversationId;
    const ref = pushRef(stored!.aliasKey, conversationId);
    // What the service worker opens on a click (sw/push.js, notificationTarget; see
    // test/web/push-worker.test.ts): the list, told which conversation by the fragment.
    await page.goto(`${t!.url}/conversations#push=${ref}`);
    await page.getByRole("heading", { level: 1, name: "Sky" }).waitFor();
    expect(new URL(page.url()).pathname).toBe(conversationPath);
    // The reference left the address bar at once.
    expect(new URL(page.url()).hash).toBe("");

    // A reference this device cannot resolve leaves it on the list.
    await page.goto(`${t!.url}/conversations#push=${"B".repeat(22)}`);
    await page.getByRole("heading", { level: 1, name: "Your caseload" }).waitFor();
  });

  it("Settings says whether this device will be notified; signing out removes its subscription on the server", async () => {
    const { patient } = practice!;
    const page = patient.page;
    await subscribeDevice(page);
    const { deviceId } = await savedSession(page);
    expect(await t!.server.storage.push.getSubscription(deviceId as DeviceId)).toBeDefined();

    await page.goto(`${t!.url}/settings`);
    await page.getByRole("tab", { name: "Notifications" }).click();
    // Allowed, but the browser holds no subscription (headless Chromium reaches no push service).
    await page.locator("[data-push-state]:not([data-push-state=checking])").waitFor();
    expect(await page.locator("[data-push-state]").getAttribute("data-push-state")).toBe("off");
    await page.getByText("This device is not subscribed").waitFor();
    await page.getByRole("heading", { name: "When Hearth is closed" }).scrollIntoViewIfNeeded();
    for (const colorScheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme });
      expect(await seriousAxeFindings(page), `settings › notifications, ${colorScheme}`).toEqual([]);
      for (const [size, viewport] of [
        ["phone", PHONE],
        ["desktop", DESKTOP],
      ] as const) {
        await page.setViewportSize(viewport);
        await page.screenshot({ path: resolve(SCREENSHOTS, `push-settings-${size}-${colorScheme}.png`) });
      }
    }
    await page.emulateMedia({ colorScheme: "light" });
    await page.setViewportSize(PHONE);

    await page.getByRole("button", { name: "Sign out of this device" }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe("/");
    await expect
      .poll(async () => (await t!.server.storage.push.getSubscription(deviceId as DeviceId)) === undefined)
      .toBe(true);
  });
  it("quick exit removes the device's subscription on the server as the page leaves", async () => {
    const { therapist } = practice!;
    const page = therapist.page;
    await page.goto(`${t!.url}/conversations`);
    await page.getByRole("heading", { level: 1, name: "Your caseload" }).waitFor();
    await subscribeDevice(page);
    const { deviceId } = await savedSession(page);
    expect(await t!.server.storage.push.getSubscription(deviceId as DeviceId)).toBeDefined();
    await page.getByRole("button", { name: "Quick exit" }).click();
    await page.getByRole("heading", { name: "Weather" }).waitFor();
    await expect
      .poll(async () => (await t!.server.storage.push.getSubscription(deviceId as DeviceId)) === undefined)
      .toBe(true);
  });
});
