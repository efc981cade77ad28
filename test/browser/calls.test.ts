import { startTestServer, type TestServer } from "@hearth/server/testing";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { buildWebApp, describeWithBrowser, launchBrowser, type WebBuild } from "../support/browser.ts";
import { attr, lookAtCall, num, panel } from "../support/call-page.ts";
import { Coturn, hasTurnserver } from "../support/coturn.ts";
import { DESKTOP, makeWebPractice, PASSWORD, savedToken, type WebPractice } from "../support/web-practice.ts";
import { expectNoWebrtcSecretsStored, RECORD_WEBRTC } from "../support/webrtc-record.ts";

if (process.env.HEARTH_REQUIRE_SERVICES === "1" && !hasTurnserver())
  throw new Error("turnserver (coturn) is required: .ci/run installs it");

/**
 * A hostile layer between the SDK and the browser's WebRTC (an extension, say): while
 * `window.__tamperFingerprints` is set, every remote description gets another DTLS fingerprint on its
 * way in (one hex digit changed), as a man in the middle would need. `window.__tampered` counts them.
 */
const TAMPER_FINGERPRINTS = () => {
  const w = window as unknown as { __tamperFingerprints?: boolean; __tampered: number };
  w.__tampered = 0;
  const proto = RTCPeerConnection.prototype;
  const setRemote = proto.setRemoteDescription as (
    this: RTCPeerConnection,
    d: RTCSessionDescriptionInit,
  ) => Promise<void>;
  proto.setRemoteDescription = function (this: RTCPeerConnection, d: RTCSessionDescriptionInit) {
    if (w.__tamperFingerprints && d?.sdp) {
      w.__tampered += 1;
      const sdp = d.sdp.replace(
        /^(a=fingerprint:\S+ )([0-9A-F])/gm,
        (_m, head: string, digit: string) => `${head}${digit === "0" ? "1" : "0"}`,
      );
      return setRemote.call(this, { type: d.type, sdp });
    }
    return setRemote.call(this, d);
  } as typeof proto.setRemoteDescription;
};

/**
 * Calls in real Chromium (fake camera and microphone) through the real server's signaling and a
 * real coturn relay on loopback: both sides relay only, so media must cross the TURN server with
 * credentials the server issued.
 */
