import { ManualClock } from "@hearth/client/testing";
import { newId } from "@hearth/protocol";
import {
  LoopbackPushService,
  makePractice,
  RawSocket,
  startTestServer,
  type TestServer,
} from "@hearth/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Quiet hours hold pushes too: a push that falls in them waits in the durable schedule (one per
 * device and conversation) and goes out when they end, in the user's zone, across a DST change.
 */
describe("web push and quiet hours", () => {
  let ps: LoopbackPushService;
  let t: TestServer;

  beforeAll(async () => {
    ps = await LoopbackPushService.start();
  });
  afterAll(async () => {
    await t?.stop();
    await ps.stop();
  });

  it("sends no push in quiet hours; one goes out when they end (the night of the spring change)", async () => {
    // Saturday 2026-03-28, 23:30 in Berlin (CET); at 02:00 the clocks jump to 03:00 (CEST).
    const clock = new ManualClock(Date.UTC(2026, 2, 28, 22, 30));
    t = await startTestServer({ clock, push: { origins: [ps.origin] }, sessionIdleMs: 24 * 3_600_000 });
    const p = await makePractice(t, 1);
    const patient = p.patients[0]!;
    const sub = ps.subscribe();
    expect(
      (
        await t.call("PUT", "/v1/push/subscription", {
          token: patient.token,
          body: { endpoint: sub.endpoint, keys: sub.keys },
        })
      ).status,
    ).toBe(200);
    const quiet = { start: "22:00", end: "07:00", timeZone: "Europe/Berlin" };
    const settings = { email: null, emailDelayMinutes: 30, emailDigest: false, quietHours: quiet };
    expect(
      (await t.call("PUT", "/v1/me/notifications", { token: patient.token, body: settings })).status,
    ).toBe(200);

    const therapist = await RawSocket.hello(t.wsUrl, p.therapist.token);
    try {
      for (let i = 0; i < 3; i++) {
        const ack = await therapist.request({
          type: "send",
          id: i + 1,
          conversationId: patient.conversationId,
          messageId: newId("msg"),
          body: Buffer.from(`night ${i}`).toString("base64"),
        });
        expect(ack.type).toBe("ack");
        await t.server.pushIdle();
      }
    } finally {
      await therapist.closeAndWait();
    }
    expect(ps.pushesTo(sub)).toHaveLength(0);
    // Three messages, one waiting push for the device and conversation.
    expect((await t.server.scheduler.stats()).pending["push.retry"]).toBe(1);

    // 06:59 local (04:59 UTC, summer time now): still quiet.
    clock.advance(Date.UTC(2026, 2, 29, 4, 59) - clock.now());
    await t.server.scheduler.runDue();
    await t.server.pushIdle();
    expect(ps.pushesTo(sub)).toHaveLength(0);

    // 07:00 local is 05:00 UTC after the change (06:00 UTC had it been winter time).
    clock.advance(60_000);
    await t.server.scheduler.runDue();
    await t.server.pushIdle();
    expect(ps.pushesTo(sub)).toHaveLength(1);
    expect(ps.failures).toEqual([]);
    expect((await t.server.scheduler.stats()).pending["push.retry"]).toBeUndefined();
  });
});
