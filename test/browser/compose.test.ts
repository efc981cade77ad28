import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { startTestServer, type TestServer } from "@hearth/server/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { filesUnder, findMarker, readIfThere } from "../support/attachments.ts";
import {
  buildWebApp,
  describeWithBrowser,
  dropFile,
  launchBrowser,
  minimalPdf,
  seriousAxeFindings,
  type WebBuild,
} from "../support/browser.ts";
import { DESKTOP, makeWebPractice, type Person, PHONE } from "../support/web-practice.ts";

const SCREENSHOTS = resolve(import.meta.dirname, "../../test-artifacts/screenshots");
const CAPTION = "Caption canary: before Thursday's session";
const EDITED = "Edit canary: see you at four";

/**
 * Composing, in real Chromium against the real server: an attachment waits in a preview for its
 * caption and Send (nothing is uploaded before), a PDF falls back to Open/Download where the
 * browser cannot show it inline, a voice note shows its recorded length, and an edit shows
 * "Edited" on both sides. Screens checked with axe in both themes, with screenshots.
 */
describeWithBrowser("composing: attachments with captions, voice notes, edits (Chromium)", () => {
  let web: WebBuild | undefined;
  let t: TestServer | undefined;
  let browser: Browser | undefined;
  let therapist: Person | undefined;
  let patient: Person | undefined;
  /** Uploads the patient's page made (encrypted blobs). */
  let uploads = 0;

  beforeAll(async () => {
    web = await buildWebApp();
    t = await startTestServer({ webDistDir: web.distDir });
    browser = await launchBrowser();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await therapist?.ctx.close().catch(() => {});
    await patient?.ctx.close().catch(() => {});
    await browser?.close();
    await t?.stop();
    web?.remove();
  });

  const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });

  it("a therapist and a patient meet in their conversation", async () => {
    const people = await makeWebPractice(browser!, t!);
    therapist = people.therapist; // desktop
    patient = people.patient; // phone
    // This Chromium has a PDF viewer; the therapist's browser is one without (like many phones).
    await therapist.ctx.addInitScript(() =>
      Object.defineProperty(Navigator.prototype, "pdfViewerEnabled", { get: () => false }),
    );
    await therapist.page.reload();
    await therapist.page.getByRole("heading", { level: 1, name: "Sky" }).waitFor();
    patient.page.on("request", (r) => {
      if (r.method() === "POST" && /\/v1\/conversations\/[^/]+\/blobs/.test(r.url())) uploads++;
    });
    // Four sign-ups with key set-up each, on a shared machine.
  }, 180_000);

  it("an attached file waits for its caption and Send; Cancel drops it; nothing is uploaded before", async () => {
    const pp = patient!.page;
    const tp = therapist!.page;
    const png = await tp.screenshot({ clip: { x: 0, y: 0, width: 160, height: 100 } });
    const pick = () =>
      pp
        .locator("input[type=file]")
        .setInputFiles({ name: "mood-chart.png", mimeType: "image/png", buffer: png });

    await pick();
    const preview = pp.getByRole("dialog", { name: "Send mood-chart.png?" });
    await preview.waitFor();
    await expect
      .poll(() => preview.locator("img").evaluate((img: HTMLImageElement) => img.naturalWidth))
      .toBe(160);
    await preview.getByRole("button", { name: "Cancel" }).click();
    await preview.waitFor({ state: "hidden" });

    await pick();
    await preview.getByRole("textbox", { name: /Caption/ }).fill(CAPTION);
    await shot(pp, "compose-preview-image-phone-light");
    expect(await seriousAxeFindings(pp), "preview").toEqual([]);
    expect(uploads).toBe(0);
    await preview.getByRole("button", { name: "Send", exact: true }).click();

    await tp.getByRole("img", { name: `Image: ${CAPTION}` }).waitFor();
    await tp.locator(".msg__text", { hasText: CAPTION }).waitFor();
    expect(uploads).toBe(1);
    // The one that was cancelled never reached the other side.
    expect(await tp.locator(".media--image").count()).toBe(1);
  });

  it("a dropped PDF is previewed too; without a PDF viewer it offers Open and Download", async () => {
    const pp = patient!.page;
    const tp = therapist!.page;
    await dropFile(pp, ".chat", {
      name: "sleep-diary.pdf",
      type: "application/pdf",
      bytes: minimalPdf("Sleep diary, week 1"),
    });
    const preview = pp.getByRole("dialog", { name: "Send sleep-diary.pdf?" });
    await preview.locator(".file__size", { hasText: "PDF" }).waitFor();
    await preview.getByRole("button", { name: "Send", exact: true }).click();

    const card = tp.locator(".media--pdf", { hasText: "sleep-diary.pdf" });
    await card.getByText("can't show PDFs inside Hearth", { exact: false }).waitFor();
    await card.getByRole("button", { name: /^Open sleep-diary\.pdf in a new tab/ }).waitFor();
    await card.getByRole("button", { name: /^Download/ }).waitFor();
    expect(await card.locator("iframe").count()).toBe(0);
    await card.scrollIntoViewIfNeeded();
    await shot(tp, "compose-pdf-fallback-desktop-light");
    expect(await seriousAxeFindings(tp), "PDF fallback").toEqual([]);
    // The sender's browser has a viewer: View opens it inline there.
    await pp
      .locator(".media--pdf", { hasText: "sleep-diary.pdf" })
      .getByRole("button", { name: /^View/ })
      .waitFor();
  });

  it("a voice note shows its recorded length before it is played, in a player that fits", async () => {
    const pp = patient!.page;
    const tp = therapist!.page;
    await pp.getByRole("button", { name: "Record a voice note" }).click();
    await pp.getByText(/Recording 0:0[2-9]/).waitFor();
    await pp.getByRole("button", { name: "Stop and send" }).click();

    const note = tp.locator(".media--audio", { hasText: "Voice note" });
    await note.waitFor();
    // The length came inside the encrypted message: shown before anything is downloaded.
    expect(await note.locator(".file__size").textContent()).toMatch(/^Length 0:0[2-9]$/);
    expect(await note.textContent()).not.toMatch(/KB/);
    await note.getByRole("button", { name: /^Play Voice note/ }).click();
    await note.getByRole("slider", { name: "Position in the voice note" }).waitFor();
    await note.getByRole("button", { name: /^(Pause|Play) Voice note/ }).waitFor();

    // At 360 px with 200% text, the controls wrap inside the bubble; nothing scrolls sideways.
    await tp.setViewportSize({ width: 360, height: 740 });
    await tp.evaluate(() => {
      document.documentElement.style.fontSize = "200%";
    });
    // A phone-wide window shows the conversation alone, drawn anew: open the player again there.
    const seek = note.getByRole("slider", { name: "Position in the voice note" });
    if ((await seek.count()) === 0) await note.getByRole("button", { name: /^Play Voice note/ }).click();
    await seek.waitFor();
    const fits = await note.evaluate((el) => {
      const bubble = el.closest(".msg__bubble")?.getBoundingClientRect();
      const button = el.querySelector(".player__play")?.getBoundingClientRect();
      const slider = el.querySelector(".player__seek")?.getBoundingClientRect();
      return {
        bubbleRight: bubble?.right,
        buttonRight: button?.right,
        sliderRight: slider?.right,
        inside:
          !!bubble &&
          !!button &&
          button.right <= bubble.right + 0.5 &&
          (slider?.right ?? 0) <= bubble.right + 0.5,
        sliderWidth: slider?.width ?? 0,
        overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      };
    });
    await note.scrollIntoViewIfNeeded();
    await shot(tp, "compose-voice-360-zoom-light");
    // The Play button and the slider end inside the bubble (they ended ~26 px past its edge while
    // the bubble shrank to its minimum), and the page does not scroll sideways.
    process.stdout.write(`voice note at 360 px, 200% text: ${JSON.stringify(fits)}\n`);
    expect(fits.inside).toBe(true);
    expect(fits.sliderWidth).toBeGreaterThan(40);
    expect(fits.overflow).toBeLessThanOrEqual(0);
    await tp.evaluate(() => {
      document.documentElement.style.fontSize = "";
    });
    await tp.setViewportSize(DESKTOP);
  });

  it("an edit shows the new text marked Edited on both sides; only the author can edit", async () => {
    const pp = patient!.page;
    const tp = therapist!.page;
    const composer = pp.getByRole("textbox", { name: "Message" });
    await composer.fill("See you at three");
    await composer.press("Enter");
    await tp.locator(".msg__text", { hasText: "See you at three" }).waitFor();

    const mine = pp.locator(".msg--own", { hasText: "See you at three" });
    await mine.getByRole("button", { name: /^More actions/ }).click();
    await pp.getByRole("menuitem", { name: "Edit" }).click();
    const editor = mine.getByRole("textbox", { name: "Your message" });
    await editor.fill(EDITED);
    await shot(pp, "compose-editing-phone-light");
    expect(await seriousAxeFindings(pp), "editing").toEqual([]);
    await editor.press("Enter");

    await pp.locator(".msg--own", { hasText: EDITED }).getByText("Edited", { exact: true }).waitFor();
    const theirs = tp.locator(".msg--other", { hasText: EDITED });
    await theirs.getByText("Edited", { exact: true }).waitFor();
    expect(await tp.locator(".msg__text", { hasText: "See you at three" }).count()).toBe(0);
    // The therapist cannot edit the patient's message.
    await theirs.getByRole("button", { name: /^More actions/ }).click();
    expect(await tp.getByRole("menuitem", { name: "Edit" }).count()).toBe(0);
    await tp.keyboard.press("Escape");
    // After a reload the edit is still applied (from the device's store).
    await tp.reload();
    await tp.locator(".msg--other", { hasText: EDITED }).getByText("Edited", { exact: true }).waitFor();
  });

  for (const colorScheme of ["light", "dark"] as const) {
    it(`the preview, the editor and the media are accessible in the ${colorScheme} theme`, async () => {
      const pp = patient!.page;
      await pp.emulateMedia({ colorScheme });
      for (const [label, size] of [
        ["desktop", DESKTOP],
        ["phone", PHONE],
      ] as const) {
        await pp.setViewportSize(size);
        await shot(pp, `compose-chat-${label}-${colorScheme}`);
        expect(await seriousAxeFindings(pp), `chat ${label} ${colorScheme}`).toEqual([]);
        await pp.locator("input[type=file]").setInputFiles({
          name: "notes.txt",
          mimeType: "text/plain",
          buffer: Buffer.from("notes"),
        });
        const preview = pp.getByRole("dialog", { name: "Send notes.txt?" });
        await preview.waitFor();
        await shot(pp, `compose-preview-${label}-${colorScheme}`);
        expect(await seriousAxeFindings(pp), `preview ${label} ${colorScheme}`).toEqual([]);
        await preview.getByRole("button", { name: "Cancel" }).click();
        await preview.waitFor({ state: "hidden" });
      }
      await pp.setViewportSize(PHONE);
      await pp.emulateMedia({ colorScheme: "light" });
    });
  }

  it("the server holds no caption and no edited text (database, WAL, logs)", async () => {
    const stored = Buffer.concat(filesUnder(t!.dataDir).map(readIfThere));
    for (const secret of [CAPTION, EDITED, "mood-chart", "sleep-diary"]) {
      expect(findMarker(stored, secret), secret).toEqual([]);
    }
  });
});
