import { ManualClock } from "@hearth/client/testing";
import { newId } from "@hearth/protocol";
import { SmtpMailer } from "@hearth/server";
import {
  makePractice,
  type Practice,
  RawSocket,
  startTestServer,
  type TestServer,
} from "@hearth/server/testing";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SmtpCapture } from "../support/smtp-capture.ts";

const MIN = 60_000;
const b64 = (s: string) => Buffer.from(s).toString("base64");
const SUBJECT = "You have a new secure message in Hearth";

/**
 * The email fallback end to end: a real server on a manual clock, real sockets sending messages, and
 * a real SMTP server receiving what goes out.
 */
describe("email fallback", () => {
  let smtp: SmtpCapture;
  let t: TestServer;
  let p: Practice;
  let clock: ManualClock;
  let nextId = 1;

  beforeAll(async () => {
    smtp = await SmtpCapture.start();
  });
  afterAll(async () => {
    await smtp.close();
  });

  async function start(at: number) {
    clock = new ManualClock(at);
    t = await startTestServer({
      clock,
      mailer: new SmtpMailer({ url: smtp.url, from: "Hearth <no-reply@hearth.test>", requireTls: false }),
      // The loop's own timers are the manual clock's; the tests run passes themselves.
      scheduler: { pollMs: 24 * 60 * MIN },
    });
    p = await makePractice(t, 2);
    smtp.mails.length = 0;
  }
  afterEach(async () => {
    await t.stop();
  });

  const settings = (token: string, body: Record<string, unknown>) =>
    t.call("PUT", "/v1/me/notifications", {
      token,
      body: { email: null, emailDelayMinutes: 30, emailDigest: false, quietHours: null, ...body },
    });

  /** Sends one (opaque) message from `token` into `conversationId` and waits for the hooks. */
  async function send(token: string, conversationId: string) {
    const s = await RawSocket.hello(t.wsUrl, token);
    const ack = await s.request({
      type: "send",
      id: nextId++,
      conversationId,
      messageId: newId("msg"),
      body: b64("opaque ciphertext"),
    });
    expect(ack.type).toBe("ack");
    await s.closeAndWait();
    await t.server.notifier.drain();
  }

  /** Moves the clock and runs what fell due. */
  async function elapse(ms: number) {
    clock.advance(ms);
    await t.server.scheduler.runDue();
  }

  describe("on an ordinary day", () => {
    beforeEach(async () => {
      await start(Date.UTC(2026, 5, 10, 12, 0));
    });

    it("waits for the delay, batches conversations into one email, and says nothing about them", async () => {
      expect((await settings(p.therapist.token, { email: "dr@hearth.test" })).status).toBe(200);
      await send(p.patients[0]!.token, p.patients[0]!.conversationId!);
      await send(p.patients[1]!.token, p.patients[1]!.conversationId!);
      await elapse(29 * MIN);
      expect(smtp.mails).toHaveLength(0);
      await elapse(1 * MIN);
      // Both conversations are due; they wait a moment for each other, then go out as one email.
      expect(smtp.mails).toHaveLength(0);
      await elapse(1 * MIN);
      expect(smtp.mails).toHaveLength(1);
      const [mail] = smtp.mails;
      expect(mail!.to).toEqual(["dr@hearth.test"]);
      expect(mail!.headers.subject).toBe(SUBJECT);
      // The server's public URL (the test server keeps the default), then the one-click path.
      expect(mail!.headers["list-unsubscribe"]).toMatch(
        /^<https?:\/\/[^/]+\/v1\/unsubscribe\/[A-Za-z0-9_-]{43}>$/,
      );
      expect(mail!.headers["list-unsubscribe-post"]).toBe("List-Unsubscribe=One-Click");
      // No sender, no name, no conversation, no id.
      for (const secret of [
        p.patients[0]!.userId,
        p.patients[0]!.conversationId!,
        p.patients[1]!.conversationId!,
        p.therapist.userId,
        "Routes Practice",
      ]) {
        expect(mail!.raw).not.toContain(secret);
      }
      await elapse(24 * 60 * MIN);
      expect(smtp.mails).toHaveLength(1);
    });

    it("sends at most one email per conversation per hour", async () => {
      const pa = p.patients[0]!;
      await settings(pa.token, { email: "pat@hearth.test", emailDelayMinutes: 5 });
      await send(p.therapist.token, pa.conversationId!);
      await elapse(5 * MIN);
      await elapse(1 * MIN);
      expect(smtp.to("pat@hearth.test")).toHaveLength(1);
      await send(p.therapist.token, pa.conversationId!);
      await elapse(5 * MIN);
      await elapse(1 * MIN);
      await elapse(40 * MIN);
      expect(smtp.to("pat@hearth.test")).toHaveLength(1);
      await elapse(9 * MIN);
      expect(smtp.to("pat@hearth.test")).toHaveLength(1);
      // An hour after the first email (sent at minute 6), the second may go, after the batching moment.
      await elapse(5 * MIN);
      await elapse(1 * MIN);
      expect(smtp.to("pat@hearth.test")).toHaveLength(2);
    });

    it("sends nothing when the message was read on any device in time", async () => {
      const pa = p.patients[0]!;
      const cid = pa.conversationId!;
      await settings(pa.token, { email: "pat@hearth.test" });
      await send(p.therapist.token, cid);
      const reader = await RawSocket.hello(t.wsUrl, pa.token);
      const entry = await reader.next((f) => f.type === "message");
      const seq = (entry as { entry: { seq: number } }).entry.seq;
      reader.send({ type: "receipt", conversationId: cid, kind: "read", seq, private: true });
      await expect
        .poll(async () => (await t.server.storage.notify.unreadState(pa.userId, cid))?.oldestUnreadAt)
        .toBeNull();
      await reader.closeAndWait();
      await t.server.notifier.drain();
      await elapse(31 * MIN);
      await elapse(1 * MIN);
      expect(smtp.mails).toHaveLength(0);
    });

    it("unsubscribes in one click (POST, no sign-in); a GET only asks", async () => {
      const pa = p.patients[0]!;
      await settings(pa.token, { email: "pat@hearth.test", emailDelayMinutes: 5 });
      await send(p.therapist.token, pa.conversationId!);
      await elapse(6 * MIN);
      await elapse(1 * MIN);
      const header = smtp.to("pat@hearth.test")[0]!.headers["list-unsubscribe"]!;
      // The test server's public URL is the default; the path is what matters.
      const link = t.url + /^<https?:\/\/[^/]+(\/.+)>$/.exec(header)![1]!;
      // A link scanner's GET changes nothing.
      const page = await fetch(link);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('method="post"');
      expect(
        (await t.call<{ email: string | null }>("GET", "/v1/me/notifications", { token: pa.token })).body
          .email,
      ).toBe("pat@hearth.test");
      // RFC 8058: a form POST with List-Unsubscribe=One-Click.
      const click = await fetch(link, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "List-Unsubscribe=One-Click",
      });
      expect(click.status).toBe(204);
      expect(
        (await t.call<{ email: string | null }>("GET", "/v1/me/notifications", { token: pa.token })).body
          .email,
      ).toBeNull();
      await send(p.therapist.token, pa.conversationId!);
      await elapse(2 * 60 * MIN);
      await elapse(2 * 60 * MIN);
      expect(smtp.mails).toHaveLength(1);
      // A made-up token is not found.
      const bogus = await fetch(`${t.url}/v1/unsubscribe/${"x".repeat(43)}`, { method: "POST" });
      expect(bogus.status).toBe(404);
    });

    it("lets staff choose a daily digest, and refuses it to patients", async () => {
      const refused = await settings(p.patients[0]!.token, { email: "pat@hearth.test", emailDigest: true });
      expect(refused).toMatchObject({ status: 403, body: { code: "forbidden" } });
      await settings(p.therapist.token, {
        email: "dr@hearth.test",
        emailDigest: true,
        quietHours: { start: "22:00", end: "07:00", timeZone: "UTC" },
      });
      await send(p.patients[0]!.token, p.patients[0]!.conversationId!);
      await elapse(31 * MIN);
      await elapse(60 * MIN);
      // 12:00 plus an hour and a half: the digest goes at 08:00 the next morning, not now.
      expect(smtp.mails).toHaveLength(0);
      await send(p.patients[1]!.token, p.patients[1]!.conversationId!);
      await elapse(31 * MIN);
      await elapse(17 * 60 * MIN);
      expect(smtp.mails).toHaveLength(0);
      await elapse(60 * MIN);
      expect(smtp.to("dr@hearth.test")).toHaveLength(1);
    });
  });

  describe("quiet hours across the spring-forward night in New York (8 March 2026)", () => {
    beforeEach(async () => {
      // 21:45 EST on 7 March.
      await start(Date.parse("2026-03-08T02:45:00Z"));
    });

    it("holds the email until 07:00 EDT, an hour earlier in UTC than the evening's offset", async () => {
      const pa = p.patients[0]!;
      await settings(pa.token, {
        email: "pat@hearth.test",
        quietHours: { start: "22:00", end: "07:00", timeZone: "America/New_York" },
      });
      await send(p.therapist.token, pa.conversationId!);
      await elapse(31 * MIN);
      await elapse(1 * MIN);
      expect(smtp.mails).toHaveLength(0);
      // 06:59 EDT (10:59 UTC): still quiet.
      await elapse(Date.parse("2026-03-08T10:59:00Z") - clock.now());
      expect(smtp.mails).toHaveLength(0);
      await elapse(Date.parse("2026-03-08T11:00:00Z") - clock.now());
      expect(smtp.to("pat@hearth.test")).toHaveLength(1);
    });
  });
});
