import { startTestServer, type TestServer } from "@hearth/server/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { buildWebApp, describeWithBrowser, launchBrowser, type WebBuild } from "../support/browser.ts";
import { attr, lookAtCall, num, watchSync } from "../support/call-page.ts";
import { Coturn, hasTurnserver } from "../support/coturn.ts";
import {
  bubble,
  makeWebPractice,
  openPerson,
  PASSWORD,
  type Person,
  savedToken,
  saveRecoveryKey,
  type WebPractice,
} from "../support/web-practice.ts";
import { expectNoWebrtcSecretsStored, RECORD_WEBRTC } from "../support/webrtc-record.ts";

if (process.env.HEARTH_REQUIRE_SERVICES === "1" && !hasTurnserver())
  throw new Error("turnserver (coturn) is required: .ci/run installs it");

/** The next stats reading of a page shows more bytes from its slowest link than `from`. */
async function slowestLinkGrows(page: Page): Promise<void> {
  const from = await num(page, "data-min-inbound-bytes");
  await expect.poll(() => num(page, "data-min-inbound-bytes"), { timeout: 20_000 }).toBeGreaterThan(from);
}

/**
 * A group call of three in real Chromium (fake microphones), a full mesh: each browser holds one
 * peer connection to each of the two others, every one relayed by a real coturn on loopback with
 * credentials our server issued, signaling end-to-end encrypted in the group's MLS.
 */
