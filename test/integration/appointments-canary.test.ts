import { type AppointmentEvent, Appointments, appointmentSessions, HearthApi } from "@hearth/client";
import type { ConversationId } from "@hearth/protocol";
import { makePractice, type Practice, startTestServer, type TestServer } from "@hearth/server/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { markerStrings as forms, storedHaystacks } from "../support/attachments.ts";
import { converged, E2eeTestClient, until } from "../support/e2ee.ts";

/**
 * Canary: an appointment's note travels end to end encrypted through the SDK (`Appointments.create`
 * with a note); the other side reads it and sees the appointment, and the note appears nowhere on the
 * server — database, WAL, logs — nor in the calendar feed.
 */
describe("canary: appointment notes never reach the server", () => {
  let t: TestServer;
  let p: Practice;
  let cid: ConversationId;
  const clients: E2eeTestClient[] = [];

  beforeEach(async () => {
    t = await startTestServer();
    p = await makePractice(t, 1);
    cid = p.patients[0]!.conversationId!;
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await t.stop();
  });

  it("the note is read by the patient and found nowhere on the server", async () => {
    const th = new E2eeTestClient(t.url, p.therapist);
    const pa = new E2eeTestClient(t.url, p.patients[0]!);
    clients.push(th, pa);
    await th.client.crypto.setUp();
    await pa.client.crypto.setUp();
    await th.connect();
    await pa.connect();
    await until(() => converged([th, pa], cid, [p.therapist.deviceId, p.patients[0]!.deviceId]), "one group");
    const events: AppointmentEvent[] = [];
    pa.client.on("appointment", (e) => events.push(e));

    const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    const note = `CANARY-NOTE-${run}-bring the sleep diary and talk about the panic at work`;
    const therapist = new Appointments({
      api: new HearthApi({ baseUrl: t.url, token: p.therapist.token }),
      send: (c, m) => th.client.send(c, m),
    });
    // Ten days ahead (the feed lists the coming year).
    const day = new Date(Date.now() + 10 * 24 * 3_600_000).toISOString().slice(0, 10);
    const created = await therapist.create(
      cid,
      {
        start: `${day}T17:30`,
        timeZone: "America/New_York",
        durationMinutes: 50,
        recurrence: "FREQ=WEEKLY",
      },
      { note },
    );
    await pa.waitFor(() => pa.texts(cid).includes(note), "the patient reads the note");
    await until(() => events.length > 0, "the appointment event");
    expect(events[0]).toEqual({
      conversationId: cid,
      appointmentId: created.id,
      change: "scheduled",
      by: p.therapist.userId,
    });
    const patient = new Appointments({ api: new HearthApi({ baseUrl: t.url, token: p.patients[0]!.token }) });
    expect((await patient.list(cid)).map((a) => a.id)).toEqual([created.id]);
    expect((await patient.upcoming())[0]).toMatchObject({
      id: created.id,
      nextStartAt: created.upcoming[0],
    });
    // The sessions as the FHIR export takes them: each start with its end.
    const sessions = appointmentSessions(await patient.list(cid));
    expect(sessions[0]).toEqual({
      id: `${created.id}-${created.upcoming[0]}`,
      start: created.upcoming[0],
      end: new Date(Date.parse(created.upcoming[0]!) + 50 * 60_000).toISOString(),
      status: "booked",
    });
    // The past sessions (none yet: this one is ten days ahead), as the FHIR export reads them.
    const past = await t.call("GET", `/v1/conversations/${cid}/appointments/past`, {
      token: p.therapist.token,
    });
    expect(past).toMatchObject({ status: 200, body: { sessions: [] } });
    const feedUrl = await patient.rotateFeed();
    const feed = await (await fetch(t.url + new URL(feedUrl).pathname)).text();
    expect(feed).toContain("BEGIN:VEVENT");

    const haystacks = storedHaystacks(t);
    haystacks.push(
      { name: "calendar feed", text: feed },
      { name: "past sessions", text: JSON.stringify(past.body) },
    );
    const found: string[] = [];
    for (const f of [...forms(note), ...forms(`${run}-`)]) {
      for (const h of haystacks) if (h.text.includes(f)) found.push(`${f} in ${h.name}`);
    }
    expect(found).toEqual([]);
    // Control: the appointment itself is there (the scan reads the right files).
    expect(haystacks.some((h) => h.text.includes(created.id))).toBe(true);
  });
});
