import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "@hearth/client/testing";
import { openPostgresStorage, openSqliteStorage, SmtpMailer } from "@hearth/server";
import {
  describeWithService,
  dropSchema,
  makePractice,
  POSTGRES_URL,
  type Practice,
  postgresReachable,
  startTestServer,
  type TestServer,
  uniqueSchemaName,
} from "@hearth/server/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SmtpCapture } from "../support/smtp-capture.ts";

const MIN = 60_000;
const HOUR = 60 * MIN;
const REMINDER = "Reminder from Hearth";

/**
 * Appointment reminders end to end: real servers on a manual clock over real storage (SQLite; two
 * nodes on PostgreSQL), reminders by email to a real SMTP server, the clock moved to the exact
 * instants. Each reminder goes out once, at its instant, never early; a cancelled appointment's
 * never; a weekly 20:00 session stays at 20:00 local across daylight-saving changes.
 */
describe("appointment reminders", () => {
  let smtp: SmtpCapture;
  beforeAll(async () => {
    smtp = await SmtpCapture.start();
  });
  afterAll(async () => {
    await smtp.close();
  });
  const mailer = () =>
    new SmtpMailer({ url: smtp.url, from: "Hearth <no-reply@hearth.test>", requireTls: false });
  const reminders = () => smtp.mails.filter((m) => m.headers.subject === REMINDER);

  async function setUp(t: TestServer, p: Practice, reminderMinutes: number[], showTime = false) {
    const patient = p.patients[0]!;
    for (const [token, email] of [
      [patient.token, "pat@hearth.test"],
      [p.therapist.token, "dr@hearth.test"],
    ] as const) {
      const n = await t.call("PUT", "/v1/me/notifications", {
        token,
        body: { email, emailDelayMinutes: 30, emailDigest: false, quietHours: null },
      });
      expect(n.status).toBe(200);
      const s = await t.call("PUT", "/v1/me/appointment-settings", {
        token,
        body: { reminderMinutes, push: false, email: true, showTime, feedNames: false },
      });
      expect(s.status).toBe(200);
    }
  }

  async function schedule(t: TestServer, p: Practice, body: Record<string, unknown>) {
    const r = await t.call<{ id: string; upcoming: string[] }>(
      "POST",
      `/v1/conversations/${p.patients[0]!.conversationId}/appointments`,
      { token: p.therapist.token, body },
    );
    expect(r.status).toBe(200);
    return r.body;
  }

  /** Moves every clock to `at` (ms since epoch) and runs due jobs on each node, concurrently. */
  async function moveTo(clock: ManualClock, nodes: TestServer[], at: number) {
    clock.advance(at - clock.now());
    await Promise.all(nodes.map((n) => n.server.scheduler.runDue()));
  }

  describe("on SQLite, across a restart", () => {
    let dir: string;
    let t: TestServer | undefined;
    afterEach(async () => {
      await t?.stop();
      rmSync(dir, { recursive: true, force: true });
      smtp.mails.length = 0;
    });

    it("reminds each member 24 h and 1 h before, once, at the instant; the restart loses none", async () => {
      dir = mkdtempSync(join(tmpdir(), "hearth-appt-"));
      const path = join(dir, "hearth.db");
      const clock = new ManualClock(Date.UTC(2026, 5, 1, 9, 0));
      const start = async () =>
        startTestServer({
          clock,
          storage: await openSqliteStorage({ path }),
          mailer: mailer(),
          scheduler: { pollMs: 24 * 60 * MIN },
        });
      t = await start();
      const p = await makePractice(t, 1);
      await setUp(t, p, [24 * 60, 60]);
      // Wednesday 10 June 2026, 15:00 in Berlin (13:00 UTC).
      const session = Date.UTC(2026, 5, 10, 13, 0);
      await schedule(t, p, { start: "2026-06-10T15:00", timeZone: "Europe/Berlin", durationMinutes: 50 });

      await t.stop();
      t = await start();

      await moveTo(clock, [t], session - 24 * HOUR - MIN);
      expect(reminders()).toHaveLength(0);
      await moveTo(clock, [t], session - 24 * HOUR);
      expect(
        reminders()
          .map((m) => m.to[0])
          .sort(),
      ).toEqual(["dr@hearth.test", "pat@hearth.test"]);

      await t.stop();
      t = await start();

      await moveTo(clock, [t], session - HOUR - MIN);
      expect(reminders()).toHaveLength(2);
      await moveTo(clock, [t], session - HOUR);
      expect(reminders()).toHaveLength(4);
      await moveTo(clock, [t], session + 7 * 24 * HOUR);
      expect(reminders()).toHaveLength(4);
      // Content-free: no name, no id, no time (not opted in).
      for (const m of reminders()) {
        for (const secret of [
          p.therapist.userId,
          p.patients[0]!.userId,
          p.patients[0]!.conversationId!,
          "15:00",
        ])
          expect(m.raw).not.toContain(secret);
      }
    });

    it("never reminds of a cancelled appointment", async () => {
      dir = mkdtempSync(join(tmpdir(), "hearth-appt-"));
      const clock = new ManualClock(Date.UTC(2026, 5, 1, 9, 0));
      t = await startTestServer({ clock, mailer: mailer(), scheduler: { pollMs: 24 * 60 * MIN } });
      const p = await makePractice(t, 1);
      await setUp(t, p, [24 * 60, 60]);
      const a = await schedule(t, p, {
        start: "2026-06-10T15:00",
        timeZone: "Europe/Berlin",
        durationMinutes: 50,
        recurrence: "FREQ=WEEKLY;COUNT=3",
      });
      const cancel = await t.call("DELETE", `/v1/appointments/${a.id}`, { token: p.patients[0]!.token });
      expect(cancel.status).toBe(204);
      await moveTo(clock, [t], Date.UTC(2026, 6, 1));
      expect(reminders()).toHaveLength(0);
      expect(await t.server.storage.appointments.countReminders(a.id as never)).toBe(0);
    });
  });

  describe("daylight-saving changes: a weekly Sunday 20:00 session stays at 20:00 local", () => {
    const cases = [
      {
        zone: "Europe/Berlin",
        start: "2026-03-22T20:00",
        // 20:00 CET is 19:00 UTC; from 29 March 20:00 CEST is 18:00 UTC.
        sessions: [Date.UTC(2026, 2, 22, 19), Date.UTC(2026, 2, 29, 18), Date.UTC(2026, 3, 5, 18)],
      },
      {
        zone: "Europe/Berlin",
        start: "2026-10-18T20:00",
        sessions: [Date.UTC(2026, 9, 18, 18), Date.UTC(2026, 9, 25, 19), Date.UTC(2026, 10, 1, 19)],
      },
      {
        zone: "America/New_York",
        start: "2026-03-01T20:00",
        // 20:00 EST is 01:00 UTC the next day; from 8 March 20:00 EDT is 00:00 UTC.
        sessions: [Date.UTC(2026, 2, 2, 1), Date.UTC(2026, 2, 9, 0), Date.UTC(2026, 2, 16, 0)],
      },
      {
        zone: "America/New_York",
        start: "2026-10-25T20:00",
        sessions: [Date.UTC(2026, 9, 26, 0), Date.UTC(2026, 10, 2, 1), Date.UTC(2026, 10, 9, 1)],
      },
    ];
    let t: TestServer | undefined;
    afterEach(async () => {
      await t?.stop();
      smtp.mails.length = 0;
    });

    for (const c of cases) {
      it(`${c.zone} from ${c.start}`, async () => {
        const clock = new ManualClock(Date.parse(`${c.start.slice(0, 10)}T00:00:00Z`) - 3 * 24 * HOUR);
        t = await startTestServer({ clock, mailer: mailer(), scheduler: { pollMs: 24 * 60 * MIN } });
        const p = await makePractice(t, 1);
        await setUp(t, p, [60], true);
        const a = await schedule(t, p, {
          start: c.start,
          timeZone: c.zone,
          durationMinutes: 50,
          recurrence: "FREQ=WEEKLY;COUNT=3",
        });
        expect(a.upcoming).toEqual(c.sessions.map((s) => new Date(s).toISOString()));
        for (const [i, session] of c.sessions.entries()) {
          await moveTo(clock, [t], session - HOUR - MIN);
          expect(reminders()).toHaveLength(2 * i);
          await moveTo(clock, [t], session - HOUR);
          expect(reminders()).toHaveLength(2 * (i + 1));
          // Opted in to the time: it says 20:00 local.
          expect(reminders().at(-1)!.raw).toContain("20:00");
        }
      });
    }
  });
});