describeWithBrowser("calls (Chromium, coturn)", () => {
  let web: WebBuild | undefined;
  let turn: Coturn | undefined;
  let t: TestServer | undefined;
  let browser: Browser | undefined;
  let practice: WebPractice | undefined;
  let patientDesk: { ctx: BrowserContext; page: Page } | undefined;

  beforeAll(async () => {
    turn = await Coturn.start();
    web = await buildWebApp();
    t = await startTestServer({
      webDistDir: web.distDir,
      turn: { urls: [turn.url], secret: turn.secret, ttlSeconds: 600 },
    });
    browser = await launchBrowser();
    practice = await makeWebPractice(browser, t);
    await practice.therapist.ctx.addInitScript(RECORD_WEBRTC);
    await practice.patient.ctx.addInitScript(RECORD_WEBRTC);
    await practice.therapist.page.reload();
    await practice.patient.page.reload();
    await practice.therapist.page.getByRole("heading", { level: 1, name: "Sky" }).waitFor();
    await practice.patient.page.getByRole("heading", { level: 1, name: "Dr Rowan" }).waitFor();
    // Relay only on both sides (on by default for the patient; the therapist turns it on).
    const therapistToken = await savedToken(practice.therapist.page);
    const r = await t.call("PUT", "/v1/calls/settings", { token: therapistToken, body: { relayOnly: true } });
    expect(r.status).toBe(200);
    // A second device of the patient (a desktop), brought in with the recovery key.
    const me = await t.call<{ login: string }>("GET", "/v1/me", {
      token: await savedToken(practice.patient.page),
    });
    const ctx = await browser.newContext({ locale: "en-GB", timezoneId: "Europe/London", viewport: DESKTOP });
    ctx.setDefaultTimeout(20_000);
    await ctx.route("https://www.bbc.com/**", (route) =>
      route.fulfill({ contentType: "text/html", body: "<title>Weather</title><h1>Weather</h1>" }),
    );
    // The desk's page can be made to rewrite fingerprints after decryption (off until a test asks).
    await ctx.addInitScript(TAMPER_FINGERPRINTS);
    const page = await ctx.newPage();
    await page.goto(`${t.url}/`);
    await page.getByLabel("Sign-in name").fill(me.body.login);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { level: 1, name: "Bring your messages to this device" }).waitFor();
    await page.getByRole("textbox", { name: "Recovery key" }).fill(practice.patientRecoveryKey);
    await page.getByRole("button", { name: "Restore" }).click();
    await page.getByRole("heading", { level: 1, name: "Conversations" }).waitFor();
    patientDesk = { ctx, page };
  }, 300_000);

  afterAll(async () => {
    await patientDesk?.ctx.close().catch(() => {});
    await practice?.therapist.ctx.close().catch(() => {});
    await practice?.patient.ctx.close().catch(() => {});
    await browser?.close();
    await t?.stop();
    await turn?.stop();
    web?.remove();
  });

  const look = (page: Page, name: string) => lookAtCall(page, name);

  it("a video call connects through the relay; the callee's other device stops ringing; mute; hang-up cleans up both", async () => {
    const { therapist, patient } = practice!;
    const caller = therapist.page;
    const phone = patient.page;
    const desk = patientDesk!.page;

    await caller.getByRole("button", { name: "Video call", exact: true }).click();
    // Every device of the patient rings.
    for (const p of [phone, desk]) await p.getByTestId("incoming-call").waitFor();
    await expect.poll(() => attr(caller, "data-phase")).toBe("outgoing");
    await look(phone, "ringing");
    // The phone answers; the desk stops ringing (answered elsewhere).
    await phone.getByTestId("incoming-call").getByRole("button", { name: "Accept" }).click();
    await desk.getByTestId("incoming-call").waitFor({ state: "detached" });

    // Both connected, through TURN (relay candidates), with media flowing both ways.
    await expect.poll(() => attr(caller, "data-phase"), { timeout: 30_000 }).toBe("connected");
    await expect.poll(() => attr(phone, "data-phase"), { timeout: 30_000 }).toBe("connected");
    for (const p of [caller, phone]) {
      await expect.poll(() => attr(p, "data-candidate-type"), { timeout: 15_000 }).toBe("relay");
      const first = await num(p, "data-inbound-bytes");
      await expect.poll(() => num(p, "data-inbound-bytes"), { timeout: 15_000 }).toBeGreaterThan(first);
    }
    expect(await caller.getByTestId("call-status").textContent()).toBe("Connected with Sky.");
    await look(caller, "connected-therapist");
    await look(phone, "connected-patient");

    // Mute: the phone's outbound audio stops (no packets at all), while video keeps arriving.
    await phone.getByRole("button", { name: "Mute" }).click();
    expect(await phone.getByRole("button", { name: "Unmute" }).getAttribute("aria-pressed")).toBe("true");
    // The phone's stats are read once a second: a new reading shows as its inbound bytes moving on.
    const nextPhoneReading = async () => {
      const from = await num(phone, "data-inbound-bytes");
      await expect.poll(() => num(phone, "data-inbound-bytes"), { timeout: 15_000 }).toBeGreaterThan(from);
    };
    // Settled: one reading to the next, no audio byte went out (packets in flight at the click are counted).
    await expect
      .poll(
        async () => {
          const before = await num(phone, "data-outbound-audio-bytes");
          await nextPhoneReading();
          return (await num(phone, "data-outbound-audio-bytes")) - before;
        },
        { timeout: 30_000 },
      )
      .toBe(0);
    const mutedAt = await num(phone, "data-outbound-audio-bytes");
    // Three more readings later (video kept flowing meanwhile), still not one audio byte more.
    for (let i = 0; i < 3; i++) await nextPhoneReading();
    expect(await num(phone, "data-outbound-audio-bytes")).toBe(mutedAt);
    // Unmuted, audio flows again.
    await phone.getByRole("button", { name: "Unmute" }).click();
    await expect
      .poll(() => num(phone, "data-outbound-audio-bytes"), { timeout: 15_000 })
      .toBeGreaterThan(mutedAt);

    // The caller leaves: both sides end, close their peer connection and stop camera and microphone.
    await caller.getByRole("button", { name: "Leave call" }).click();
    await expect.poll(() => attr(caller, "data-phase")).toBe("ended");
    await expect.poll(() => attr(phone, "data-phase")).toBe("ended");
    for (const p of [caller, phone]) {
      expect(await attr(p, "data-peer")).toBe("closed");
      expect(await num(p, "data-local-tracks")).toBe(0);
    }
    expect(await attr(phone, "data-reason")).toBe("remote_hangup");
    await look(phone, "ended");

    // The call's trace reaches the history of both sides, as an end-to-end encrypted message (the
    // phone shows the chat again once its ended call screen is closed).
    await phone.getByRole("button", { name: "Close" }).click();
    await panel(phone).waitFor({ state: "detached" });
    for (const p of [caller, phone]) await p.locator(".msg__text", { hasText: /^Video call · / }).waitFor();
    // Canary: the server's database, its WAL and its logs hold no SDP, fingerprint, ICE credential
    // or candidate of this call, in any encoding the signaling used, nor the trace's words.
    await expectNoWebrtcSecretsStored(t!, [caller, phone], ['"outcome":', "Video call · "]);
  }, 240_000);

  it("the relay going away mid-call: both sides say they are reconnecting, restart ICE when it is back, and the same call goes on", async () => {
    const caller = practice!.therapist.page;
    const phone = practice!.patient.page;
    const traces = () => caller.locator(".msg__text", { hasText: /^Voice call · / }).count();
    const tracesBefore = await traces();
    await caller.getByRole("button", { name: "Voice call", exact: true }).click();
    await phone.getByTestId("incoming-call").getByRole("button", { name: "Accept" }).click();
    for (const p of [caller, phone])
      await expect.poll(() => attr(p, "data-phase"), { timeout: 30_000 }).toBe("connected");
    const status = (p: Page) => p.getByTestId("call-status").textContent();

    // The TURN relay every packet crossed stops: no path is left (relay only on both sides).
    const port = turn!.port;
    const secret = turn!.secret;
    await turn!.stop();
    for (const p of [caller, phone])
      await expect
        .poll(() => status(p), { timeout: 60_000 })
        .toMatch(/^The connection dropped\. Reconnecting with /);
    await look(phone, "reconnecting");
    expect(await attr(caller, "data-phase")).toBe("connected");

    // The relay comes back at the same address: ICE restarts (new credentials, the same DTLS
    // certificate checked again) and media flows again, without redialling.
    turn = await Coturn.start({ port, secret });
    for (const p of [caller, phone]) {
      await expect.poll(() => status(p), { timeout: 90_000 }).toMatch(/^Connected with /);
      await expect.poll(() => attr(p, "data-candidate-type"), { timeout: 15_000 }).toBe("relay");
      const from = await num(p, "data-inbound-bytes");
      await expect.poll(() => num(p, "data-inbound-bytes"), { timeout: 15_000 }).toBeGreaterThan(from);
      expect(await attr(p, "data-phase")).toBe("connected");
    }
    expect(await caller.getByTestId("call-status").textContent()).toBe("Connected with Sky.");

    // One call from start to end: one trace in the history.
    await caller.getByRole("button", { name: "Leave call" }).click();
    await expect.poll(() => attr(phone, "data-phase"), { timeout: 20_000 }).toBe("ended");
    await phone.getByRole("button", { name: "Close" }).click();
    await panel(phone).waitFor({ state: "detached" });
    await expect.poll(traces, { timeout: 20_000 }).toBe(tracesBefore + 1);
  }, 240_000);

  it("a signaling message changed in transit (a hostile server) fails the call closed, with a clear message", async () => {
    const { therapist, patient } = practice!;
    const caller = therapist.page;
    const phone = patient.page;
    // The patient's socket now passes through a "server" that flips a byte in every signal body.
    let synced = false;
    let signals = 0;
    let readable = 0;
    await phone.routeWebSocket(/\/v1\/ws$/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((m) => server.send(m));
      server.onMessage((m) => {
        const text = typeof m === "string" ? m : m.toString("utf8");
        const f = JSON.parse(text) as { type: string; action?: string; body?: string };
        if (f.type === "synced") synced = true;
        if (f.type === "call" && f.action === "signal" && f.body) {
          const bytes = Buffer.from(f.body, "base64");
          // What a hostile server would rewrite is not there to find: the SDP, its fingerprint and
          // the candidates are inside the MLS ciphertext (so it can only break the message, not edit it).
          signals += 1;
          const seen = `${f.body}\n${bytes.toString("latin1")}`;
          if (/a=fingerprint|sha-256|a=ice-|typ (?:host|relay)|candidate:/.test(seen)) readable += 1;
          bytes[bytes.length - 20] = (bytes[bytes.length - 20] ?? 0) ^ 0x01;
          f.body = bytes.toString("base64");
          return ws.send(JSON.stringify(f));
        }
        ws.send(text);
      });
    });
    await phone.reload();
    await phone.getByRole("heading", { level: 1, name: "Dr Rowan" }).waitFor();
    // Ringing is live only: the phone must be connected (through the hook) before the call starts.
    await expect.poll(() => synced, { timeout: 20_000 }).toBe(true);
    await caller.getByRole("button", { name: "Voice call", exact: true }).click();
    await phone.getByTestId("incoming-call").getByRole("button", { name: "Accept" }).click();
    await expect.poll(() => attr(phone, "data-phase"), { timeout: 30_000 }).toBe("ended");
    expect(await attr(phone, "data-failure")).toBe("signal_unverified");
    expect(signals).toBeGreaterThan(0);
    expect(readable).toBe(0);
    expect(await phone.getByTestId("call-status").textContent()).toContain("could not be verified");
    // Never connected, on either side; the caller hears that the call ended.
    await expect.poll(() => attr(caller, "data-phase"), { timeout: 20_000 }).toBe("ended");
    expect(await attr(caller, "data-reason")).toBe("remote_hangup");
    await look(phone, "failed");
  }, 180_000);

  it("a fingerprint rewritten on its way into WebRTC (a hostile layer in the page) fails the call closed, with a clear message", async () => {
    const caller = practice!.therapist.page;
    const desk = patientDesk!.page;
    await desk.evaluate(() => {
      (window as unknown as { __tamperFingerprints: boolean }).__tamperFingerprints = true;
    });
    try {
      await caller.getByRole("button", { name: "Voice call", exact: true }).click();
      await desk.getByTestId("incoming-call").getByRole("button", { name: "Accept" }).click();
      await expect.poll(() => attr(desk, "data-phase"), { timeout: 30_000 }).toBe("ended");
      // The layer really rewrote the caller's offer; the SDK saw the change and stopped before answering.
      expect(await desk.evaluate(() => (window as unknown as { __tampered: number }).__tampered)).toBe(1);
      expect(await attr(desk, "data-failure")).toBe("fingerprint_mismatch");
      expect(await desk.getByTestId("call-status").textContent()).toContain(
        "its security keys did not match what the other device sent through the encrypted chat",
      );
      expect(await attr(desk, "data-peer")).toBe("closed");
      // The caller never connected, and hears that the call ended.
      await expect.poll(() => attr(caller, "data-phase"), { timeout: 20_000 }).toBe("ended");
      expect(await attr(caller, "data-reason")).toBe("remote_hangup");
      await look(desk, "fingerprint-mismatch");
    } finally {
      await desk.evaluate(() => {
        (window as unknown as { __tamperFingerprints: boolean }).__tamperFingerprints = false;
      });
    }
  }, 180_000);

  it("the keyboard alone answers and leaves a voice call; quick exit ends the call for the other side", async () => {
    const caller = practice!.therapist.page;
    // The patient's second device this time (the phone's socket is still behind the hostile hook).
    const phone = patientDesk!.page;
    await caller.getByRole("button", { name: "Voice call", exact: true }).click();
    await phone.getByTestId("incoming-call").waitFor();
    // Focus is on Accept: Enter answers.
    await expect.poll(() => phone.evaluate(() => document.activeElement?.textContent ?? "")).toBe("Accept");
    await phone.keyboard.press("Enter");
    await expect.poll(() => attr(phone, "data-phase"), { timeout: 30_000 }).toBe("connected");
    await expect.poll(() => attr(caller, "data-phase"), { timeout: 30_000 }).toBe("connected");
    // The state is announced in a live region.
    expect(await phone.getByTestId("call-status").getAttribute("aria-live")).toBe("polite");
    // Quick exit (one tap away, in the chat's header) leaves and ends the call.
    await phone.getByRole("button", { name: "Quick exit" }).click();
    await phone.waitForURL("https://www.bbc.com/weather");
    await expect.poll(() => attr(caller, "data-phase"), { timeout: 20_000 }).toBe("ended");
    expect(await attr(caller, "data-reason")).toBe("remote_hangup");
  }, 180_000);
});
