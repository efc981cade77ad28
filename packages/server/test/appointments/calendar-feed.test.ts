import { ManualClock } from "@hearth/client/testing";
import type { Appointment } from "@hearth/protocol";
import { makePractice, type Practice, startTestServer, type TestServer } from "@hearth/server/testing";
import ICAL from "ical.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** The calendar feed parsed by an independent iCalendar parser: each session, in UTC. */
function parseFeed(text: string) {
  const cal = new ICAL.Component(ICAL.parse(text));
  return cal.getAllSubcomponents("vevent").map((v) => {
    const e = new ICAL.Event(v);
    return {
      uid: e.uid,
      start: e.startDate.toJSDate().toISOString(),
      end: e.endDate.toJSDate().toISOString(),
      summary: e.summary,
      status: String(v.getFirstPropertyValue("status")),
    };
  });
}

/**
 * The iCalendar feed: it parses with ical.js, shows each session at its instant (daylight-saving
 * changes included), names nobody unless the user opted in, marks cancelled sessions, and lives at a
 * secret URL that rotating or revoking turns into a 404.
 */
describe("calendar feed", () => {
  let t: TestServer;
  let p: Practice;
  let cid: string;
  let weekly: Appointment;
  const clock = new ManualClock(Date.UTC(2026, 2, 1, 12, 0));

  beforeAll(async () => {
    t = await startTestServer({ clock, scheduler: { pollMs: 24 * 3_600_000 } });
    p = await makePractice(t, 1);
    cid = p.patients[0]!.conversationId!;
    weekly = (
      await t.call<Appointment>("POST", `/v1/conversations/${cid}/appointments`, {
        token: p.therapist.token,
        body: {
          start: "2026-03-22T20:00",
          timeZone: "Europe/Berlin",
          durationMinutes: 50,
          recurrence: "FREQ=WEEKLY;COUNT=3",
        },
      })
    ).body;
    await t.call("POST", `/v1/conversations/${cid}/appointments`, {
      token: p.therapist.token,
      body: { start: "2026-04-10T09:30", timeZone: "America/New_York", durationMinutes: 45 },
    });
  });
  afterAll(async () => {
    await t.stop();
  });

  const get = (url: string) => fetch(t.url + new URL(url).pathname);
  const rotate = async (token: string) =>
    (await t.call<{ url: string }>("POST", "/v1/me/calendar-feed", { token })).body.url;

  it("parses, with each session at its instant and nobody named", async () => {
    const url = await rotate(p.patients[0]!.token);
    expect(url).toMatch(/\/v1\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
    const res = await get(url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const text = await res.text();
    const events = parseFeed(text);
    expect(events.map((e) => e.start)).toEqual([
      "2026-03-22T19:00:00.000Z",
      "2026-03-29T18:00:00.000Z",
      "2026-04-05T18:00:00.000Z",
      "2026-04-10T13:30:00.000Z",
    ]);
    expect(events[1]!.end).toBe("2026-03-29T18:50:00.000Z");
    expect(new Set(events.map((e) => e.uid)).size).toBe(4);
    expect(events.every((e) => e.summary === "Hearth session" && e.status === "CONFIRMED")).toBe(true);
    for (const secret of ["Dr Rowan", "Robin0", "Quiet Harbour", p.therapist.userId, cid])
      expect(text).not.toContain(secret);
    expect(
      (await t.call<{ active: boolean }>("GET", "/v1/me/calendar-feed", { token: p.patients[0]!.token }))
        .body,
    ).toEqual({
      active: true,
    });
  });

  it("names the others only when the user opts in", async () => {
    const token = p.patients[0]!.token;
    const url = await rotate(token);
    await t.call("PUT", "/v1/me/appointment-settings", {
      token,
      body: { reminderMinutes: [60], push: true, email: true, showTime: false, feedNames: true },
    });
    const events = parseFeed(await (await get(url)).text());
    expect(events[0]!.summary).toBe("Hearth session with Dr Rowan");
    await t.call("PUT", "/v1/me/appointment-settings", {
      token,
      body: { reminderMinutes: [60], push: true, email: true, showTime: false, feedNames: false },
    });
    expect(parseFeed(await (await get(url)).text())[0]!.summary).toBe("Hearth session");
  });

  it("marks a cancelled appointment's sessions cancelled", async () => {
    const token = p.therapist.token;
    const url = await rotate(token);
    expect((await t.call("DELETE", `/v1/appointments/${weekly.id}`, { token })).status).toBe(204);
    const events = parseFeed(await (await get(url)).text());
    expect(events.filter((e) => e.status === "CANCELLED").map((e) => e.start)).toEqual([
      "2026-03-22T19:00:00.000Z",
      "2026-03-29T18:00:00.000Z",
      "2026-04-05T18:00:00.000Z",
    ]);
    expect(events.filter((e) => e.status === "CONFIRMED")).toHaveLength(1);
  });

  it("a rotated URL is stale (404) at once; a revoked feed is gone", async () => {
    const token = p.patients[0]!.token;
    const old = await rotate(token);
    expect((await get(old)).status).toBe(200);
    const fresh = await rotate(token);
    expect(fresh).not.toBe(old);
    const stale = await get(old);
    expect(stale.status).toBe(404);
    expect(await stale.json()).toMatchObject({ code: "not_found" });
    expect((await get(fresh)).status).toBe(200);
    expect((await t.call("DELETE", "/v1/me/calendar-feed", { token })).status).toBe(204);
    expect((await get(fresh)).status).toBe(404);
    expect((await t.call<{ active: boolean }>("GET", "/v1/me/calendar-feed", { token })).body).toEqual({
      active: false,
    });
    // Only a hash of the secret is stored.
    const secret = fresh.slice(fresh.lastIndexOf("/") + 1, -".ics".length);
    expect(await t.server.storage.appointments.feedUser(secret)).toBeUndefined();
  });
});
