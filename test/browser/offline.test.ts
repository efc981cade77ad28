import { startTestServer, type TestServer } from "@hearth/server/testing";
import type { Browser, WebSocketRoute } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { buildWebApp, describeWithBrowser, launchBrowser, type WebBuild } from "../support/browser.ts";
import {
  bubble,
  makeWebPractice,
  send,
  shellCached,
  statusOfLast,
  type WebPractice,
} from "../support/web-practice.ts";

/**
 * Offline first, in real Chromium against the real server: the offline notice follows the
 * browser at once; a page reloaded without a network shows the conversation as it was (title,
 * names, read ticks) from the device, and what is written then waits on the device and arrives
 * once when the network is back.
 */
describeWithBrowser("offline first (Chromium)", () => {
  let web: WebBuild | undefined;
  let t: TestServer | undefined;
  let browser: Browser | undefined;
  let practice: WebPractice | undefined;

  beforeAll(async () => {
    web = await buildWebApp();
    t = await startTestServer({ webDistDir: web.distDir });
    browser = await launchBrowser();
    practice = await makeWebPractice(browser, t);
  });

  afterAll(async () => {
    await practice?.therapist.ctx.close().catch(() => {});
    await practice?.patient.ctx.close().catch(() => {});
    await browser?.close();
    await t?.stop();
    web?.remove();
  });

  it("says it is offline as soon as the browser knows, and a message written then waits for the network", async () => {
    const { patient, therapist } = practice!;
    const pp = patient.page;
    // Browser offline emulation leaves an open WebSocket alone: the socket goes through a switch
    // the test controls, as a real network loss would take it.
    let cut = false;
    let open: WebSocketRoute | undefined;
    await patient.ctx.routeWebSocket(/\/v1\/ws$/, (ws) => {
      if (cut) return void ws.close({ code: 1006 });
      open = ws;
      ws.connectToServer();
    });
    await pp.reload();
    await send(pp, "Hello from the bus.");
    await bubble(therapist.page, "Hello from the bus.").waitFor();
    await expect.poll(() => statusOfLast(pp)).toBe("read");

    const banner = pp.locator(".connection-banner");
    await patient.ctx.setOffline(true);
    cut = true;
    try {
      // A bound, not a measurement: the socket alone would take a missed heartbeat (30 s or more).
      await banner.getByText("You're offline", { exact: false }).waitFor({ timeout: 2_000 });
      await open?.close({ code: 1006 });
      await send(pp, "Written in a tunnel.");
      await expect.poll(() => statusOfLast(pp)).toBe("pending");
      await pp.locator(".msg--own").last().getByText("Waiting for network").waitFor();
      expect(await pp.getByRole("textbox", { name: "Message" }).inputValue()).toBe("");
    } finally {
      cut = false;
      await patient.ctx.setOffline(false);
    }
    await bubble(therapist.page, "Written in a tunnel.").waitFor({ timeout: 30_000 });
    await expect.poll(() => banner.textContent()).toBe("");
    await expect.poll(() => statusOfLast(pp)).toBe("read");
  });

  it("a reload without a network shows the conversation as it was, and queues what is written, sent once", async () => {
    const { patient, therapist, conversationPath } = practice!;
    const pp = patient.page;
    const tp = therapist.page;
    await pp.goto(`${t!.url}${conversationPath}`);
    await bubble(pp, "Written in a tunnel.").waitFor();
    await expect.poll(() => statusOfLast(pp)).toBe("read");
    await shellCached(pp);

    await patient.ctx.setOffline(true);
    try {
      await pp.reload();
      // Title and names from the device, not "Conversation" and "Someone".
      await pp.getByRole("heading", { level: 1, name: "Dr Rowan" }).waitFor();
      await bubble(pp, "Written in a tunnel.").waitFor();
      expect(await pp.getByText("Someone", { exact: true }).count()).toBe(0);
      // The read ticks as they were.
      await expect.poll(() => statusOfLast(pp)).toBe("read");
      await pp.locator(".connection-banner").getByText("You're offline", { exact: false }).waitFor();

      // Enter queues it: the box empties, the message waits on the device.
      await send(pp, "Written with no network at all.");
      await bubble(pp, "Written with no network at all.").waitFor();
      expect(await pp.getByRole("textbox", { name: "Message" }).inputValue()).toBe("");
      await expect.poll(() => statusOfLast(pp)).toBe("pending");
      await pp.locator(".msg--own").last().getByText("Waiting for network").waitFor();
    } finally {
      await patient.ctx.setOffline(false);
    }
    // Back online: it goes, once.
    await bubble(tp, "Written with no network at all.").waitFor({ timeout: 30_000 });
    await expect.poll(() => statusOfLast(pp), { timeout: 30_000 }).toBe("read");
    expect(await bubble(tp, "Written with no network at all.").count()).toBe(1);
    await tp.reload();
    await bubble(tp, "Written with no network at all.").waitFor();
    expect(await bubble(tp, "Written with no network at all.").count()).toBe(1);
  });
});
