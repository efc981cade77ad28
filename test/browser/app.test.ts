import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startTestServer, type TestServer } from "@hearth/server/testing";
import type { Browser, BrowserContext, BrowserContextOptions, Page, WebSocketRoute } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { filesUnder, findMarker, readIfThere } from "../support/attachments.ts";
import {
  buildWebApp,
  describeWithBrowser,
  dropFile,
  launchBrowser,
  minimalPdf,
  pasteFile,
  seriousAxeFindings,
  type WebBuild,
} from "../support/browser.ts";

const SCREENSHOTS = resolve(import.meta.dirname, "../../test-artifacts/screenshots");
const EXIT_URL = "https://www.bbc.com/weather";
const PREVIOUS_URL = "https://previous.example/";
const PASSWORD = "quiet harbour evenings";

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/**
 * The whole app against the real server (SQLite in a temp dir, serving a fresh build), in real
 * Chromium: first-run setup, invites with link and QR code, a patient joining, the chat with typing
 * and the three receipt states both ways, replies, delete for everyone, settings, quick exit,
 * accessibility in both themes, and screenshots of every main screen.
 */
describeWithBrowser("web app against the real server (Chromium)", () => {
  let web: WebBuild | undefined;
  let t: TestServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  let patientInvite = "";
  let conversationPath = "";
  let patientUsername = "";

  beforeAll(async () => {
    web = await buildWebApp();
    t = await startTestServer({ webDistDir: web.distDir });
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

  async function context(
    options: BrowserContextOptions = {},
  ): Promise<{ ctx: BrowserContext; errors: string[] }> {
    const ctx = await browser!.newContext({
      locale: "en-GB",
      timezoneId: "Europe/London",
      viewport: PHONE,
      ...options,
    });
    contexts.push(ctx);
    // Fail with Playwright's own message (what it waited for) well before the test's time limit.
    ctx.setDefaultTimeout(20_000);
    await ctx.route("https://www.bbc.com/**", (route) =>
      route.fulfill({ contentType: "text/html", body: "<title>Weather</title><h1>Weather</h1>" }),
    );
    await ctx.route(`${PREVIOUS_URL}**`, (route) =>
      route.fulfill({
        contentType: "text/html",
        body: "<title>Before</title><h1>The page before Hearth</h1>",
      }),
    );
    const errors: string[] = [];
    ctx.on("weberror", (e) => errors.push(e.error().message));
    return { ctx, errors };
  }

  async function newPage(ctx: BrowserContext): Promise<Page> {
    const page = await ctx.newPage();
    page.on("console", (msg) => {
      if (msg.type() === "error") process.stderr.write(`[browser] ${msg.text()}\n`);
    });
    return page;
  }

  const shot = (page: Page, name: string, fullPage = false) =>
    page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });

  /** A message bubble's text on screen (not the screen-reader copies in buttons and live regions). */
  const bubble = (page: Page, text: string) => page.locator(".msg__text", { hasText: text });

  const statusOfLast = (page: Page) =>
    page.locator(".msg--own").last().locator("[data-status]").getAttribute("data-status");

  /** The recovery key step after sign-up: reads the key, confirms it is saved, goes on. */
  async function saveRecoveryKey(page: Page, screenshot?: string): Promise<string> {
    await page.getByRole("heading", { level: 1, name: "Save your recovery key" }).waitFor();
    const key = (await page.getByTestId("recovery-key").textContent())?.trim() ?? "";
    expect(key.length).toBeGreaterThan(20);
    if (screenshot) {
      await shot(page, screenshot, true);
      expect(await seriousAxeFindings(page), "recovery key screen").toEqual([]);
    }
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByText("Please tick the box", { exact: false }).waitFor();
    await page.getByLabel("I've saved my recovery key").check();
    await page.getByRole("button", { name: "Continue" }).click();
    return key;
  }
  const keys = { therapist: "", patient: "" };

  // Shared across the tests below, in order: one practice, one therapist, one patient.
  let therapist: { ctx: BrowserContext; page: Page } | undefined;
  let patient: { ctx: BrowserContext; page: Page } | undefined;

  it("first-run setup, then the admin invites a therapist with a link and a QR code", async () => {
    const setupToken = await t!.server.prepareSetup();
    expect(setupToken).toBeTruthy();
    const { ctx } = await context({ viewport: DESKTOP });
    const page = await newPage(ctx);

    await page.goto(`${base()}/setup#${setupToken}`);
    await page.getByRole("heading", { level: 1, name: "Set up your practice" }).waitFor();
    expect(page.url()).toBe(`${base()}/setup`);
    await page.getByLabel("Practice name").fill("Quiet Harbour");
    await page.getByLabel("Your name").fill("Alex Admin");
    await page.getByLabel("Sign-in name").fill("alex");
    await page.getByLabel("Password").fill(PASSWORD);
    await shot(page, "setup-filled-desktop-light");
    await page.getByRole("button", { name: "Create practice" }).click();
    await saveRecoveryKey(page, "recovery-key-desktop-light");
    await page.getByRole("heading", { level: 1, name: "Your practice" }).waitFor();
    await page.getByRole("button", { name: "Make an invite link" }).click();
    const link = await page.getByRole("textbox", { name: "Invite link" }).inputValue();
    expect(link).toMatch(new RegExp(`^${base()}/invite#.{16,}`));
    await expect
      .poll(() => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value ?? ""))
      .toBe(link);
    await page.getByRole("img", { name: /QR code of the invite link/ }).waitFor();
    await shot(page, "admin-invite-desktop-light");

    // The therapist joins from the link (desktop).
    const th = await context({ viewport: DESKTOP });
    const tp = await newPage(th.ctx);
    therapist = { ctx: th.ctx, page: tp };
    await tp.goto(link);
    await tp.getByText("Alex Admin at Quiet Harbour invited you", { exact: false }).waitFor();
    await tp.getByLabel("Name to show").fill("Dr Rowan");
    await tp.getByLabel("Sign-in name").fill("rowan");
    await tp.getByLabel("Password").fill(PASSWORD);
    await tp.getByRole("button", { name: "Join" }).click();
    keys.therapist = await saveRecoveryKey(tp);
    await tp.getByRole("heading", { level: 1, name: "Your caseload" }).waitFor();
    await tp.getByText("No patients yet", { exact: false }).waitFor();
    await tp.getByRole("button", { name: "Make an invite link" }).click();
    patientInvite = await tp.getByRole("textbox", { name: "Invite link" }).inputValue();
    await tp.getByRole("img", { name: /QR code/ }).waitFor();
    await shot(tp, "caseload-invite-desktop-light", true);
  });

  it("a patient goes from the invite link to the first message in three fields and one tap", async () => {
    const { ctx } = await context({ viewport: PHONE });
    const page = await newPage(ctx);
    patient = { ctx, page };
    await page.goto(patientInvite);
    await page.getByText("Dr Rowan at Quiet Harbour invited you", { exact: false }).waitFor();
    await page.getByLabel("Name to show").fill("Sky");
    // A sign-in name is suggested from the name; the patient only picks a password.
    patientUsername = await page.getByLabel("Sign-in name").inputValue();
    expect(patientUsername).toMatch(/^sky\.[a-z0-9]{1,4}$/);
    await page.getByLabel("Password").fill(PASSWORD);
    await shot(page, "invite-filled-phone-light");
    await page.getByRole("button", { name: "Join" }).click();
    keys.patient = await saveRecoveryKey(page);
    // Straight into the 1:1 conversation with the therapist.
    await page.getByRole("heading", { level: 1, name: "Dr Rowan" }).waitFor();
    conversationPath = new URL(page.url()).pathname;
    expect(conversationPath).toMatch(/^\/conversations\/.+/);
    await page.getByText("No messages yet", { exact: false }).waitFor();

    // The therapist sees the new patient in the caseload and opens the conversation.
    const tp = therapist!.page;
    await tp.getByRole("link", { name: /Sky/ }).waitFor();
    await tp.getByRole("link", { name: /Sky/ }).click();
    await tp.getByRole("heading", { level: 1, name: "Sky" }).waitFor();

    // Typing shows on the other side.
    const composer = page.getByRole("textbox", { name: "Message" });
    await composer.fill("Hi, I made it in.");
    await tp.getByText("Sky is typing…").waitFor();
    await composer.press("Enter");
    await bubble(tp, "Hi, I made it in.").waitFor();
    // The therapist has it open and visible: the patient's message goes to read.
    await expect.poll(() => statusOfLast(page)).toBe("read");
    await page.locator(".msg--own [data-status='read']").getByText("Read").waitFor();
  });

  it("shows sent, delivered and read as they happen, both ways", async () => {
    const pp = patient!.page;
    // The therapist is away (no page open): the patient's message is only sent.
    await therapist!.page.close();
    await pp.getByRole("textbox", { name: "Message" }).fill("Is Thursday still good?");
    await pp.getByRole("button", { name: "Send" }).click();
    await expect.poll(() => statusOfLast(pp)).toBe("sent");
    await shot(pp, "chat-sent-phone-light");

    // The therapist comes back to the caseload: delivered (and an unread count), not read yet.
    const tp = await newPage(therapist!.ctx);
    therapist!.page = tp;
    await tp.goto(`${base()}/conversations`);
    await tp.getByText("1 new message").waitFor();
    await expect.poll(() => statusOfLast(pp)).toBe("delivered");
    await shot(tp, "caseload-unread-desktop-light");

    // Opening the conversation reads it; the first unread is marked.
    await tp.getByRole("link", { name: /Sky/ }).click();
    await tp.getByText("New messages", { exact: true }).waitFor();
    await expect.poll(() => statusOfLast(pp)).toBe("read");

    // The other way: the therapist replies to a message while the patient is away.
    await pp.close();
    await tp
      .locator(".msg")
      .filter({ hasText: "Is Thursday still good?" })
      .getByRole("button", { name: /^More actions/ })
      .click();
    await tp.getByRole("menuitem", { name: "Reply" }).click();
    await tp.getByText("Replying to Sky").waitFor();
    const composer = tp.getByRole("textbox", { name: "Message" });
    await composer.fill("Thursday at 4 works. See you then.");
    await composer.press("Enter");
    await expect.poll(() => statusOfLast(tp)).toBe("sent");
    await tp.locator(".msg--own .msg__quote").getByText("Is Thursday still good?").waitFor();

    const pp2 = await newPage(patient!.ctx);
    patient!.page = pp2;
    await pp2.goto(`${base()}/conversations`);
    await pp2.getByText("1 new message").waitFor();
    await expect.poll(() => statusOfLast(tp)).toBe("delivered");
    await shot(pp2, "conversations-phone-light", true);
    await pp2.getByRole("link", { name: /Dr Rowan/ }).click();
    await bubble(pp2, "Thursday at 4 works.").waitFor();
    await expect.poll(() => statusOfLast(tp)).toBe("read");

    // And typing from the therapist to the patient.
    await composer.fill("One more thing");
    await composer.press("End");
    await pp2.getByText("Dr Rowan is typing…").waitFor();
    await composer.fill("");
    await shot(pp2, "chat-phone-light");
    await shot(tp, "chat-desktop-light");
  });

  it("announces new messages in a live region, and deletes for everyone", async () => {
    const tp = therapist!.page;
    const pp = patient!.page;
    await pp.getByRole("textbox", { name: "Message" }).fill("Thank you.");
    await pp.getByRole("textbox", { name: "Message" }).press("Enter");
    await expect.poll(() => tp.locator("[data-testid=announcer]").textContent()).toBe("Sky: Thank you.");
    expect(await tp.locator("[data-testid=announcer]").getAttribute("aria-live")).toBe("polite");

    // The patient deletes it for everyone: a calm confirmation, safe choice first.
    await pp
      .locator(".msg--own")
      .filter({ hasText: "Thank you." })
      .getByRole("button", { name: /^More actions/ })
      .click();
    await pp.getByRole("menuitem", { name: "Delete" }).click();
    const dialog = pp.getByRole("dialog", { name: "Delete this message for everyone?" });
    await dialog.waitFor();
    expect(await pp.evaluate(() => document.activeElement?.textContent)).toBe("Keep it");
    await shot(pp, "chat-delete-phone-light");
    await dialog.getByRole("button", { name: "Delete for everyone" }).click();
    await tp.getByText("This message was deleted.").waitFor();
    await pp.getByText("This message was deleted.").waitFor();
    expect(await bubble(tp, "Thank you.").count()).toBe(0);

    // A file: encrypted on the patient's device, decrypted on the therapist's.
    const worksheet = "Thought record — Monday\nSituation: …\n";
    await pp.locator("input[type=file]").setInputFiles({
      name: "thought-record.txt",
      mimeType: "text/plain",
      buffer: Buffer.from(worksheet),
    });
    // Attached files wait in a preview for Send (test/browser/compose.test.ts covers captions).
    await pp
      .getByRole("dialog", { name: "Send thought-record.txt?" })
      .getByRole("button", { name: "Send" })
      .click();
    const card = tp.locator(".file", { hasText: "thought-record.txt" });
    await card.waitFor();
    await expect.poll(() => statusOfLast(pp)).toBe("read");
    const [download] = await Promise.all([
      tp.waitForEvent("download"),
      card.getByRole("button", { name: /^Download/ }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("thought-record.txt");
    const path = await download.path();
    expect(readFileSync(path, "utf8")).toBe(worksheet);
    await shot(pp, "chat-file-phone-light");

    // Both sides see the same safety number.
    await tp.getByText("Check encryption with Sky").click();
    // On a phone the check is a lock in the conversation's header; its words are for screen readers.
    await pp.locator("summary", { hasText: "Check encryption with Dr Rowan" }).click();
    const theirs = await tp.getByTestId("safety-number").textContent();
    expect(theirs).toMatch(/\d{5}/);
    expect(await pp.getByTestId("safety-number").textContent()).toBe(theirs);
  });

  it("exchanges a PDF (dropped), an image (pasted) and a voice note (recorded), shown inline", async () => {
    const tp = therapist!.page;
    const pp = patient!.page;

    // The therapist drops a worksheet on the conversation; a stray drop asks first.
    const pdf = minimalPdf("Box breathing: in 4, hold 4, out 4, hold 4.");
    await dropFile(tp, ".chat", { name: "box-breathing.pdf", type: "application/pdf", bytes: pdf });
    const offer = tp.getByRole("dialog", { name: "Send box-breathing.pdf?" });
    await offer.waitFor();
    expect(
      await offer.getByRole("textbox", { name: /Caption/ }).evaluate((e) => e === document.activeElement),
    ).toBe(true);
    await offer.getByRole("button", { name: "Send", exact: true }).click();
    const pdfCard = pp.locator(".media--pdf", { hasText: "box-breathing.pdf" });
    await pdfCard.waitFor();
    await pdfCard.getByRole("button", { name: /^View/ }).click();
    const viewer = pdfCard.locator("iframe[title='PDF: box-breathing.pdf']");
    await viewer.waitFor();
    expect(await viewer.getAttribute("src")).toMatch(/^blob:/);
    // Chromium's own PDF viewer opened the decrypted document inside that frame (the CSP lets it).
    await expect.poll(() => pp.frames().some((f) => f.url().startsWith("chrome-extension://"))).toBe(true);
    // What was decrypted is exactly what was sent (the app's own Download gives the bytes back).
    const [saved] = await Promise.all([
      pp.waitForEvent("download"),
      pdfCard.getByRole("button", { name: /^Download/ }).click(),
    ]);
    expect(saved.suggestedFilename()).toBe("box-breathing.pdf");
    expect(new Uint8Array(readFileSync(await saved.path()))).toEqual(pdf);
    await shot(pp, "chat-pdf-phone-light");

    // The patient pastes a picture into the message box.
    const png = await pp.screenshot({ clip: { x: 0, y: 0, width: 120, height: 90 } });
    // Text copied from a word processor carries a picture of itself too: that pastes as text.
    const copied = { name: "image.png", type: "image/png", bytes: png };
    expect(await pasteFile(pp, "textarea[name=message]", copied, "Notes from Tuesday")).toEqual({
      handled: false,
    });
    expect(await pasteFile(pp, "textarea[name=message]", copied)).toEqual({ handled: true });
    const paste = pp.getByRole("dialog", { name: /^Send Pasted image .+\.png\?$/ });
    await paste.waitFor();
    await paste.getByRole("button", { name: "Send", exact: true }).click();
    const image = tp.getByRole("img", { name: /^Image: Pasted image/ });
    await image.waitFor();
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(120);
    expect(await image.evaluate((img: HTMLImageElement) => img.naturalHeight)).toBe(90);
    expect(await image.getAttribute("src")).toMatch(/^blob:/);

    // And records a voice note with the (fake) microphone; the therapist plays it.
    await pp.getByRole("button", { name: "Record a voice note" }).click();
    const stop = pp.getByRole("button", { name: "Stop and send" });
    await stop.waitFor();
    expect(await pp.evaluate(() => document.activeElement?.textContent)).toBe("Stop and send");
    await pp.getByText(/Recording 0:0[2-9]/).waitFor();
    await shot(pp, "chat-recording-phone-light");
    await stop.click();
    const note = tp.locator(".media--audio", { hasText: "Voice note" });
    await note.waitFor();
    await note.getByRole("button", { name: /^Play Voice note/ }).click();
    const audio = note.locator("audio");
    await audio.waitFor({ state: "attached" });
    // The browser could read the decrypted recording as audio (its metadata loaded).
    await expect
      .poll(() => audio.evaluate((a: HTMLAudioElement) => a.readyState), { timeout: 15_000 })
      .toBeGreaterThanOrEqual(1);
    await expect.poll(() => statusOfLast(pp)).toBe("read");

    // If the microphone goes away mid-recording, nothing is sent without asking.
    await pp.evaluate(() => {
      const devices = navigator.mediaDevices;
      const original = devices.getUserMedia.bind(devices);
      devices.getUserMedia = async (constraints) => {
        const stream = await original(constraints);
        (window as unknown as { mic: MediaStream }).mic = stream;
        return stream;
      };
    });
    await pp.getByRole("button", { name: "Record a voice note" }).click();
    await pp.getByText(/Recording 0:0[1-9]/).waitFor();
    await pp.evaluate(() => {
      for (const track of (window as unknown as { mic: MediaStream }).mic.getTracks()) track.stop();
    });
    const asked = pp.getByRole("group", { name: "Your voice note" });
    await asked.getByText(/Send it\?$/).waitFor();
    expect(await pp.evaluate(() => document.activeElement?.textContent)).toBe("Send");
    await asked.getByRole("button", { name: "Discard" }).click();
    await pp.getByRole("button", { name: "Record a voice note" }).waitFor();
    expect(await tp.locator(".media--audio").count()).toBe(1);

    // A link to a resource gets a preview made from the address alone, before and after sending.
    const composer = tp.getByRole("textbox", { name: "Message" });
    await composer.fill(
      "This might help: https://www.nhs.uk/mental-health/self-help/guides-tools-and-activities/breathing-exercises-for-stress/",
    );
    await tp.locator(".composer__preview").getByText("NHS", { exact: true }).waitFor();
    await composer.press("Enter");
    const card = pp.locator(".msg").last().getByTestId("link-card");
    await card.waitFor();
    expect(await card.locator(".link-card__site").textContent()).toBe("NHS");
    expect(await card.locator(".link-card__host").textContent()).toBe("www.nhs.uk");
    expect(await card.getAttribute("rel")).toBe("noopener noreferrer");
    await shot(tp, "chat-media-desktop-light");
    await shot(pp, "chat-media-phone-light");

    // The server holds none of it readable: no file name, no text, no PDF or PNG bytes.
    const stored = Buffer.concat(filesUnder(t!.dataDir).map(readIfThere));
    for (const secret of [
      "box-breathing",
      "Box breathing: in 4",
      "Pasted image",
      "Voice note",
      "breathing-exercises-for-stress",
    ]) {
      expect(findMarker(stored, secret), secret).toEqual([]);
    }
  });

  it("shows a read receipt that went out while the sender's page was closed", async () => {
    const tp = therapist!.page;
    const pp = patient!.page;
    // The patient steps out to the list: the next message is delivered, not read.
    await pp.goto(`${base()}/conversations`);
    await pp.getByRole("link", { name: /Dr Rowan/ }).waitFor();
    const composer = tp.getByRole("textbox", { name: "Message" });
    await composer.fill("Take your time with the worksheet.");
    await composer.press("Enter");
    await expect.poll(() => statusOfLast(tp)).toBe("delivered");
    // The therapist closes the page; the patient reads it meanwhile.
    await tp.close();
    await pp.getByRole("link", { name: /Dr Rowan/ }).click();
    await bubble(pp, "Take your time with the worksheet.").waitFor();
    const token = await pp.evaluate(() => JSON.parse(localStorage.getItem("hearth.session") ?? "{}").token);
    const patientRead = async () => {
      const res = await fetch(`${base()}/v1/conversations`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const [c] = (await res.json()) as { lastSeq: number; readSeq: number }[];
      return c!.readSeq >= c!.lastSeq;
    };
    await expect.poll(patientRead).toBe(true);
    // Back on the page, the therapist sees it read (the live receipt was missed; the list has it).
    const again = await newPage(therapist!.ctx);
    therapist!.page = again;
    await again.goto(`${base()}${conversationPath}`);
    await bubble(again, "Take your time with the worksheet.").waitFor();
    await expect.poll(() => statusOfLast(again)).toBe("read");
  });

  it("says when it is offline, and sends what was written then once the connection is back", async () => {
    const pp = patient!.page;
    const tp = therapist!.page;
    // The page's socket goes through a switch the test controls (browser offline emulation blocks
    // new connections but leaves an open WebSocket alone).
    let cut = false;
    let open: WebSocketRoute | undefined;
    await pp.context().routeWebSocket(/\/v1\/ws$/, (ws) => {
      if (cut) return void ws.close({ code: 1006 });
      open = ws;
      ws.connectToServer();
    });
    await pp.goto(`${base()}${conversationPath}`);
    await bubble(pp, "Thursday at 4 works.").waitFor();
    await expect.poll(() => open !== undefined).toBe(true);
    const banner = pp.locator(".connection-banner");
    expect(await banner.textContent()).toBe("");
    // Chatting on a train...
    await pp.getByRole("textbox", { name: "Message" }).fill("On the train now.");
    await pp.getByRole("textbox", { name: "Message" }).press("Enter");
    await bubble(tp, "On the train now.").waitFor();
    // ...when the connection drops (a tunnel).
    cut = true;
    await pp.context().setOffline(true);
    try {
      await open!.close({ code: 1006 });
      await expect.poll(() => banner.textContent(), { timeout: 15_000 }).toMatch(/^You're offline\./);
      expect(await banner.getAttribute("role")).toBe("status");
      await pp.getByRole("textbox", { name: "Message" }).fill("Written in the tunnel.");
      await pp.getByRole("textbox", { name: "Message" }).press("Enter");
      await expect.poll(() => statusOfLast(pp)).toBe("pending");
      await shot(pp, "chat-offline-phone-light");
    } finally {
      cut = false;
      await pp.context().setOffline(false);
    }
    // Back online: it reconnects at once (not after the backoff) and the message goes.
    await bubble(tp, "Written in the tunnel.").waitFor({ timeout: 30_000 });
    await expect.poll(() => statusOfLast(pp)).not.toBe("pending");
    await expect.poll(() => banner.textContent()).toBe("");
  });

  it("resumes from the cursors kept in IndexedDB after a reload", async () => {
    const pp = patient!.page;
    await pp.reload();
    await bubble(pp, "Thursday at 4 works.").waitFor();
    const cursor = () =>
      pp.evaluate(async (path) => {
        const id = path.split("/").pop()!;
        const dbs = await indexedDB.databases();
        const name = dbs.find(
          (d) => d.name?.startsWith("hearth.") && !d.name.startsWith("hearth.keys."),
        )?.name;
        if (!name) return -1;
        return new Promise<number>((resolve, reject) => {
          const req = indexedDB.open(name);
          req.onsuccess = () => {
            const get = req.result.transaction("cursors").objectStore("cursors").get(id);
            get.onsuccess = () => resolve(get.result as number);
            get.onerror = () => reject(get.error);
          };
        });
      }, conversationPath);
    // Four messages and one deletion so far (plus the MLS commits that share the log).
    await expect.poll(cursor, { timeout: 15_000 }).toBeGreaterThanOrEqual(5);
  });

  it("search finds an old message, on the device, and jumps to it", async () => {
    const pp = patient!.page;
    // Everything the page sends from here on: requests (address and body) and socket frames.
    const sent: string[] = [];
    let watching = true;
    pp.on("request", (r) => {
      if (watching) sent.push(`${r.url()}\n${r.postData() ?? ""}`);
    });
    pp.on("websocket", (ws) =>
      ws.on("framesent", (f) => {
        if (watching) sent.push(typeof f.payload === "string" ? f.payload : f.payload.toString("latin1"));
      }),
    );
    // A fresh load, so the socket it opens is watched too.
    await pp.goto(`${base()}/conversations`);
    await pp.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Search" }).click();
    await pp.getByRole("heading", { level: 1, name: "Search" }).waitFor();
    expect(await pp.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type)).toBe("search");
    expect(
      await pp
        .getByRole("navigation", { name: "Main" })
        .getByRole("link", { name: "Search" })
        .getAttribute("aria-current"),
    ).toBe("page");

    // Instant: results follow what is typed, both Thursday messages, with the word marked.
    const input = pp.getByRole("searchbox", { name: "Search your messages" });
    const results = pp.locator(".search-result");
    const status = pp.locator(".search-status");
    expect(await status.getAttribute("aria-live")).toBe("polite");
    await input.pressSequentially("thursday");
    await expect.poll(() => results.count()).toBe(2);
    await pp.getByRole("link", { name: /Is Thursday still good\?/ }).waitFor();
    await pp.getByRole("link", { name: /Thursday at 4 works\./ }).waitFor();
    expect(await results.locator("mark").allTextContents()).toEqual(["Thursday", "Thursday"]);
    expect(await status.textContent()).toBe("2 messages found.");
    // Enter doesn't reload the page or put the words in the address.
    await input.press("Enter");
    expect(pp.url()).toBe(`${base()}/search`);
    expect(await results.count()).toBe(2);

    await input.fill("zebra");
    await expect.poll(() => status.textContent()).toBe("Nothing found for “zebra”.");
    expect(await results.count()).toBe(0);

    // Every word must match the start of a word: one message has both "Thur…" and "4".
    await input.fill("thur 4");
    await expect.poll(() => results.count()).toBe(1);
    expect(await results.locator("mark").allTextContents()).toEqual(["Thur", "4"]);
    expect(await status.textContent()).toBe("1 message found.");
    await shot(pp, "search-phone-light");
    expect(await seriousAxeFindings(pp), "search screen").toEqual([]);

    // The result opens the conversation at that message.
    await results.first().click();
    await pp.waitForURL((url) => url.pathname === conversationPath);
    await bubble(pp, "Thursday at 4 works.").waitFor();
    // Once shown, the message id leaves the address, and the message has the focus.
    await expect.poll(() => new URL(pp.url()).search).toBe("");
    await expect
      .poll(() => pp.evaluate(() => document.activeElement?.closest(".msg")?.textContent ?? ""))
      .toContain("Thursday at 4 works.");
    // A link to a message that is gone says so, and also leaves the address clean.
    await pp.goto(`${base()}${conversationPath}?m=msg_not_on_this_device`);
    await pp.getByText("That message isn't here any more. It may have been deleted.").waitFor();
    expect(new URL(pp.url()).search).toBe("");

    // Nothing of the search went anywhere: not in an address, a request body or a socket frame.
    watching = false;
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.filter((s) => s.includes("thur") || s.includes("zebra"))).toEqual([]);

    // The index kept on the device is encrypted, with a key the page's script can't export.
    const saved = () =>
      pp.evaluate(async () => {
        const name = (await indexedDB.databases()).find((d) => d.name?.startsWith("hearth-search."))?.name;
        if (!name) return undefined;
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const req = indexedDB.open(name);
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error);
        });
        const values = await new Promise<unknown[]>((resolve, reject) => {
          const req = db.transaction("search").objectStore("search").getAll();
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error);
        });
        db.close();
        return {
          name,
          keys: values
            .filter((v): v is CryptoKey => v instanceof CryptoKey)
            .map((k) => ({ algorithm: k.algorithm.name, extractable: k.extractable })),
          blobs: values
            .filter(
              (v): v is { ciphertext: Uint8Array } =>
                (v as { ciphertext?: unknown }).ciphertext instanceof Uint8Array,
            )
            .map((v) => new TextDecoder("latin1").decode(v.ciphertext)),
          all: JSON.stringify(values),
        };
      });
    await expect.poll(async () => (await saved())?.blobs.length ?? 0).toBe(1);
    const found = (await saved())!;
    expect(found.name).toMatch(/^hearth-search\.usr_/);
    expect(found.keys).toEqual([{ algorithm: "AES-GCM", extractable: false }]);
    expect(found.blobs[0]!.length).toBeGreaterThan(100);
    for (const text of [...found.blobs, found.all]) {
      expect(text).not.toContain("Thursday");
      expect(text).not.toContain("Is Thursday");
    }
  });

  it("labels patients privately in the caseload (on this device only)", async () => {
    const tp = therapist!.page;
    await tp.goto(`${base()}/conversations`);
    await tp.getByRole("button", { name: "Add label for Sky" }).click();
    await tp.getByRole("textbox", { name: "Private label" }).fill("Thursdays 4pm · anxiety");
    await tp.getByRole("button", { name: "Save label" }).click();
    await tp.getByText("Thursdays 4pm · anxiety").waitFor();
    // The keyboard is back on the button that opened the editor, not at the top of the page.
    await expect
      .poll(() => tp.evaluate(() => document.activeElement?.textContent ?? ""))
      .toBe("Edit label for Sky");
    await tp.reload();
    await tp.getByText("Thursdays 4pm · anxiety").waitFor();
    // The patient never sees it.
    const pp = patient!.page;
    await pp.goto(`${base()}/conversations`);
    await pp.getByRole("link", { name: /Dr Rowan/ }).waitFor();
    expect(await pp.getByText("Thursdays 4pm").count()).toBe(0);
  });

  it("settings: name, read receipts and typing off, devices signed out remotely", async () => {
    const pp = patient!.page;
    await pp.goto(`${base()}/settings`);
    await pp.getByRole("heading", { level: 1, name: "Settings" }).waitFor();
    await pp.getByRole("tab", { name: "Profile" }).click();
    await pp.getByLabel("Name to show").fill("Sky B");
    await pp.getByRole("button", { name: "Save name" }).click();
    await pp.getByText("Saved.").waitFor();
    await pp.getByRole("tab", { name: "Privacy" }).click();
    await pp.getByLabel("Send read receipts").uncheck();
    await pp.getByLabel("Show when I'm typing").uncheck();
    await shot(pp, "settings-phone-light", true);

    // With read receipts off, the therapist's next message stays at delivered.
    const tp = therapist!.page;
    await tp.goto(`${base()}${conversationPath}`);
    await tp.getByRole("heading", { level: 1, name: "Sky B" }).waitFor();
    await pp.goto(`${base()}${conversationPath}`);
    await tp.getByRole("textbox", { name: "Message" }).fill("Private receipts work.");
    await tp.getByRole("textbox", { name: "Message" }).press("Enter");
    await bubble(pp, "Private receipts work.").waitFor();
    await expect.poll(() => statusOfLast(tp)).toBe("delivered");
    // And typing is not shown to the therapist any more.
    await pp.getByRole("textbox", { name: "Message" }).fill("typing privately");
    await pp.getByRole("textbox", { name: "Message" }).fill("");

    // A second device of the therapist signs the first one out.
    const other = await context({ viewport: PHONE });
    const op = await newPage(other.ctx);
    await op.goto(`${base()}/`);
    await op.getByLabel("Sign-in name").fill("rowan");
    await op.getByLabel("Password").fill(PASSWORD);
    await op.getByRole("button", { name: "Sign in" }).click();
    // A new device: the keys (and the history) come from the signed-in device, checked by a short code.
    await op.getByRole("heading", { level: 1, name: "Bring your messages to this device" }).waitFor();
    await shot(op, "restore-history-phone-light", true);
    expect(await seriousAxeFindings(op), "restore history screen").toEqual([]);
    await op.getByRole("button", { name: "Use another device" }).click();
    const code = await op.getByRole("textbox", { name: "Code for your other device" }).inputValue();
    await tp.goto(`${base()}/settings`);
    await tp.getByRole("tab", { name: "Devices" }).click();
    await tp.getByText("Add a new device").click();
    await tp.getByRole("textbox", { name: "Code from the new device" }).fill(code);
    await tp.getByRole("button", { name: "Continue" }).click();
    expect(await tp.getByTestId("approve-short-code").textContent()).toMatch(/\d/);
    await shot(op, "restore-history-code-phone-light", true);
    await shot(tp, "settings-add-device-desktop-light", true);
    await tp.getByRole("button", { name: "Send my keys" }).click();
    await op.getByRole("heading", { level: 1, name: "Your caseload" }).waitFor();
    // History came along: the new device reads what was written before it existed.
    await op.getByRole("link", { name: /Sky/ }).click();
    await bubble(op, "Private receipts work.").waitFor();
    await op.goto(`${base()}/settings`);
    await op.getByRole("tab", { name: "Devices" }).click();
    await op.getByText("This device", { exact: true }).waitFor();
    const before = await op.locator(".device-list__item").count();
    expect(before).toBe(2);
    // Both devices are "Chrome on Linux": this one gets a name of its own.
    await op
      .getByRole("button", { name: /^Rename Chrome/ })
      .first()
      .click();
    await op.getByLabel("Device name").fill("Rowan's phone");
    await op.getByRole("button", { name: "Save device name" }).click();
    await op.getByText("Renamed to Rowan's phone.").waitFor();
    await op.locator(".device-list__name", { hasText: "Rowan's phone" }).getByText("This device").waitFor();
    await shot(op, "settings-devices-phone-light", true);
    await op.getByRole("button", { name: /^Sign out Chrome/ }).click();
    await expect.poll(() => op.locator(".device-list__item").count()).toBe(1);
    await tp.getByText("You were signed out on this device", { exact: false }).waitFor();
    await tp.getByRole("heading", { level: 1, name: "Welcome to Hearth" }).waitFor();
    therapist!.page = op;
  });

  it("shows others' typing and reads only if wanted, and notifies without any content", async () => {
    const pp = patient!.page;
    const tp = therapist!.page;
    await patient!.ctx.grantPermissions(["notifications"], { origin: base() });
    await pp.goto(`${base()}/settings`);
    await pp.getByRole("tab", { name: "Privacy" }).click();
    await pp.getByLabel("Show when others are typing").uncheck();
    await pp.getByLabel("Show when others have read").uncheck();
    await shot(pp, "settings-display-phone-light", true);
    await pp.getByRole("tab", { name: "Notifications" }).click();
    await pp.getByLabel("Notify me of new messages").check();
    // The recovery key, again, only when asked for and after a calm check.
    await pp.getByRole("tab", { name: "Security" }).click();
    await pp.getByRole("button", { name: "Show my recovery key" }).click();
    const ask = pp.getByRole("dialog", { name: "Show your recovery key?" });
    await ask.waitFor();
    await ask.getByRole("button", { name: "Show it" }).click();
    expect((await pp.getByTestId("settings-recovery-key").textContent())?.trim()).toBe(keys.patient);
    await pp.getByRole("button", { name: "Hide recovery key" }).click();
    expect(await pp.getByTestId("settings-recovery-key").count()).toBe(0);

    // Typing from the therapist never shows while that is off (watched for the whole exchange).
    await pp.goto(`${base()}${conversationPath}`);
    await tp.goto(`${base()}${conversationPath}`);
    await pp.locator(".chat__typing").waitFor({ state: "attached" });
    await pp.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { typingSeen: string[] }).typingSeen = seen;
      const box = document.querySelector(".chat__typing")!;
      new MutationObserver(() => seen.push(box.textContent ?? "")).observe(box, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
    const composer = tp.getByRole("textbox", { name: "Message" });
    await composer.pressSequentially("Typing where nobody sees", { delay: 20 });
    await composer.press("Enter");
    await bubble(pp, "Typing where nobody sees").waitFor();
    expect(await pp.evaluate(() => (window as unknown as { typingSeen: string[] }).typingSeen)).toEqual([]);

    // The therapist reads the patient's reply; with reads hidden it shows as delivered, and as read
    // once shown again.
    await pp.getByRole("textbox", { name: "Message" }).fill("Seen, thanks.");
    await pp.getByRole("textbox", { name: "Message" }).press("Enter");
    await bubble(tp, "Seen, thanks.").waitFor();
    await expect.poll(() => statusOfLast(pp)).toBe("delivered");
    await pp.goto(`${base()}/settings`);
    await pp.getByRole("tab", { name: "Privacy" }).click();
    await pp.getByLabel("Show when others have read").check();
    await pp.goto(`${base()}${conversationPath}`);
    await expect.poll(() => statusOfLast(pp)).toBe("read");

    // In the background, a new message raises one notification that says nothing about it.
    await pp.goto(`${base()}/conversations`);
    await pp
      .getByRole("link", { name: /Dr Rowan/ })
      .first()
      .waitFor();
    await pp.evaluate(() =>
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" }),
    );
    await composer.fill("Private words for the notification test.");
    await composer.press("Enter");
    await expect.poll(() => statusOfLast(tp)).not.toBe("sent");
    const shown = () =>
      pp.evaluate(async () => {
        const registration = await navigator.serviceWorker.ready;
        return (await registration.getNotifications()).map((n) => ({
          title: n.title,
          body: n.body,
          tag: n.tag,
        }));
      });
    const one = [{ title: "Hearth", body: "New message", tag: "hearth-new-message" }];
    await expect.poll(shown).toEqual(one);
    // Coming back to Hearth takes it away: it has done its job.
    const setVisibility = (state: "hidden" | "visible") =>
      pp.evaluate((s) => {
        Object.defineProperty(document, "visibilityState", { configurable: true, get: () => s });
        document.dispatchEvent(new Event("visibilitychange"));
      }, state);
    await setVisibility("visible");
    await expect.poll(shown).toEqual([]);
    // And quick exit takes it away too, though the page is gone at once.
    await setVisibility("hidden");
    await composer.fill("One more for the notification test.");
    await composer.press("Enter");
    await expect.poll(shown).toEqual(one);
    await pp.keyboard.press("Escape");
    await pp.keyboard.press("Escape");
    await pp.waitForURL(EXIT_URL);
    const again = await pp.context().newPage();
    await again.goto(`${base()}/`);
    await expect
      .poll(() =>
        again.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications()).length),
      )
      .toBe(0);
    await again.close();
    // Quick exit also locked Hearth: the password opens it again.
    await pp.goto(`${base()}/conversations`);
    await pp.getByRole("heading", { level: 1, name: "Hearth is locked" }).waitFor();
    await pp.getByLabel("Your password").fill(PASSWORD);
    await pp.getByRole("button", { name: "Unlock" }).click();
    await pp.getByRole("heading", { level: 1, name: "Conversations" }).waitFor();
  });

  it("quick exit from a conversation leaves nothing of Hearth in the history", async () => {
    const pp = patient!.page;
    await pp.goto(PREVIOUS_URL);
    await pp.goto(`${base()}${conversationPath}`);
    await bubble(pp, "Private receipts work.").waitFor();
    const entries = await pp.evaluate(() => history.length);
    // From the conversation's own compact header (on a phone the app's header gives way to it).
    await pp.getByRole("button", { name: "Quick exit" }).first().click();
    await pp.waitForURL(EXIT_URL);
    expect(await pp.evaluate(() => history.length)).toBe(entries);
    await pp.goBack();
    expect(pp.url()).toBe(PREVIOUS_URL);
    await pp.goForward();
    expect(pp.url()).toBe(EXIT_URL);
    // Quick exit locked Hearth (test/browser/account.test.ts looks closer): the password opens it.
    await pp.goto(`${base()}${conversationPath}`);
    await pp.getByRole("heading", { level: 1, name: "Hearth is locked" }).waitFor();
    await pp.getByLabel("Your password").fill(PASSWORD);
    await pp.getByRole("button", { name: "Unlock" }).click();
    await bubble(pp, "Private receipts work.").waitFor();
  });

  it("locks after a while without use; only the password lifts it, and a reload doesn't", async () => {
    const tp = therapist!.page;
    const latest = "One more for the notification test.";
    // Staff lock after 15 minutes unless they choose otherwise.
    await tp.goto(`${base()}/settings`);
    await tp.getByRole("tab", { name: "Security" }).click();
    expect(await tp.getByLabel("Lock Hearth").inputValue()).toBe("15");
    await tp.goto(`${base()}${conversationPath}`);
    await bubble(tp, latest).waitFor();
    // Sixteen minutes away: the remembered last activity is moved back rather than waited for.
    await tp.evaluate(() => {
      localStorage.setItem("hearth.lock.lastActive", String(Date.now() - 16 * 60_000));
      document.dispatchEvent(new Event("visibilitychange"));
    });
    await tp.getByRole("heading", { level: 1, name: "Hearth is locked" }).waitFor();
    expect(await tp.locator(".msg").count()).toBe(0);
    expect(await tp.locator("body").textContent()).not.toContain(latest);
    expect(await tp.getByRole("navigation", { name: "Main" }).count()).toBe(0);
    await tp.getByRole("button", { name: "Get help now" }).waitFor();
    await shot(tp, "locked-phone-light", true);
    expect(await seriousAxeFindings(tp), "lock screen").toEqual([]);
    // A reload doesn't lift it; a wrong password doesn't either.
    await tp.reload();
    await tp.getByRole("heading", { level: 1, name: "Hearth is locked" }).waitFor();
    expect(await tp.locator(".msg").count()).toBe(0);
    await tp.getByLabel("Your password").fill("not the right password");
    await tp.getByRole("button", { name: "Unlock" }).click();
    await tp.getByText("That password isn't right. Try again.").waitFor();
    await tp.getByLabel("Your password").fill(PASSWORD);
    await tp.getByRole("button", { name: "Unlock" }).click();
    await bubble(tp, latest).waitFor();
    expect(new URL(tp.url()).pathname).toBe(conversationPath);

    // Every tab locks and unlocks together; what was being written survives the lock.
    const second = await tp.context().newPage();
    await second.goto(`${base()}/settings`);
    await second.getByRole("heading", { level: 1, name: "Settings" }).waitFor();
    await second.getByRole("tab", { name: "Security" }).click();
    await tp.getByRole("textbox", { name: "Message" }).fill("A reply I haven't finished");
    await second.getByRole("button", { name: "Lock now" }).click();
    await tp.getByRole("heading", { level: 1, name: "Hearth is locked" }).waitFor();
    expect(await tp.evaluate(() => document.activeElement?.textContent)).toBe("Hearth is locked");
    expect(await tp.locator("body").textContent()).not.toContain("A reply I haven't finished");
    await tp.getByLabel("Your password").fill(PASSWORD);
    await tp.getByRole("button", { name: "Unlock" }).click();
    await second.getByRole("heading", { level: 1, name: "Settings" }).waitFor();
    expect(await tp.getByRole("textbox", { name: "Message" }).inputValue()).toBe(
      "A reply I haven't finished",
    );
    await tp.getByRole("textbox", { name: "Message" }).fill("");
    await second.close();

    // Patients choose: no lock by default, and "Lock now" locks at once.
    const pp = patient!.page;
    await pp.goto(`${base()}/settings`);
    await pp.getByRole("tab", { name: "Security" }).click();
    expect(await pp.getByLabel("Lock Hearth").inputValue()).toBe("0");
    await pp.getByRole("button", { name: "Lock now" }).click();
    await pp.getByRole("heading", { level: 1, name: "Hearth is locked" }).waitFor();
    await pp.getByLabel("Your password").fill(PASSWORD);
    await pp.getByRole("button", { name: "Unlock" }).click();
    await pp.getByRole("heading", { level: 1, name: "Settings" }).waitFor();
  });

  for (const colorScheme of ["light", "dark"] as const) {
    it(`has no serious accessibility problems on any screen, ${colorScheme} theme, with screenshots`, async () => {
      const { ctx, errors } = await context({ colorScheme, viewport: DESKTOP });
      const page = await newPage(ctx);
      const check = async (name: string) => {
        for (const vp of [
          { size: DESKTOP, label: "desktop" },
          { size: PHONE, label: "phone" },
        ]) {
          await page.setViewportSize(vp.size);
          await page.getByRole("heading", { level: 1 }).waitFor();
          await page.screenshot({ path: join(SCREENSHOTS, `app-${name}-${vp.label}-${colorScheme}.png`) });
          expect(await seriousAxeFindings(page), `${name} ${vp.label} (${colorScheme})`).toEqual([]);
        }
        // 320 px wide (200% zoom of 640 px): everything reflows, nothing scrolls sideways.
        await page.setViewportSize({ width: 320, height: 640 });
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        expect(overflow, `${name} at 320 px`).toBeLessThanOrEqual(0);
        await page.screenshot({ path: join(SCREENSHOTS, `app-${name}-320-${colorScheme}.png`) });
        await page.setViewportSize(DESKTOP);
      };
      // Signed out.
      await page.goto(`${base()}/`);
      await check("sign-in");
      await page.goto(`${base()}/invite#${"x".repeat(24)}`);
      await page.getByText("expired or was already used", { exact: false }).waitFor();
      await page.getByRole("link", { name: "Sign in" }).waitFor();
      await check("invite-expired");
      // Signed in as the patient.
      await page.goto(`${base()}/`);
      await page.getByLabel("Sign-in name").fill(patientUsername);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("heading", { level: 1, name: "Bring your messages to this device" }).waitFor();
      await check("restore-history");
      // Not the right moment (or device): this screen always has a way out.
      await page.getByRole("button", { name: "Sign out of this device" }).click();
      await page.getByRole("heading", { level: 1, name: "Welcome to Hearth" }).waitFor();
      await page.getByLabel("Sign-in name").fill(patientUsername);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("heading", { level: 1, name: "Bring your messages to this device" }).waitFor();
      await page.getByRole("textbox", { name: "Recovery key" }).fill("not a real key");
      await page.getByRole("button", { name: "Restore" }).click();
      await page.getByText("doesn't look like a complete recovery key", { exact: false }).waitFor();
      await page.getByRole("textbox", { name: "Recovery key" }).fill(keys.patient);
      await page.getByRole("button", { name: "Restore" }).click();
      await page.getByRole("heading", { level: 1, name: "Conversations" }).waitFor();
      await check("conversations");
      // The invite link opened again (to "open the app") never leads to a second account.
      await page.goto(`${base()}/invite#${"y".repeat(24)}`);
      await page.getByText("You've already joined", { exact: false }).waitFor();
      expect(await page.getByLabel("Password").count()).toBe(0);
      await page.getByRole("link", { name: "Go to your conversations" }).click();
      await page.getByRole("heading", { level: 1, name: "Conversations" }).waitFor();
      await page.getByRole("link", { name: /Dr Rowan/ }).click();
      await bubble(page, "Private receipts work.").waitFor();
      await check("chat");
      await page.getByRole("link", { name: "Settings" }).click();
      await page.getByRole("heading", { level: 1, name: "Settings" }).waitFor();
      await check("settings");
      await page.getByRole("button", { name: "Get help now" }).click();
      await page.getByRole("dialog", { name: "Get help now" }).waitFor();
      expect(await seriousAxeFindings(page), `crisis dialog (${colorScheme})`).toEqual([]);
      await page.keyboard.press("Escape");
      // Signed in as the therapist: the caseload with a label and an invite.
      await page.getByRole("button", { name: "Sign out of this device" }).click();
      await page.getByRole("heading", { level: 1, name: "Welcome to Hearth" }).waitFor();
      await page.getByLabel("Sign-in name").fill("rowan");
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("textbox", { name: "Recovery key" }).fill(keys.therapist);
      await page.getByRole("button", { name: "Restore" }).click();
      await page.getByRole("heading", { level: 1, name: "Your caseload" }).waitFor();
      await page.getByRole("button", { name: "Make an invite link" }).click();
      await page.getByRole("img", { name: /QR code/ }).waitFor();
      await check("caseload");
      expect(errors).toEqual([]);
    }, 180_000);
  }

  it("a therapist starts a group; everyone sees who wrote what", async () => {
    const tp = therapist!.page;
    await tp.goto(`${base()}/conversations`);
    await tp.getByRole("button", { name: "Make an invite link" }).click();
    const link = await tp.getByRole("textbox", { name: "Invite link" }).inputValue();
    const { ctx } = await context({ viewport: PHONE });
    const rp = await newPage(ctx);
    await rp.goto(link);
    await rp.getByLabel("Name to show").fill("River");
    await rp.getByLabel("Password").fill(PASSWORD);
    await rp.getByRole("button", { name: "Join" }).click();
    await saveRecoveryKey(rp);
    await rp.getByRole("heading", { level: 1, name: "Dr Rowan" }).waitFor();

    await tp.getByRole("link", { name: /River/ }).waitFor();
    await tp.getByText("Start a group").click();
    await tp.getByRole("button", { name: "Create group" }).click();
    await tp.getByText("Choose at least two people", { exact: false }).waitFor();
    await tp.getByLabel("Sky B").check();
    await tp.getByLabel("River").check();
    await shot(tp, "caseload-group-phone-light", true);
    expect(await seriousAxeFindings(tp), "start a group").toEqual([]);
    await tp.getByRole("button", { name: "Create group" }).click();
    await tp.getByRole("heading", { level: 1, name: /^(Sky B, River|River, Sky B)$/ }).waitFor();
    const composer = tp.getByRole("textbox", { name: "Message" });
    await composer.fill("Welcome to Thursday's group.");
    await composer.press("Enter");

    await rp.goto(`${base()}/conversations`);
    await rp.getByRole("link", { name: /^Group: / }).click();
    await bubble(rp, "Welcome to Thursday's group.").waitFor();
    expect(await rp.locator(".msg--other .msg__sender").first().textContent()).toBe("Dr Rowan");
    await rp.getByRole("textbox", { name: "Message" }).fill("Hello everyone.");
    await rp.getByRole("textbox", { name: "Message" }).press("Enter");

    const pp = patient!.page;
    await pp.goto(`${base()}/conversations`);
    await pp.getByRole("link", { name: /^Group: / }).click();
    await bubble(pp, "Hello everyone.").waitFor();
    expect(
      await pp.locator(".msg", { hasText: "Hello everyone." }).locator(".msg__sender").textContent(),
    ).toBe("River");
    await shot(pp, "chat-group-phone-light");
    // Both patients have seen the therapist's message, but Sky keeps read receipts private (see
    // settings above): a group message is read only when every member shared reading it.
    await bubble(tp, "Hello everyone.").waitFor();
    await expect.poll(() => statusOfLast(tp)).toBe("delivered");
  });
});
