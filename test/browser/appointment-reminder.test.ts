import { ManualClock } from "@hearth/client/testing";
import { ReminderPushPayloadSchema } from "@hearth/protocol";
import {
  LoopbackPushService,
  type LoopbackSubscription,
  startTestServer,
  type TestServer,
} from "@hearth/server/testing";
import type { Browser, CDPSession, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { buildWebApp, describeWithBrowser, launchBrowser, type WebBuild } from "../support/browser.ts";
import { makeWebPractice, savedToken, shellCached, type WebPractice } from "../support/web-practice.ts";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** The notifications Hearth's service worker is showing (what a lock screen would show). */
const shownNotifications = (page: Page) =>
  page.evaluate(async () =>
    (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({
      title: n.title,
      body: n.body,
      tag: n.tag,
      data: n.data,
    })),
  );

/**
 * An appointment reminder end to end in real Chromium: the server's durable job sends the Web Push
 * (to a push service on loopback, which decrypts it with the subscription's keys), and the very
 * plaintext that arrived is delivered to the patient's service worker through the DevTools protocol,
 * as the browser's push service would. The notification says "Reminder from Hearth" and nothing else
 * (no name, no time) until the patient opts in to the time in Settings. The server runs on a manual
 * clock moved to each reminder's instant.
 */
describeWithBrowser("appointment reminder by Web Push (Chromium)", () => {
  let web: WebBuild | undefined;
  let t: TestServer | undefined;
  let ps: LoopbackPushService | undefined;
  let browser: Browser | undefined;
  let practice: WebPractice | undefined;
  // Real time at the start: the app's own clocks (sessions, sockets) agree with the server's.
  const clock = new ManualClock(Date.now());

  beforeAll(async () => {
    web = await buildWebApp();
    ps = await LoopbackPushService.start();
    t = await startTestServer({
      webDistDir: web.distDir,
      clock,
      push: { origins: [ps.origin] },
      scheduler: { pollMs: DAY },
      sessionIdleMs: 30 * DAY,
    });
    browser = await launchBrowser();
    practice = await makeWebPractice(browser, t);
  });

  afterAll(async () => {
    await practice?.therapist.ctx.close().catch(() => {});
    await practice?.patient.ctx.close().catch(() => {});
    await browser?.close();
    await t?.stop();
    await ps?.stop();
    web?.remove();
  });

  /** Moves the server's clock to `at` and runs what fell due, pushes included. */
  const moveTo = async (at: number) => {
    clock.advance(at - clock.now());
    await t!.server.scheduler.runDue();
    await t!.server.pushIdle();
  };

  /** Hands a push the push service received to the page's service worker, as the browser would. */
  const deliver = async (cdp: CDPSession, registrationId: string, plaintext: string) => {
    await cdp.send("ServiceWorker.deliverPushMessage", { origin: t!.url, registrationId, data: plaintext });
  };

  it("the patient's lock screen says only 'Reminder from Hearth', and the time once they opt in", async () => {
    const { therapist, patient, conversationPath } = practice!;
    const page = patient.page;
    await patient.ctx.grantPermissions(["notifications"], { origin: t!.url });
    await shellCached(page);
    // The patient's device subscribes (as the app does after pushManager.subscribe; headless
    // Chromium reaches no push service of its own).
    const sub: LoopbackSubscription = ps!.subscribe();
    const put = await t!.call("PUT", "/v1/push/subscription", {
      token: await savedToken(page),
      body: { endpoint: sub.endpoint, keys: sub.keys },
    });
    expect(put.status).toBe(200);
    const cdp = await patient.ctx.newCDPSession(page);
    const registrations: { registrationId: string; scopeURL: string }[] = [];
    cdp.on("ServiceWorker.workerRegistrationUpdated", (e: { registrations: typeof registrations }) => {
      registrations.push(...e.registrations);
    });
    await cdp.send("ServiceWorker.enable");
    await expect.poll(() => registrations.find((r) => r.scopeURL.startsWith(t!.url))).toBeDefined();
    const registrationId = registrations.find((r) => r.scopeURL.startsWith(t!.url))!.registrationId;

    // The therapist schedules a session three days ahead, at a whole minute (default reminders:
    // 24 h and 1 h before, push and email).
    const session = Math.ceil((clock.now() + 3 * DAY) / MIN) * MIN;
    const scheduled = await t!.call<{ upcoming: string[] }>(
      "POST",
      `/v1/conversations/${conversationPath.split("/").pop()}/appointments`,
      {
        token: await savedToken(therapist.page),
        body: {
          start: new Date(session).toISOString().slice(0, 16),
          timeZone: "UTC",
          durationMinutes: 50,
        },
      },
    );
    expect(scheduled.status).toBe(200);
    expect(scheduled.body.upcoming).toEqual([new Date(session).toISOString()]);

    // A minute early: nothing. At 24 h before: one push, content-free.
    await moveTo(session - DAY - MIN);
    expect(ps!.pushesTo(sub)).toHaveLength(0);
    await moveTo(session - DAY);
    expect(ps!.pushesTo(sub)).toHaveLength(1);
    const first = ps!.pushesTo(sub)[0]!;
    expect(ReminderPushPayloadSchema.parse(JSON.parse(first.plaintext))).toEqual({ v: 1, kind: "reminder" });
    await deliver(cdp, registrationId, first.plaintext);
    await expect.poll(async () => (await shownNotifications(page)).length).toBe(1);
    expect(await shownNotifications(page)).toEqual([
      { title: "Hearth", body: "Reminder from Hearth", tag: "hearth-reminder", data: { reminder: true } },
    ]);

    // The patient opts in to the time in Settings; the 1 h reminder carries it and shows it.
    await page.goto(`${t!.url}/settings`);
    await page.getByRole("tab", { name: "Notifications" }).click();
    await page.getByLabel("Show the session's time in reminders").check();
    await page.getByRole("button", { name: "Save reminders" }).click();
    await page.getByText("Saved.").first().waitFor();
    await moveTo(session - HOUR);
    expect(ps!.pushesTo(sub)).toHaveLength(2);
    const second = ps!.pushesTo(sub)[1]!;
    expect(ReminderPushPayloadSchema.parse(JSON.parse(second.plaintext))).toEqual({
      v: 1,
      kind: "reminder",
      at: new Date(session).toISOString(),
    });
    await deliver(cdp, registrationId, second.plaintext);
    // One reminder notification at a time (its tag replaces the earlier one), now with the time as
    // the patient's device tells it: London time (the test's browser), in the 24- or 12-hour form
    // (a service worker formats in the browser's own locale, which headless Chromium keeps en-US).
    const london = (hourCycle: "h23" | "h12") =>
      new Intl.DateTimeFormat(hourCycle === "h23" ? "en-GB" : "en-US", {
        timeZone: "Europe/London",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle,
      }).format(session);
    await expect
      .poll(async () => (await shownNotifications(page)).map((n) => n.body))
      .toEqual([
        expect.stringMatching(
          new RegExp(`^Reminder from Hearth: session \\S.* (${london("h23")}|${london("h12")})$`),
        ),
      ]);

    // Nothing in either push, or on the screen, names anyone or the conversation.
    const shown = JSON.stringify(await shownNotifications(page));
    for (const secret of ["Rowan", "Sky", conversationPath.split("/").pop()!]) {
      expect(shown).not.toContain(secret);
      for (const push of [first, second]) {
        expect(push.plaintext).not.toContain(secret);
        expect(JSON.stringify(push.headers)).not.toContain(secret);
      }
    }
    // After the session, nothing more.
    await moveTo(session + DAY);
    expect(ps!.pushesTo(sub)).toHaveLength(2);
    expect(ps!.failures).toEqual([]);
    await page.evaluate(async () => {
      for (const n of await (await navigator.serviceWorker.ready).getNotifications()) n.close();
    });
  });
});
