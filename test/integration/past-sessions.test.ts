import { Appointments, checkinsToFhirBundle, HearthApi } from "@hearth/client";
import { ManualClock } from "@hearth/client/testing";
import type { Appointment, PastSessionList } from "@hearth/protocol";
import { makePractice, startTestServer, type TestServer } from "@hearth/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A conversation's past sessions, for the clinical record: the server lists every session that has
 * begun (a cancelled series up to its cancellation), to members only; the SDK puts them into the
 * FHIR export with the sessions still to come, each once. The server runs on a manual clock.
 */
describe("past sessions and the FHIR export", () => {
  let t: TestServer;
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 9, 0));
  beforeAll(async () => {
    t = await startTestServer({ clock, sessionIdleMs: 400 * 24 * 60 * MIN });
  });
  afterAll(async () => {
    await t.stop();
  });

  it("lists the sessions that began, oldest first; the export holds them and the coming ones", async () => {
    const p = await makePractice(t, 2);
    const cid = p.patients[0]!.conversationId!;
    const schedule = async (body: object) => {
      const r = await t.call<Appointment>("POST", `/v1/conversations/${cid}/appointments`, {
        token: p.therapist.token,
        body,
      });
      expect(r.status).toBe(200);
      return r.body;
    };
    const past = async (token = p.therapist.token) => {
      const r = await t.call<PastSessionList>("GET", `/v1/conversations/${cid}/appointments/past`, { token });
      expect(r.status).toBe(200);
      return r.body.sessions;
    };
    // Weekly on Wednesdays at 15:00 Berlin (13:00 UTC), four times; once on Friday 5 June at 10:00.
    const weekly = await schedule({
      start: "2026-06-03T15:00",
      timeZone: "Europe/Berlin",
      durationMinutes: 50,
      recurrence: "FREQ=WEEKLY;COUNT=4",
    });
    const once = await schedule({
      start: "2026-06-05T10:00",
      timeZone: "Europe/Berlin",
      durationMinutes: 30,
    });
    expect(await past()).toEqual([]);

    // Ten minutes into the second weekly session: it has begun, so it counts.
    clock.advance(Date.UTC(2026, 5, 10, 13, 10) - clock.now());
    const expected = [
      {
        appointmentId: weekly.id,
        start: iso(Date.UTC(2026, 5, 3, 13)),
        end: iso(Date.UTC(2026, 5, 3, 13, 50)),
      },
      { appointmentId: once.id, start: iso(Date.UTC(2026, 5, 5, 8)), end: iso(Date.UTC(2026, 5, 5, 8, 30)) },
      {
        appointmentId: weekly.id,
        start: iso(Date.UTC(2026, 5, 10, 13)),
        end: iso(Date.UTC(2026, 5, 10, 13, 50)),
      },
    ];
    expect(await past()).toEqual(expected);
    // The patient member sees the same; another patient of the therapist gets not_found.
    expect(await past(p.patients[0]!.token)).toEqual(expected);
    const outsider = await t.call("GET", `/v1/conversations/${cid}/appointments/past`, {
      token: p.patients[1]!.token,
    });
    expect(outsider).toMatchObject({ status: 404, body: { code: "not_found" } });

    // The series is cancelled now: its later sessions never join the past.
    expect(
      (await t.call("DELETE", `/v1/appointments/${weekly.id}`, { token: p.therapist.token })).status,
    ).toBe(204);
    const later = await schedule({
      start: "2026-08-03T09:00",
      timeZone: "Europe/Berlin",
      durationMinutes: 50,
    });
    clock.advance(Date.UTC(2026, 6, 1) - clock.now());
    expect(await past()).toEqual(expected);

    // The SDK's export: the three past sessions and the one to come, oldest first, each once.
    const api = new HearthApi({ baseUrl: t.url, token: p.therapist.token });
    const sessions = await new Appointments({ api }).sessionsForExport(cid);
    expect(sessions.map((s) => s.start)).toEqual([
      ...expected.map((e) => e.start),
      iso(Date.UTC(2026, 7, 3, 7)),
    ]);
    expect(new Set(sessions.map((s) => s.id)).size).toBe(4);
    expect(sessions.every((s) => s.status === "booked")).toBe(true);
    const bundle = checkinsToFhirBundle({
      patient: { userId: p.patients[0]!.userId },
      checkins: [],
      appointments: sessions,
      generatedAt: iso(clock.now()),
    });
    const appointments = (bundle.entry ?? []).filter((e) => e.resource?.resourceType === "Appointment");
    expect(appointments.map((e) => (e.resource as { start?: string }).start)).toEqual(
      sessions.map((s) => s.start),
    );
    expect(later.id).toBeTruthy();
  });
});