describeWithBrowser("group calls (Chromium, coturn, a mesh of three)", () => {
  let web: WebBuild | undefined;
  let turn: Coturn | undefined;
  let t: TestServer | undefined;
  let browser: Browser | undefined;
  let practice: WebPractice | undefined;
  let river: Person | undefined;
  const synced: (() => boolean)[] = [];

  beforeAll(async () => {
    turn = await Coturn.start();
    web = await buildWebApp();
    t = await startTestServer({
      webDistDir: web.distDir,
      turn: { urls: [turn.url], secret: turn.secret, ttlSeconds: 600 },
    });
    browser = await launchBrowser();
    practice = await makeWebPractice(browser, t);
    const tp = practice.therapist.page;
    // Relay only for everyone (on by default for patients; the therapist turns it on).
    const r = await t.call("PUT", "/v1/calls/settings", {
      token: await savedToken(tp),
      body: { relayOnly: true },
    });
    expect(r.status).toBe(200);
    // A second patient, River, joins from the therapist's invite.
    await tp.goto(`${t.url}/conversations`);
    await tp.getByRole("button", { name: "Make an invite link" }).click();
    const link = await tp.getByRole("textbox", { name: "Invite link" }).inputValue();
    river = await openPerson(browser);
    await river.page.goto(link);
    await river.page.getByLabel("Name to show").fill("River");
    await river.page.getByLabel("Password").fill(PASSWORD);
    await river.page.getByRole("button", { name: "Join" }).click();
    await saveRecoveryKey(river.page);
    await river.page.getByRole("heading", { level: 1, name: "Dr Rowan" }).waitFor();
    // The therapist starts a group with both; a first message shows everyone joined its MLS group.
    await tp.getByRole("link", { name: /River/ }).waitFor();
    await tp.getByText("Start a group").click();
    await tp.getByLabel("Sky").check();
    await tp.getByLabel("River").check();
    await tp.getByRole("button", { name: "Create group" }).click();
    await tp.getByRole("heading", { level: 1, name: /^(Sky, River|River, Sky)$/ }).waitFor();
    await tp.getByRole("textbox", { name: "Message" }).fill("Welcome to the group.");
    await tp.getByRole("textbox", { name: "Message" }).press("Enter");
    for (const person of [practice.patient, river]) {
      await person.ctx.addInitScript(RECORD_WEBRTC);
      synced.push(await watchSync(person.page));
      await person.page.goto(`${t.url}/conversations`);
      await person.page.getByRole("link", { name: /^Group: / }).click();
      await bubble(person.page, "Welcome to the group.").waitFor();
    }
    await practice.therapist.ctx.addInitScript(RECORD_WEBRTC);
    synced.push(await watchSync(tp));
    await tp.reload();
    await tp.getByRole("heading", { level: 1, name: /^(Sky, River|River, Sky)$/ }).waitFor();
  }, 300_000);

  afterAll(async () => {
    await river?.ctx.close().catch(() => {});
    await practice?.therapist.ctx.close().catch(() => {});
    await practice?.patient.ctx.close().catch(() => {});
    await browser?.close();
    await t?.stop();
    await turn?.stop();
    web?.remove();
  });

  it("three connect all pairs through the relay, each receiving from both others; one leaving keeps the other two", async () => {
    const therapist = practice!.therapist.page;
    const sky = practice!.patient.page;
    const riv = river!.page;
    const all = [therapist, sky, riv];

    // Rings are live only: all three devices connected first.
    await expect.poll(() => synced.every((s) => s()), { timeout: 30_000 }).toBe(true);
    await therapist.getByRole("button", { name: "Voice call", exact: true }).click();
    for (const p of [sky, riv]) {
      await p.getByTestId("incoming-call").waitFor();
      await p.getByTestId("incoming-call").getByRole("button", { name: "Accept" }).click();
    }
    // Every browser: two peer connections up (DTLS fingerprints checked against what MLS carried),
    // both through TURN, and bytes arriving on the slower of the two.
    for (const p of all) {
      await expect.poll(() => attr(p, "data-phase"), { timeout: 60_000 }).toBe("connected");
      await expect.poll(() => num(p, "data-connected-links"), { timeout: 60_000 }).toBe(2);
      await expect.poll(() => attr(p, "data-candidate-type"), { timeout: 20_000 }).toBe("relay");
      await slowestLinkGrows(p);
    }
    expect(await therapist.getByTestId("call-status").textContent()).toMatch(
      /^Connected with (Sky, River|River, Sky)\.$/,
    );
    expect(await therapist.getByRole("list", { name: "Participants" }).getByRole("listitem").count()).toBe(2);
    await lookAtCall(therapist, "group-connected-therapist");
    await lookAtCall(riv, "group-connected-patient");

    // Sky leaves: the therapist and River stay connected with each other, media still flowing.
    await sky.getByRole("button", { name: "Leave call" }).click();
    await expect.poll(() => attr(sky, "data-phase")).toBe("ended");
    expect(await attr(sky, "data-peer")).toBe("closed");
    expect(await num(sky, "data-local-tracks")).toBe(0);
    for (const p of [therapist, riv]) {
      await expect.poll(() => num(p, "data-connected-links"), { timeout: 20_000 }).toBe(1);
      expect(await attr(p, "data-phase")).toBe("connected");
      await slowestLinkGrows(p);
    }

    // The therapist leaves last but one: River's call ends as the other side leaving.
    await therapist.getByRole("button", { name: "Leave call" }).click();
    await expect.poll(() => attr(riv, "data-phase"), { timeout: 20_000 }).toBe("ended");
    expect(await attr(riv, "data-reason")).toBe("remote_hangup");
    for (const p of [therapist, riv]) expect(await attr(p, "data-peer")).toBe("closed");

    // The caller's device leaves the call's trace in the group's history, end-to-end encrypted.
    for (const p of [sky, riv]) {
      await p.getByRole("button", { name: "Close" }).click();
      await p.getByTestId("call-panel").waitFor({ state: "detached" });
    }
    for (const p of all) await p.locator(".msg__text", { hasText: /^Voice call · / }).waitFor();
    // Canary: none of the three browsers' SDP, fingerprints or candidates reached the server, nor the trace.
    await expectNoWebrtcSecretsStored(t!, all, ['"outcome":', "Voice call · "]);
  }, 300_000);
});
