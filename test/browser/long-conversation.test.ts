import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { HearthApi } from "@hearth/client";
import type { ConversationId, SessionResponse } from "@hearth/protocol";
import { startTestServer, type TestServer } from "@hearth/server/testing";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { buildWebApp, describeWithBrowser, launchBrowser, type WebBuild } from "../support/browser.ts";
import { converged, E2eeTestClient, until } from "../support/e2ee.ts";
import type { TestClient } from "../support/sdk.ts";

const SCREENSHOTS = resolve(import.meta.dirname, "../../test-artifacts/screenshots");
const PASSWORD = "quiet harbour evenings";
const DEVICES = 5;
const PER_DEVICE = 2000; // 5 × 2,000 = 10,000

/**
 * A 10,000-message conversation in the browser: the history arrives through the real socket into
 * IndexedDB, the list is virtualised (a few dozen rows in the DOM, whatever the length), and the
 * person can jump to the first unread message, to the latest, and back to the very first.
 */
describeWithBrowser("a 10,000-message conversation (Chromium)", () => {
  let web: WebBuild | undefined;
  let t: TestServer | undefined;
  let browser: Browser | undefined;
  const clients: TestClient[] = [];
  let patientLogin = "";
  let patientRecoveryKey = "";
  let conversationId: ConversationId | undefined;

  beforeAll(async () => {
    web = await buildWebApp();
    t = await startTestServer({ webDistDir: web.distDir });
    browser = await launchBrowser();
    mkdirSync(SCREENSHOTS, { recursive: true });

    // A practice through the real HTTP API: admin, therapist, patient (with their 1:1).
    const api = new HearthApi({ baseUrl: t.url });
    const setupToken = (await t.server.prepareSetup())!;
    const admin = await api.setup({
      setupToken,
      practiceName: "Quiet Harbour",
      login: "admin",
      displayName: "Admin",
      password: PASSWORD,
      deviceName: "test",
    });
    const invite = async (token: string, role: "therapist" | "patient", login: string, name: string) => {
      const inv = await new HearthApi({ baseUrl: t!.url, token }).createInvite(role);
      return api.acceptInvite({
        token: inv.token,
        login,
        displayName: name,
        password: PASSWORD,
        deviceName: "test",
      });
    };
    const therapist = await invite(admin.token, "therapist", "rowan", "Dr Rowan");
    patientLogin = "sky";
    const patient = await invite(therapist.token, "patient", patientLogin, "Sky");
    conversationId = patient.conversationId!;

    // Everything is end-to-end encrypted, as in real use: the patient's first device makes their
    // identity (the browser later restores it with the recovery key), the therapist's devices join.
    const sky = new E2eeTestClient(t.url, patient);
    clients.push(sky);
    const skySetup = await sky.client.crypto.setUp();
    if (skySetup.kind !== "new-identity") throw new Error("expected a new identity");
    patientRecoveryKey = skySetup.recoveryKey;
    await sky.connect();

    const sessions: SessionResponse[] = [therapist];
    for (let d = 1; d < DEVICES; d++) {
      sessions.push(await api.login({ login: "rowan", password: PASSWORD, deviceName: `bulk ${d}` }));
    }
    const writers = sessions.map((s) => new E2eeTestClient(t!.url, s));
    clients.push(...writers);
    const first = await writers[0]!.client.crypto.setUp();
    if (first.kind !== "new-identity") throw new Error("expected a new identity");
    for (const w of writers.slice(1)) await w.client.crypto.restoreFromRecoveryKey(first.recoveryKey);
    await Promise.all(writers.map((w) => w.connect()));
    const devices = [patient.deviceId, ...sessions.map((s) => s.deviceId)];
    await until(() => converged([sky, ...writers], conversationId!, devices), "one MLS group", 60_000);
    await (await sky.client.send(conversationId, { text: "The very first message." })).sent;

    // The therapist writes 10,000 messages from several devices at once.
    await Promise.all(
      writers.map(async (c, d) => {
        const sent = [];
        for (let i = 0; i < PER_DEVICE; i++) {
          sent.push(
            (
              await c.client.send(conversationId!, {
                text: `Note ${d}.${i}: breathing exercise, day ${i % 30}.`,
              })
            ).sent,
          );
        }
        await Promise.all(sent);
      }),
    );
    const last = writers[0]!;
    await (await last.client.send(conversationId, { text: "The latest message." })).sent;
    for (const c of clients) c.close();
    // Generous: 10,000 end-to-end encrypted sends take minutes on a shared two-core machine.
  }, 900_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await browser?.close();
    await t?.stop();
    web?.remove();
  });

  it("loads, virtualises and scrolls through all of it", async () => {
    const context = await browser!.newContext({ locale: "en-GB", viewport: { width: 390, height: 844 } });
    try {
      const page = await context.newPage();
      await page.goto(`${t!.url}/`);
      await page.getByLabel("Sign-in name").fill(patientLogin);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("textbox", { name: "Recovery key" }).fill(patientRecoveryKey);
      await page.getByRole("button", { name: "Restore" }).click();
      await page.getByText("10,001 new messages").waitFor({ timeout: 120_000 });
      await page.getByRole("link", { name: /Dr Rowan/ }).click();

      /** Whether an element is inside the visible part of the message list. */
      const inView = (selector: string) =>
        page.locator(selector).evaluate((el) => {
          const box = el.getBoundingClientRect();
          const view = el.closest(".chat__scroller")!.getBoundingClientRect();
          return box.bottom > view.top && box.top < view.bottom;
        });

      // It opens at the first unread message.
      await page.locator(".chat__unread").waitFor();
      await expect.poll(() => inView(".chat__unread")).toBe(true);
      /** How many messages this device has stored (IndexedDB), decrypted from the archive copies. */
      const stored = () =>
        page.evaluate(async () => {
          const name = (await indexedDB.databases()).find(
            (d) => d.name?.startsWith("hearth.") && !d.name.startsWith("hearth.keys."),
          )?.name;
          return new Promise<number>((res, rej) => {
            const req = indexedDB.open(name!);
            req.onsuccess = () => {
              const all = req.result.transaction("messages").objectStore("messages").getAll();
              all.onsuccess = () =>
                res((all.result as { kind: string }[]).filter((m) => m.kind === "message").length);
              all.onerror = () => rej(all.error);
            };
          });
        });
      // Opening the chat starts the device decrypting 10,002 archive copies; on a loaded machine that
      // outlasts a first look. "Latest" means the latest the device has, so wait until it has them all.
      await expect.poll(stored, { timeout: 240_000 }).toBe(DEVICES * PER_DEVICE + 2);
      await page.getByRole("button", { name: "Jump to latest" }).click();
      // On a loaded machine the list may still be settling when the jump lands: jump again until the
      // latest message is there, as a person would.
      await expect
        .poll(
          async () => {
            if ((await page.locator(".msg__text", { hasText: "The latest message." }).count()) > 0)
              return true;
            const jump = page.getByRole("button", { name: "Jump to latest" });
            if ((await jump.count()) > 0) await jump.click();
            else {
              await page.getByRole("region", { name: "Messages" }).focus();
              await page.keyboard.press("End");
            }
            return false;
          },
          { timeout: 120_000, interval: 2_000 },
        )
        .toBe(true);
      await expect.poll(() => inView(".msg__text >> text=The latest message.")).toBe(true);
      const rendered = await page.locator(".chat__row").count();
      expect(rendered).toBeGreaterThan(3);
      expect(rendered).toBeLessThan(80);
      await page.screenshot({ path: join(SCREENSHOTS, "chat-10k-latest-phone-light.png") });

      // Scrolling fast through ~2,000 messages, a frame at a time: the list stays virtualised, and
      // how long each frame took is printed (not asserted: shared machines).
      const scroll = await page.evaluate(async () => {
        const el = document.querySelector<HTMLElement>(".chat__scroller")!;
        const frames: number[] = [];
        let rows = 0;
        let last = performance.now();
        for (let i = 0; i < 180; i++) {
          el.scrollTop = Math.max(0, el.scrollTop - 900);
          await new Promise((r) => requestAnimationFrame(r));
          const now = performance.now();
          frames.push(now - last);
          last = now;
          rows = Math.max(rows, document.querySelectorAll(".chat__row").length);
        }
        return { frames, rows };
      });
      expect(scroll.rows).toBeLessThan(80);
      const sorted = [...scroll.frames].sort((a, b) => a - b);
      const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
      process.stdout.write(
        `scrolling 10k messages: ${scroll.frames.length} frames, frame time p50 ${at(0.5).toFixed(1)} ms, p99 ${at(0.99).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms; at most ${scroll.rows} rows in the page\n`,
      );

      // Keyboard: the message list is a focusable region; Home goes to the very beginning.
      const scroller = page.getByRole("region", { name: "Messages" });
      await scroller.focus();
      await page.keyboard.press("Home");
      const first = page.locator(".msg__text", { hasText: "The very first message." });
      await first.waitFor();
      await expect.poll(() => inView(".msg__text >> text=The very first message.")).toBe(true);
      expect(await page.locator(".chat__row").count()).toBeLessThan(80);
      await page.screenshot({ path: join(SCREENSHOTS, "chat-10k-first-phone-light.png") });

      // End goes to the latest again. Everything has now been on screen, so it is all read: the
      // unread line and "Jump to first unread" are gone (as in layout.test.ts, at 10,000 messages).
      await page.keyboard.press("End");
      await expect.poll(() => inView(".msg__text >> text=The latest message.")).toBe(true);
      await expect.poll(() => page.locator(".chat__unread").count()).toBe(0);
      await expect.poll(() => page.getByRole("button", { name: "Jump to first unread" }).count()).toBe(0);

      // Search finds the very first message among all of them, on the device, and jumps to it. On a
      // phone the conversation has its own compact header: back to the list, then Search.
      await page.getByRole("link", { name: "Conversations" }).first().click();
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Search" }).click();
      const input = page.getByRole("searchbox", { name: "Search your messages" });
      await input.fill("very first");
      const result = page.locator(".search-result", { hasText: "The very first message." });
      await result.waitFor({ timeout: 60_000 });
      // How long one query takes once the index is built (printed, not asserted: shared machines).
      const ms = await page.evaluate(async () => {
        const box = document.querySelector<HTMLInputElement>("input[type=search]")!;
        const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")!.set!;
        const t0 = performance.now();
        set.call(box, "latest message");
        box.dispatchEvent(new Event("input", { bubbles: true }));
        while (!document.querySelector(".search-result mark")?.textContent?.startsWith("latest")) {
          await new Promise((r) => requestAnimationFrame(r));
        }
        return performance.now() - t0;
      });
      process.stdout.write(
        `search over ${DEVICES * PER_DEVICE + 2} messages: result on screen in ${ms.toFixed(0)} ms\n`,
      );
      await input.fill("very first");
      await result.click();
      await first.waitFor();
      await expect.poll(() => inView(".msg__text >> text=The very first message.")).toBe(true);
      await page.screenshot({ path: join(SCREENSHOTS, "chat-10k-search-jump-phone-light.png") });

      // All 10,002 messages are still kept on the device for the next visit. (The MLS commits that
      // share the log are stored too; only messages are counted here.)
      expect(await stored()).toBe(DEVICES * PER_DEVICE + 2);
    } finally {
      await context.close();
    }
  }, 600_000);
});
