import { ManualClock } from "@hearth/client/testing";
import { type CheckinPlan, type ConversationId, PushPayloadSchema } from "@hearth/protocol";
import {
  LoopbackPushService,
  type LoopbackSubscription,
  makePractice,
  type Practice,
  pushRef,
  startTestServer,
  type TestServer,
} from "@hearth/server/testing";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

const HOUR = 3_600_000;
const local = (t: number, timeZone: string) =>
  new Intl.DateTimeFormat("en-GB", {
    timeZone,
    dateStyle: "short",
    timeStyle: "short",
    hourCycle: "h23",
  }).format(t);

/**
 * Check-in plans on a real server: reminders through the durable schedule and Web Push (a loopback
 * push service whose keys the test holds), on a manual clock across daylight-saving changes; and
 * the plans' bad-input properties.
 */
describe("check-in reminders", () => {
  let ps: LoopbackPushService;
  let t: TestServer;
  let p: Practice;
  let clock: ManualClock;
  let cid: ConversationId;
  let sub: LoopbackSubscription;

  beforeAll(async () => {
    ps = await LoopbackPushService.start();
  });
  afterAll(async () => {
    await ps.stop();
  });
  beforeEach(async () => {
    // Friday 2026-03-06, noon in New York; clocks there spring forward on Sunday the 8th.
    clock = new ManualClock(Date.parse("2026-03-06T17:00:00.000Z"));
    // Sessions outlive the months the clock is moved by.
    t = await startTestServer({ clock, push: { origins: [ps.origin] }, sessionIdleMs: 400 * 24 * HOUR });
    p = await makePractice(t, 1);
    cid = p.patients[0]!.conversationId as ConversationId;
    sub = ps.subscribe();
    const r = await t.call("PUT", "/v1/push/subscription", {
      token: p.patients[0]!.token,
      body: { endpoint: sub.endpoint, keys: sub.keys },
    });
    expect(r.status).toBe(200);
  });
  afterEach(async () => {
    await t.stop();
  });

  const assign = async (schedule: object) => {
    const r = await t.call<CheckinPlan>("POST", `/v1/conversations/${cid}/checkin-plans`, {
      token: p.therapist.token,
      body: { patientId: p.patients[0]!.userId, schedule },
    });
    expect(r.status).toBe(200);
    return r.body;
  };
  /** Moves the clock hour by hour, running due jobs, and returns when each reminder arrived. */
  const runHours = async (hours: number) => {
    const at: number[] = [];
    for (let h = 0; h < hours; h++) {
      clock.advance(HOUR);
      const before = ps.pushesTo(sub).length;
      await t.server.scheduler.runDue();
      await t.server.pushIdle();
      for (let i = before; i < ps.pushesTo(sub).length; i++) at.push(clock.now());
    }
    return at;
  };

  it("reminds at 20:00 New York time every evening across spring-forward, content-free, once each", async () => {
    const plan = await assign({ timeZone: "America/New_York", time: "20:00" });
    expect(plan.nextAt).toBe("2026-03-07T01:00:00.000Z");
    const at = await runHours(4 * 24);
    // One reminder an evening (Fri, Sat, Sun after the change, Mon), each at 20:00 local (the clock
    // moves by whole hours from noon, so a reminder arrives in the pass at its due instant).
    expect(at).toHaveLength(4);
    for (const a of at) expect(local(a, "America/New_York")).toMatch(/ 20:00$/);
    expect(at[2]! - at[1]!).toBe(23 * HOUR);
    for (const push of ps.pushesTo(sub)) {
      const payload = PushPayloadSchema.parse(JSON.parse(push.plaintext));
      const stored = await t.server.storage.push.getSubscription(p.patients[0]!.deviceId);
      expect(payload).toEqual({ v: 1, kind: "checkin", ref: pushRef(stored!.aliasKey, cid) });
    }
    expect(ps.failures).toEqual([]);
  });

  it("keeps 20:00 Berlin time across fall-back and stops once the plan is deleted", async () => {
    clock.advance(Date.parse("2026-10-23T10:00:00.000Z") - clock.now());
    const plan = await assign({ timeZone: "Europe/Berlin", time: "20:00" });
    const at = await runHours(3 * 24);
    expect(at.map((a) => local(a, "Europe/Berlin").slice(-5))).toEqual(["20:00", "20:00", "20:00"]);
    expect(at[2]! - at[1]!).toBe(25 * HOUR);
    const del = await t.call("DELETE", `/v1/checkin-plans/${plan.id}`, { token: p.therapist.token });
    expect(del.status).toBe(204);
    expect(await runHours(3 * 24)).toEqual([]);
    expect((await t.server.scheduler.stats()).pending["checkin.remind"] ?? 0).toBe(0);
  });

  // The two changes the tests above do not cross: New York falls back on 1 November 2026, Berlin
  // springs forward on 29 March 2026. Each run starts at noon local on the Thursday before.
  it.each([
    ["America/New_York", "2026-10-29T16:00:00.000Z", 25],
    ["Europe/Berlin", "2026-03-26T11:00:00.000Z", 23],
  ])("keeps 20:00 %s time across its other change (from %s)", async (timeZone, from, sundayGap) => {
    clock.advance(Date.parse(from) - clock.now());
    await assign({ timeZone, time: "20:00" });
    const at = await runHours(4 * 24);
    // Thursday, Friday, Saturday and Sunday (after the change): once each, at 20:00 local.
    expect(at.map((a) => local(a, timeZone).slice(-5))).toEqual(["20:00", "20:00", "20:00", "20:00"]);
    expect(at[3]! - at[2]!).toBe(sundayGap * HOUR);
    expect(at[2]! - at[1]!).toBe(24 * HOUR);
  });

  it("leaves the reminder out in the patient's quiet hours; the next evening's comes", async () => {
    await assign({ timeZone: "Europe/Berlin", time: "20:00" });
    // Quiet from 19:00 to 07:00 Berlin time: the first evening's reminder is left out.
    const quiet = { start: "19:00", end: "07:00", timeZone: "Europe/Berlin" };
    const settings = { email: null, emailDelayMinutes: 30, emailDigest: false, quietHours: quiet };
    const put = await t.call("PUT", "/v1/me/notifications", { token: p.patients[0]!.token, body: settings });
    expect(put.status).toBe(200);
    expect(await runHours(24)).toEqual([]);
    // Quiet hours off again: the next evening's reminder arrives at 20:00.
    const off = await t.call("PUT", "/v1/me/notifications", {
      token: p.patients[0]!.token,
      body: { ...settings, quietHours: null },
    });
    expect(off.status).toBe(200);
    const at = await runHours(24);
    expect(at.map((a) => local(a, "Europe/Berlin").slice(-5))).toEqual(["20:00"]);
  });

  it("reminds only on the chosen weekdays", async () => {
    await assign({ timeZone: "Europe/Berlin", time: "09:00", days: [1] });
    const at = await runHours(8 * 24);
    expect(at).toHaveLength(1);
    expect(new Date(at[0]!).getUTCDay()).toBe(1);
  });
});

