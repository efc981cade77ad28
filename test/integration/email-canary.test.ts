import { ManualClock } from "@hearth/client/testing";
import type { ConversationId } from "@hearth/protocol";
import { SmtpMailer } from "@hearth/server";
import { makePractice, type Practice, startTestServer, type TestServer } from "@hearth/server/testing";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { markerStrings } from "../support/attachments.ts";
import { converged, E2eeTestClient, until } from "../support/e2ee.ts";
import { SmtpCapture } from "../support/smtp-capture.ts";

const MIN = 60_000;

/**
 * A marker's plain, hex and base64 forms at every alignment (as the message canary scans for them);
 * a mail body may be quoted-printable or base64, so a decoded copy is scanned too (see below).
 */
const forms = (marker: string): string[] => markerStrings(marker).filter((f) => f.length >= 8);

/** Decodes what a mail might carry encoded: base64 body lines and quoted-printable soft breaks. */
function decodedViews(raw: string): string[] {
  const qp = raw
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  const b64 = raw
    .split(/\r?\n/)
    .filter((l) => /^[A-Za-z0-9+/=]{16,}$/.test(l))
    .join("");
  return [raw, qp, Buffer.from(b64, "base64").toString("utf8")];
}

describe("canary: notification emails carry nothing protected", () => {
  let smtp: SmtpCapture;
  let t: TestServer;
  let p: Practice;
  let cid: ConversationId;
  let clock: ManualClock;
  const clients: E2eeTestClient[] = [];

  beforeAll(async () => {
    smtp = await SmtpCapture.start();
  });
  afterAll(async () => {
    await smtp.close();
  });
  beforeEach(async () => {
    clock = new ManualClock(Date.now());
    t = await startTestServer({
      clock,
      mailer: new SmtpMailer({ url: smtp.url, from: "Hearth <no-reply@hearth.test>", requireTls: false }),
      scheduler: { pollMs: 24 * 60 * MIN },
    });
    p = await makePractice(t, 1);
    cid = p.patients[0]!.conversationId!;
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await t.stop();
  });

  it("no message text, name, login, practice, conversation or id appears in any email", async () => {
    const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    const markers = {
      message: `CANARY-MAIL-${run}-I could not sleep again`,
      patientName: `CANARYNAME${run}`,
      therapistName: `CANARYDR${run}`,
    };
    const pa = p.patients[0]!;
    expect(
      (
        await t.call("PATCH", "/v1/me/settings", {
          token: pa.token,
          body: { displayName: markers.patientName },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await t.call("PATCH", "/v1/me/settings", {
          token: p.therapist.token,
          body: { displayName: markers.therapistName },
        })
      ).status,
    ).toBe(200);
    await t.call("PUT", "/v1/me/notifications", {
      token: p.therapist.token,
      body: { email: "dr@hearth.test", emailDelayMinutes: 30, emailDigest: false, quietHours: null },
    });
    const th = new E2eeTestClient(t.url, p.therapist);
    const patient = new E2eeTestClient(t.url, pa);
    clients.push(th, patient);
    await th.client.crypto.setUp();
    await patient.client.crypto.setUp();
    await th.connect();
    await patient.connect();
    await until(() => converged([th, patient], cid, [p.therapist.deviceId, pa.deviceId]), "one group");
    // The therapist's devices go away: the message waits unread.
    th.close();
    await (await patient.client.send(cid, { text: markers.message })).sent;
    await t.server.notifier.drain();
    clock.advance(31 * MIN);
    await t.server.scheduler.runDue();
    clock.advance(2 * MIN);
    await t.server.scheduler.runDue();
    expect(smtp.to("dr@hearth.test")).toHaveLength(1);

    const me = await t.call<{ login: string }>("GET", "/v1/me", { token: pa.token });
    const secrets: Record<string, string> = {
      ...markers,
      runId: `${run}-`,
      patientLogin: me.body.login,
      conversation: cid,
      patientId: pa.userId,
      therapistId: p.therapist.userId,
      deviceId: pa.deviceId,
    };
    const found: string[] = [];
    for (const mail of smtp.to("dr@hearth.test")) {
      for (const view of decodedViews(mail.raw)) {
        for (const [what, secret] of Object.entries(secrets)) {
          for (const f of forms(secret)) if (view.includes(f)) found.push(`${what} as ${f}`);
        }
      }
      // What it does say: the fixed line, and nothing from the practice's set-up.
      expect(mail.headers.subject).toBe("You have a new secure message in Hearth");
    }
    expect(found).toEqual([]);

    // Control: the same scan finds a secret that is there (the recipient's own address).
    expect(decodedViews(smtp.to("dr@hearth.test")[0]!.raw).some((v) => v.includes("dr@hearth.test"))).toBe(
      true,
    );
  });
});
