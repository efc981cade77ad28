import { ManualClock } from "@hearth/client/testing";
import { ReminderPushPayloadSchema } from "@hearth/protocol";
import { LoopbackPushService, makePractice, startTestServer, type TestServer } from "@hearth/server/testing";
import { afterEach, describe, expect, it } from "vitest";

const MIN = 60_000;
const HOUR = 60 * MIN;

/**
 * Reminders by Web Push, to a push service on loopback (each push decrypted with the subscription's
 * keys): content-free by default, the time only on opt-in, never a name or an id; quiet hours hold a
 * reminder back until they end.
 */
describe("appointment reminders by Web Push", () => {
  let t: TestServer | undefined;
  let ps: LoopbackPushService | undefined;
  afterEach(async () => {
    await t?.stop();
    await ps?.stop();
  });

  async function setUp(clock: ManualClock) {
    ps = await LoopbackPushService.start();
    t = await startTestServer({ clock, push: { origins: [ps.origin] }, scheduler: { pollMs: 24 * HOUR } });
    const p = await makePractice(t, 1);
    const sub = ps.subscribe();
    const r = await t.call("PUT", "/v1/push/subscription", {
      token: p.patients[0]!.token,
      body: { endpoint: sub.endpoint, keys: sub.keys },
    });
    expect(r.status).toBe(200);
    return { p, sub };
  }

  const settings = (t: TestServer, token: string, over: Record<string, unknown>) =>
    t.call("PUT", "/v1/me/appointment-settings", {
      token,
      body: { reminderMinutes: [60], push: true, email: false, showTime: false, feedNames: false, ...over },
    });

  const moveTo = async (clock: ManualClock, at: number) => {
    clock.advance(at - clock.now());
    await t!.server.scheduler.runDue();
  };

  it("says only 'reminder' by default, and the time when the person asks for it", async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1, 9, 0));
    const { p, sub } = await setUp(clock);
    const patient = p.patients[0]!;
    expect((await settings(t!, patient.token, {})).status).toBe(200);
    const r = await t!.call<{ upcoming: string[] }>(
      "POST",
      `/v1/conversations/${patient.conversationId}/appointments`,
      {
        token: p.therapist.token,
        body: {
          start: "2026-06-10T15:00",
          timeZone: "Europe/Berlin",
          durationMinutes: 50,
          recurrence: "FREQ=DAILY;COUNT=2",
        },
      },
    );
    expect(r.status).toBe(200);
    const [first, second] = r.body.upcoming.map(Date.parse) as [number, number];
    await moveTo(clock, first - HOUR);
    expect(ps!.pushesTo(sub)).toHaveLength(1);
    const plain = ReminderPushPayloadSchema.parse(JSON.parse(ps!.pushesTo(sub)[0]!.plaintext));
    expect(plain).toEqual({ v: 1, kind: "reminder" });

    expect((await settings(t!, patient.token, { showTime: true })).status).toBe(200);
    await moveTo(clock, second - HOUR);
    expect(ps!.pushesTo(sub)).toHaveLength(2);
    const push = ps!.pushesTo(sub)[1]!;
    expect(ReminderPushPayloadSchema.parse(JSON.parse(push.plaintext))).toEqual({
      v: 1,
      kind: "reminder",
      at: new Date(second).toISOString(),
    });
    for (const secret of [patient.conversationId!, p.therapist.userId, patient.userId, "Rowan", "Robin"]) {
      expect(push.plaintext).not.toContain(secret);
      expect(JSON.stringify(push.headers)).not.toContain(secret);
    }
  });

  it("holds a reminder in quiet hours until they end, then sends each once", async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1, 9, 0));
    const { p, sub } = await setUp(clock);
    const patient = p.patients[0]!;
    // Quiet 22:00–07:00 in Berlin; reminders 10 h and 1 h before an 08:00 session (Berlin, 06:00 UTC).
    await t!.call("PUT", "/v1/me/notifications", {
      token: patient.token,
      body: {
        email: null,
        emailDelayMinutes: 30,
        emailDigest: false,
        quietHours: { start: "22:00", end: "07:00", timeZone: "Europe/Berlin" },
      },
    });
    expect((await settings(t!, patient.token, { reminderMinutes: [600, 60] })).status).toBe(200);
    await t!.call("POST", `/v1/conversations/${patient.conversationId}/appointments`, {
      token: p.therapist.token,
      body: { start: "2026-06-10T08:00", timeZone: "Europe/Berlin", durationMinutes: 50 },
    });
    const session = Date.UTC(2026, 5, 10, 6, 0);
    // 10 h before is 22:00 Berlin: quiet. Nothing until 07:00 Berlin (05:00 UTC).
    await moveTo(clock, session - 10 * HOUR);
    expect(ps!.pushesTo(sub)).toHaveLength(0);
    await moveTo(clock, Date.UTC(2026, 5, 10, 5, 0) - MIN);
    expect(ps!.pushesTo(sub)).toHaveLength(0);
    // 07:00: the held reminder and the 1 h one (also due at 07:00) each go out once.
    await moveTo(clock, Date.UTC(2026, 5, 10, 5, 0));
    await moveTo(clock, Date.UTC(2026, 5, 10, 5, 0) + 2 * MIN);
    expect(ps!.pushesTo(sub)).toHaveLength(2);
    await moveTo(clock, session + HOUR);
    expect(ps!.pushesTo(sub)).toHaveLength(2);
  });
});