describe("check-in plans: bad input changes nothing", () => {
  let t: TestServer;
  let p: Practice;
  let cid: string;

  beforeAll(async () => {
    t = await startTestServer();
    p = await makePractice(t, 1);
    cid = p.patients[0]!.conversationId!;
  });
  afterAll(async () => {
    await t.stop();
  });

  it("refuses any malformed body with bad_request and stores no plan (property)", async () => {
    const schedule = fc.oneof(
      fc.anything(),
      fc.record(
        { timeZone: fc.string(), time: fc.string(), days: fc.array(fc.integer()) },
        { requiredKeys: [] },
      ),
      fc.record({
        timeZone: fc.constantFrom("UTC", "Nowhere/City"),
        time: fc.constantFrom("25:00", "7:00", "", "20:60"),
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.anything(),
          fc.record({ patientId: fc.oneof(fc.string(), fc.constant(p.patients[0]!.userId)), schedule }),
        ),
        async (body) => {
          const r = await t.call<{ code: string }>("POST", `/v1/conversations/${cid}/checkin-plans`, {
            token: p.therapist.token,
            body,
          });
          expect([400, 404]).toContain(r.status);
          expect(["bad_request", "malformed_json", "not_found"]).toContain(r.body.code);
        },
      ),
      { numRuns: 60 },
    );
    expect(await t.server.storage.checkins.listPlansForConversation(cid as ConversationId)).toEqual([]);
  });

  it("answers a malformed plan id as not_found", async () => {
    for (const id of ["x", "pln_short", "usr_AAAAAAAAAAAAAAAAAAAAAA", "pln_AAAAAAAAAAAAAAAAAAAAAA"]) {
      const r = await t.call("DELETE", `/v1/checkin-plans/${id}`, { token: p.therapist.token });
      expect(r).toMatchObject({ status: 404, body: { code: "not_found" } });
    }
  });
});
