import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "@hearth/client/testing";
import { type CheckinPlan, newId, PushPayloadSchema } from "@hearth/protocol";
import { openPostgresStorage, openSqliteStorage } from "@hearth/server";
import {
  describeWithService,
  dropSchema,
  LoopbackPushService,
  makePractice,
  POSTGRES_URL,
  postgresReachable,
  RawSocket,
  startTestServer,
  type TestServer,
  uniqueSchemaName,
} from "@hearth/server/testing";
import SQLite from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { signUpPractice } from "../support/burst.ts";
import { ChildServer } from "../support/child-server.ts";

const HOUR = 3_600_000;

async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `HH:MM` of an instant on the wall clock of `timeZone`. */
const localTime = (t: number, timeZone: string) =>
  new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(
    t,
  );

/**
 * Check-in reminders through the durable jobs, with the processes that run them dying: a real
 * server process killed with SIGKILL (its plan's job runs again after the restart, and the patient
 * is reminded once), and two nodes on one PostgreSQL schema running the same due jobs (each evening's
 * reminder goes out once, at 20:00 local).
 */
describe("check-in reminders: SIGKILL and restart", () => {
  const started = (async () => {
    const ps = await LoopbackPushService.start();
    const server = await ChildServer.create({
      HEARTH_PUSH_ORIGINS: ps.origin,
      HEARTH_JOB_LEASE_SECONDS: "2",
      HEARTH_JOB_POLL_SECONDS: "1",
    });
    return { ps, server };
  })();
  afterAll(async () => {
    const { ps, server } = await started;
    await server.destroy();
    await ps.stop();
  });

  it("reminds once when the job runs again after a crash, and keeps the plan at 20:00 local", async () => {
    const { ps, server } = await started;
    await server.start();
    const { therapist, patients } = await signUpPractice(server.url, await server.waitForSetupToken(), 1);
    const patient = patients[0]!;
    const cid = patient.conversationId!;
    const sub = ps.subscribe();
    const call = (method: string, path: string, token: string, body?: unknown) =>
      fetch(`${server.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    expect(
      (await call("PUT", "/v1/push/subscription", patient.token, { endpoint: sub.endpoint, keys: sub.keys }))
        .status,
    ).toBe(200);
    const created = await call("POST", `/v1/conversations/${cid}/checkin-plans`, therapist.token, {
      patientId: patient.userId,
      schedule: { timeZone: "Europe/Berlin", time: "20:00" },
    });
    expect(created.status).toBe(200);
    const plan = (await created.json()) as CheckinPlan;

    const db = join(server.dataDir, "hearth.db");
    const job = () => {
      const file = new SQLite(db, { readonly: true });
      try {
        return file.prepare("select run_at, attempts from jobs where kind = 'checkin.remind'").get() as
          | { run_at: string; attempts: number }
          | undefined;
      } finally {
        file.close();
      }
    };
    const sent = () => {
      const file = new SQLite(db, { readonly: true });
      try {
        return file.prepare("select due_at from checkin_reminders").all() as { due_at: string }[];
      } finally {
        file.close();
      }
    };
    expect(job()?.run_at).toBe(plan.nextAt);
    /** While the server is down, the job falls due (its time moves back instead of the clock on). */
    const dueNow = () => {
      const file = new SQLite(db);
      file
        .prepare("update jobs set run_at = ? where kind = 'checkin.remind'")
        .run(new Date(Date.now() - 1000).toISOString());
      file.close();
    };
    const checkins = () =>
      ps.pushesTo(sub).filter((p) => PushPayloadSchema.parse(JSON.parse(p.plaintext)).kind === "checkin");

    await server.kill();
    dueNow();
    await server.start();
    await until(() => checkins().length === 1, "the check-in reminder after the restart");
    // The plan's one job defers itself to the next evening, 20:00 in Berlin.
    await until(() => Date.parse(job()?.run_at ?? "0") > Date.now(), "the job to defer itself");
    const next = Date.parse(job()!.run_at);
    expect(localTime(next, "Europe/Berlin")).toBe("20:00");
    expect(next - Date.now()).toBeLessThanOrEqual(25 * HOUR);
    const [reminded] = sent();
    expect(sent()).toHaveLength(1);
    expect(localTime(Date.parse(reminded!.due_at), "Europe/Berlin")).toBe("20:00");

    // A crash between the push and the deferral: the job is back at the time it just ran for, as if
    // the deferral had never been written. It runs again after the restart and reminds no one.
    await server.kill();
    dueNow();
    await server.start();
    await until(() => Date.parse(job()?.run_at ?? "0") > Date.now(), "the job to run and defer again");
    expect(Date.parse(job()!.run_at)).toBe(next);
    // A message to the offline patient comes after it through the same push queue: by the time its
    // push arrived, a second reminder would have too.
    const s = await RawSocket.hello(server.wsUrl, therapist.token);
    const ack = await s.request({
      type: "send",
      id: 1,
      conversationId: cid,
      messageId: newId("msg"),
      body: Buffer.from("opaque").toString("base64"),
    });
    expect(ack.type).toBe("ack");
    await s.closeAndWait();
    await until(
      () => ps.pushesTo(sub).some((p) => PushPayloadSchema.parse(JSON.parse(p.plaintext)).kind === "message"),
      "the message's push",
    );
    expect(checkins()).toHaveLength(1);
    expect(sent()).toEqual([reminded]);
    expect(ps.failures).toEqual([]);
  });
});

describe("check-in reminders on a manual clock across a restart", () => {
  let dir: string | undefined;
  let t: TestServer | undefined;
  let ps: LoopbackPushService | undefined;
  afterAll(async () => {
    await t?.stop();
    await ps?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("reminds at 20:00 Berlin time, not a minute before, once each evening, before and after the restart", async () => {
    ps = await LoopbackPushService.start();
    dir = mkdtempSync(join(tmpdir(), "hearth-checkin-"));
    const path = join(dir, "hearth.db");
    // Monday 1 June 2026, 09:00 UTC (11:00 in Berlin).
    const clock = new ManualClock(Date.UTC(2026, 5, 1, 9, 0));
    const start = async () =>
      startTestServer({
        clock,
        storage: await openSqliteStorage({ path }),
        push: { origins: [ps!.origin] },
        scheduler: { pollMs: 24 * HOUR },
        sessionIdleMs: 400 * 24 * HOUR,
      });
    t = await start();
    const p = await makePractice(t, 1);
    const patient = p.patients[0]!;
    const sub = ps.subscribe();
    const put = await t.call("PUT", "/v1/push/subscription", {
      token: patient.token,
      body: { endpoint: sub.endpoint, keys: sub.keys },
    });
    expect(put.status).toBe(200);
    const plan = await t.call<CheckinPlan>(
      "POST",
      `/v1/conversations/${patient.conversationId}/checkin-plans`,
      {
        token: p.therapist.token,
        body: { patientId: patient.userId, schedule: { timeZone: "Europe/Berlin", time: "20:00" } },
      },
    );
    expect(plan.status).toBe(200);
    const moveTo = async (at: number) => {
      clock.advance(at - clock.now());
      await t!.server.scheduler.runDue();
      await t!.server.pushIdle();
    };
    // 20:00 in Berlin is 18:00 UTC in June.
    const evenings = [Date.UTC(2026, 5, 1, 18), Date.UTC(2026, 5, 2, 18), Date.UTC(2026, 5, 3, 18)];
    for (const [i, evening] of evenings.entries()) {
      await moveTo(evening - 60_000);
      expect(ps.pushesTo(sub), `before evening ${i}`).toHaveLength(i);
      await moveTo(evening);
      expect(ps.pushesTo(sub), `evening ${i}`).toHaveLength(i + 1);
      // The server restarts on the same database file between evenings.
      await t.stop();
      t = await start();
      await moveTo(evening + HOUR);
      expect(ps.pushesTo(sub), `after the restart, evening ${i}`).toHaveLength(i + 1);
    }
    for (const push of ps.pushesTo(sub))
      expect(PushPayloadSchema.parse(JSON.parse(push.plaintext)).kind).toBe("checkin");
    expect(ps.failures).toEqual([]);
  });
});

describeWithService(
  "check-in reminders with two nodes on PostgreSQL",
  await postgresReachable(),
  "PostgreSQL",
  () => {
    const schema = uniqueSchemaName("hearth_checkin");
    const nodes: TestServer[] = [];
    let ps: LoopbackPushService | undefined;
    afterAll(async () => {
      for (const n of nodes) await n.stop();
      await ps?.stop();
      await dropSchema(schema);
    });

    it("each evening's reminder goes out once, at 20:00 New York time, across fall-back", async () => {
      ps = await LoopbackPushService.start();
      // Thursday 29 October 2026, noon in New York; clocks there fall back on Sunday 1 November.
      const clock = new ManualClock(Date.parse("2026-10-29T16:00:00.000Z"));
      for (const nodeId of ["node-a", "node-b"]) {
        nodes.push(
          await startTestServer({
            clock,
            storage: await openPostgresStorage({ connectionString: POSTGRES_URL, schema }),
            push: { origins: [ps.origin] },
            scheduler: { pollMs: 24 * HOUR, nodeId, batchSize: 1 },
            sessionIdleMs: 400 * 24 * HOUR,
          }),
        );
      }
      const [a, b] = nodes as [TestServer, TestServer];
      const p = await makePractice(a, 2);
      const subs = p.patients.map(() => ps!.subscribe());
      for (const [i, patient] of p.patients.entries()) {
        const r = await (i % 2 ? b : a).call("PUT", "/v1/push/subscription", {
          token: patient.token,
          body: { endpoint: subs[i]!.endpoint, keys: subs[i]!.keys },
        });
        expect(r.status).toBe(200);
        // One plan assigned on each node.
        const plan = await (i % 2 ? a : b).call(
          "POST",
          `/v1/conversations/${patient.conversationId}/checkin-plans`,
          {
            token: p.therapist.token,
            body: { patientId: patient.userId, schedule: { timeZone: "America/New_York", time: "20:00" } },
          },
        );
        expect(plan.status).toBe(200);
      }
      // Hour by hour for four days, both nodes running due jobs at once.
      const at: number[][] = subs.map(() => []);
      for (let h = 0; h < 4 * 24; h++) {
        clock.advance(HOUR);
        const before = subs.map((s) => ps!.pushesTo(s).length);
        await Promise.all([a.server.scheduler.runDue(), b.server.scheduler.runDue()]);
        await Promise.all([a.server.pushIdle(), b.server.pushIdle()]);
        for (const [i, s] of subs.entries()) {
          for (let k = before[i]!; k < ps.pushesTo(s).length; k++) at[i]!.push(clock.now());
        }
      }
      for (const times of at) {
        // Thu, Fri, Sat, and Sun after the change: one each, at 20:00 local.
        expect(times).toHaveLength(4);
        for (const t of times) expect(localTime(t, "America/New_York")).toBe("20:00");
        expect(times[3]! - times[2]!).toBe(25 * HOUR);
      }
      for (const s of subs) {
        for (const push of ps.pushesTo(s))
          expect(PushPayloadSchema.parse(JSON.parse(push.plaintext)).kind).toBe("checkin");
      }
      expect(ps.failures).toEqual([]);
    });
  },
);
