import type { Appointment, SessionResponse } from "@hearth/protocol";
import {
  makePractice,
  otherPracticeTherapist,
  type Practice,
  RawSocket,
  startTestServer,
  type TestServer,
} from "@hearth/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const SESSION = { start: "2099-03-02T20:00", timeZone: "Europe/Berlin", durationMinutes: 50 };

/**
 * The appointments part of the authorization matrix: outsiders (another patient of the same
 * therapist, a therapist of another practice, the practice admin) get `not_found` for every
 * appointment endpoint and change nothing; a patient who is a member may ask to reschedule and may
 * cancel, but not schedule or move; per-user settings and feeds touch only the caller's own.
 */
describe("appointments authorization matrix", () => {
  let t: TestServer;
  let p: Practice;
  let cid: string;
  let apt: Appointment;
  let outsiders: Record<string, SessionResponse>;

  beforeAll(async () => {
    t = await startTestServer();
    p = await makePractice(t, 2);
    cid = p.patients[0]!.conversationId!;
    outsiders = {
      otherPatient: p.patients[1]!,
      otherPractice: await otherPracticeTherapist(t, "elsewhere-appointments"),
      admin: p.admin,
    };
    const r = await t.call<Appointment>("POST", `/v1/conversations/${cid}/appointments`, {
      token: p.therapist.token,
      body: { ...SESSION, recurrence: "FREQ=WEEKLY;COUNT=4" },
    });
    expect(r.status).toBe(200);
    apt = r.body;
  });
  afterAll(async () => {
    await t.stop();
  });

  const current = async () => t.server.storage.appointments.getAppointment(apt.id);

  for (const who of ["otherPatient", "otherPractice", "admin"] as const) {
    describe(who, () => {
      it("gets not_found from every appointment endpoint, sees nothing, and changes nothing", async () => {
        const token = outsiders[who]!.token;
        const before = await current();
        const refusals = [
          await t.call("GET", `/v1/conversations/${cid}/appointments`, { token }),
          await t.call("GET", `/v1/conversations/${cid}/appointments/past`, { token }),
          await t.call("POST", `/v1/conversations/${cid}/appointments`, { token, body: SESSION }),
          await t.call("PUT", `/v1/appointments/${apt.id}`, { token, body: SESSION }),
          await t.call("POST", `/v1/appointments/${apt.id}/reschedule-request`, { token }),
          await t.call("DELETE", `/v1/appointments/${apt.id}`, { token }),
        ];
        for (const r of refusals) expect(r).toMatchObject({ status: 404, body: { code: "not_found" } });
        const mine = await t.call<{ appointments: Appointment[] }>("GET", "/v1/appointments", { token });
        expect(mine.status).toBe(200);
        expect(mine.body.appointments.map((a) => a.id)).not.toContain(apt.id);
        expect(await current()).toEqual(before);
        expect(
          await t.server.storage.appointments.listForConversation(cid as never, "2000-01-01"),
        ).toHaveLength(1);
      });

      it("cannot read, rotate or revoke anyone else's settings or feed", async () => {
        const token = outsiders[who]!.token;
        const feed = await t.call<{ url: string }>("POST", "/v1/me/calendar-feed", {
          token: p.patients[0]!.token,
        });
        expect(feed.status).toBe(200);
        expect((await t.call("DELETE", "/v1/me/calendar-feed", { token })).status).toBe(204);
        expect((await t.call("POST", "/v1/me/calendar-feed", { token })).status).toBe(200);
        // The patient's feed still works: the outsider's calls acted on the outsider's own.
        expect((await fetch(t.url + new URL(feed.body.url).pathname)).status).toBe(200);
        const s = await t.call("PUT", "/v1/me/appointment-settings", {
          token,
          body: { reminderMinutes: [], push: false, email: false, showTime: true, feedNames: true },
        });
        expect(s.status).toBe(200);
        const theirs = await t.call<{ feedNames: boolean }>("GET", "/v1/me/appointment-settings", {
          token: p.patients[0]!.token,
        });
        expect(theirs.body.feedNames).toBe(false);
      });
    });
  }

  it("a patient member may not schedule or move a session (forbidden), and nothing changes", async () => {
    const token = p.patients[0]!.token;
    const before = await current();
    expect(
      await t.call("POST", `/v1/conversations/${cid}/appointments`, { token, body: SESSION }),
    ).toMatchObject({ status: 403, body: { code: "forbidden" } });
    expect(await t.call("PUT", `/v1/appointments/${apt.id}`, { token, body: SESSION })).toMatchObject({
      status: 403,
      body: { code: "forbidden" },
    });
    expect(await current()).toEqual(before);
  });

  it("a patient member may ask to reschedule and cancel; the therapist hears of each by a frame", async () => {
    const th = await RawSocket.hello(t.wsUrl, p.therapist.token);
    const asked = await t.call<Appointment>("POST", `/v1/appointments/${apt.id}/reschedule-request`, {
      token: p.patients[0]!.token,
    });
    expect(asked.status).toBe(200);
    expect(asked.body.rescheduleRequest?.by).toBe(p.patients[0]!.userId);
    expect(await th.next((f) => f.type === "appointment")).toEqual({
      type: "appointment",
      conversationId: cid,
      appointmentId: apt.id,
      change: "reschedule_requested",
      by: p.patients[0]!.userId,
    });
    const moved = await t.call<Appointment>("PUT", `/v1/appointments/${apt.id}`, {
      token: p.therapist.token,
      body: { ...SESSION, start: "2099-03-03T18:00" },
    });
    expect(moved.body).toMatchObject({ start: "2099-03-03T18:00", rescheduleRequest: null, revision: 1 });
    expect(await th.next((f) => f.type === "appointment")).toMatchObject({ change: "rescheduled" });
    expect(
      (await t.call("DELETE", `/v1/appointments/${apt.id}`, { token: p.patients[0]!.token })).status,
    ).toBe(204);
    expect(await th.next((f) => f.type === "appointment")).toMatchObject({
      change: "cancelled",
      by: p.patients[0]!.userId,
    });
    await th.closeAndWait();
    const listed = await t.call<{ appointments: Appointment[] }>(
      "GET",
      `/v1/conversations/${cid}/appointments`,
      {
        token: p.therapist.token,
      },
    );
    expect(listed.body.appointments[0]).toMatchObject({
      status: "cancelled",
      nextStartAt: null,
      upcoming: [],
    });
    // Cancelled: no more moves or requests; cancelling again is no error.
    expect(
      (await t.call("PUT", `/v1/appointments/${apt.id}`, { token: p.therapist.token, body: SESSION })).status,
    ).toBe(403);
    expect((await t.call("DELETE", `/v1/appointments/${apt.id}`, { token: p.therapist.token })).status).toBe(
      204,
    );
  });

  it("without a session every endpoint but the feed is unauthenticated", async () => {
    for (const [method, path] of [
      ["GET", `/v1/conversations/${cid}/appointments`],
      ["POST", `/v1/conversations/${cid}/appointments`],
      ["GET", "/v1/appointments"],
      ["PUT", `/v1/appointments/${apt.id}`],
      ["POST", `/v1/appointments/${apt.id}/reschedule-request`],
      ["DELETE", `/v1/appointments/${apt.id}`],
      ["GET", "/v1/me/appointment-settings"],
      ["PUT", "/v1/me/appointment-settings"],
      ["GET", "/v1/me/calendar-feed"],
      ["POST", "/v1/me/calendar-feed"],
      ["DELETE", "/v1/me/calendar-feed"],
    ] as const) {
      const r = await t.call<{ code: string }>(method, path, {
        body: method === "GET" || method === "DELETE" ? undefined : {},
      });
      expect(r.status, `${method} ${path}`).toBe(401);
    }
    expect((await t.call("GET", `/v1/calendar/${"x".repeat(43)}.ics`)).status).toBe(404);
  });
});