describeWithService(
  "appointment reminders with two nodes on PostgreSQL",
  await postgresReachable(),
  "PostgreSQL",
  () => {
    let smtp: SmtpCapture;
    const schema = uniqueSchemaName("hearth_appt");
    const nodes: TestServer[] = [];
    beforeAll(async () => {
      smtp = await SmtpCapture.start();
    });
    afterAll(async () => {
      for (const n of nodes) await n.stop();
      await smtp.close();
      await dropSchema(schema);
    });

    it("each reminder goes out once though both nodes run the due jobs", async () => {
      const clock = new ManualClock(Date.UTC(2026, 5, 1, 9, 0));
      for (const nodeId of ["node-a", "node-b"]) {
        nodes.push(
          await startTestServer({
            clock,
            storage: await openPostgresStorage({ connectionString: POSTGRES_URL, schema }),
            mailer: new SmtpMailer({
              url: smtp.url,
              from: "Hearth <no-reply@hearth.test>",
              requireTls: false,
            }),
            scheduler: { pollMs: 24 * 60 * MIN, nodeId, batchSize: 1 },
          }),
        );
      }
      const [a, b] = nodes as [TestServer, TestServer];
      const p = await makePractice(a, 2);
      for (const [token, email] of [
        [p.patients[0]!.token, "pat@hearth.test"],
        [p.therapist.token, "dr@hearth.test"],
      ] as const) {
        await a.call("PUT", "/v1/me/notifications", {
          token,
          body: { email, emailDelayMinutes: 30, emailDigest: false, quietHours: null },
        });
      }
      // Defaults: 24 h and 1 h before, push and email. Scheduled on node b.
      const r = await b.call<{ id: string }>(
        "POST",
        `/v1/conversations/${p.patients[0]!.conversationId}/appointments`,
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
      const first = Date.UTC(2026, 5, 10, 13, 0);
      // Daily: the second session's 24 h reminder falls at the first one's start.
      const instants = [first - 24 * HOUR, first - HOUR, first, first + 23 * HOUR];
      let expected = 0;
      for (const at of instants) {
        clock.advance(at - MIN - clock.now());
        await Promise.all([a.server.scheduler.runDue(), b.server.scheduler.runDue()]);
        expect(smtp.mails.filter((m) => m.headers.subject === REMINDER)).toHaveLength(expected);
        clock.advance(MIN);
        await Promise.all([a.server.scheduler.runDue(), b.server.scheduler.runDue()]);
        expected += 2;
        expect(smtp.mails.filter((m) => m.headers.subject === REMINDER)).toHaveLength(expected);
      }
      expect(await a.server.storage.appointments.countReminders(r.body.id as never)).toBe(8);
    });
  },
);
