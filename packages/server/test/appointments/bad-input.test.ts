import { type Appointment, ERROR_CODES } from "@hearth/protocol";
import { makePractice, type Practice, startTestServer, type TestServer } from "@hearth/server/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const GOOD = { start: "2099-03-02T20:00", timeZone: "Europe/Berlin", durationMinutes: 50, recurrence: null };

/** Arbitrary bodies near and far from a valid appointment: each field replaced by something odd. */
const appointmentBody = fc.oneof(
  fc.anything(),
  fc.record(
    {
      start: fc.oneof(
        fc.string(),
        fc.constantFrom(
          "2099-02-30T20:00",
          "2099-13-01T20:00",
          "2099-03-02T24:00",
          "1999-03-02T20:00",
          "2020-01-01T10:00",
        ),
      ),
      timeZone: fc.oneof(fc.string(), fc.constantFrom("Mars/Olympus", "../etc", "Europe/Berlin", "UTC")),
      durationMinutes: fc.oneof(fc.integer(), fc.double(), fc.constant(4), fc.constant(481), fc.string()),
      recurrence: fc.oneof(
        fc.string(),
        fc.constant(null),
        fc.constantFrom(
          "FREQ=YEARLY",
          "FREQ=WEEKLY;COUNT=0",
          "FREQ=WEEKLY;UNTIL=20000101T000000Z",
          "RRULE:FREQ=WEEKLY",
          "FREQ=WEEKLY;BYHOUR=3",
          "FREQ=DAILY;DTSTART=20990101T000000Z",
        ),
      ),
      extra: fc.anything(),
    },
    { requiredKeys: [] },
  ),
);

/**
 * Bad input to every new appointment endpoint is refused with a documented code (400 for a body,
 * 404 for a path that names nothing) and stores nothing; the server keeps answering.
 */
describe("appointments: bad input is refused with a code and changes nothing", () => {
  let t: TestServer;
  let p: Practice;
  let cid: string;
  let apt: Appointment;

  beforeAll(async () => {
    t = await startTestServer();
    p = await makePractice(t, 1);
    cid = p.patients[0]!.conversationId!;
    apt = (
      await t.call<Appointment>("POST", `/v1/conversations/${cid}/appointments`, {
        token: p.therapist.token,
        body: GOOD,
      })
    ).body;
  });
  afterAll(async () => {
    await t.stop();
  });

  const snapshot = async () => ({
    list: await t.server.storage.appointments.listForConversation(cid as never, "2000-01-01"),
    settings: await t.server.storage.appointments.getSettings(p.therapist.userId as never),
  });

  const isValid = (body: unknown) => {
    const b = body as Record<string, unknown>;
    // Valid bodies happen rarely by chance; they must not count as a refusal the test expected.
    return (
      typeof b === "object" &&
      b !== null &&
      Object.keys(b).every((k) => k in GOOD) &&
      typeof b.start === "string" &&
      /^2[01]\d\d-/.test(b.start) &&
      b.start > "2027" &&
      typeof b.timeZone === "string"
    );
  };

  it("create and reschedule refuse arbitrary bodies with a documented 400 code (property)", async () => {
    const before = await snapshot();
    await fc.assert(
      fc.asyncProperty(appointmentBody, fc.boolean(), async (body, create) => {
        fc.pre(!isValid(body));
        const r = create
          ? await t.call<{ code: string }>("POST", `/v1/conversations/${cid}/appointments`, {
              token: p.therapist.token,
              raw: JSON.stringify(body) ?? "null",
            })
          : await t.call<{ code: string }>("PUT", `/v1/appointments/${apt.id}`, {
              token: p.therapist.token,
              raw: JSON.stringify(body) ?? "null",
            });
        expect(r.status).toBe(400);
        expect(ERROR_CODES).toContain(r.body.code);
      }),
      { numRuns: 200 },
    );
    expect(await snapshot()).toEqual(before);
  });

  it("settings refuse arbitrary bodies with a documented 400 code (property)", async () => {
    const before = await snapshot();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.anything(),
          fc.record({
            reminderMinutes: fc.oneof(
              fc.array(fc.integer(), { maxLength: 6 }),
              fc.constant([60, 60]),
              fc.constant([1, 2, 3, 4, 5]),
              fc.anything(),
            ),
            push: fc.anything(),
            email: fc.boolean(),
            showTime: fc.boolean(),
            feedNames: fc.anything(),
          }),
        ),
        async (body) => {
          const r = await t.call<{ code: string }>("PUT", "/v1/me/appointment-settings", {
            token: p.therapist.token,
            raw: JSON.stringify(body) ?? "null",
          });
          // The rare valid body is accepted; everything else is refused.
          if (r.status === 200) return;
          expect(r.status).toBe(400);
          expect(ERROR_CODES).toContain(r.body.code);
        },
      ),
      { numRuns: 200 },
    );
    const after = await snapshot();
    expect(after.list).toEqual(before.list);
  });

  it("paths that name nothing are not_found (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 80 }), async (id) => {
        const seg = encodeURIComponent(id);
        for (const [method, path] of [
          ["PUT", `/v1/appointments/${seg}`],
          ["DELETE", `/v1/appointments/${seg}`],
          ["POST", `/v1/appointments/${seg}/reschedule-request`],
          ["GET", `/v1/conversations/${seg}/appointments`],
          ["GET", `/v1/conversations/${seg}/appointments/past`],
          ["GET", `/v1/calendar/${seg}`],
        ] as const) {
          const r = await t.call<{ code: string }>(method, path, {
            token: p.therapist.token,
            ...(method === "PUT" ? { body: GOOD } : {}),
          });
          expect([404, 400], `${method} ${path}`).toContain(r.status);
          expect(ERROR_CODES).toContain(r.body.code);
        }
      }),
      { numRuns: 60 },
    );
    expect((await snapshot()).list[0]).toMatchObject({ id: apt.id, status: "scheduled", revision: 0 });
  });

  it("gives each class of bad appointment its field's path", async () => {
    const post = (body: unknown) =>
      t.call<{ code: string; path?: string }>("POST", `/v1/conversations/${cid}/appointments`, {
        token: p.therapist.token,
        body,
      });
    expect((await post({ ...GOOD, start: "2099-02-30T20:00" })).body).toMatchObject({
      code: "bad_request",
      path: "start",
    });
    expect((await post({ ...GOOD, timeZone: "Mars/Olympus" })).body).toMatchObject({
      code: "bad_request",
      path: "timeZone",
    });
    expect((await post({ ...GOOD, durationMinutes: 4 })).body).toMatchObject({
      code: "bad_request",
      path: "durationMinutes",
    });
    expect((await post({ ...GOOD, recurrence: "FREQ=YEARLY" })).body).toMatchObject({
      code: "bad_request",
      path: "recurrence",
    });
    // Parses, but has no session at all (UNTIL before the start).
    expect((await post({ ...GOOD, recurrence: "FREQ=WEEKLY;UNTIL=20980101T000000Z" })).body).toMatchObject({
      code: "bad_request",
      path: "recurrence",
    });
    // Entirely in the past.
    expect((await post({ ...GOOD, start: "2001-01-01T10:00" })).body).toMatchObject({
      code: "bad_request",
      path: "start",
    });
  });
});
