import type { CheckinPlan, SessionResponse } from "@hearth/protocol";
import {
  joinByInvite,
  makePractice,
  otherPracticeTherapist,
  type Practice,
  startTestServer,
  type TestServer,
} from "@hearth/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The authorization matrix of the check-in plan endpoints: every outsider (another patient of the
 * same therapist, a therapist of another practice, the practice admin) gets `not_found` and changes
 * nothing; inside the conversation only a therapist assigns or ends a plan, and a patient sees only
 * their own plans.
 */
describe("check-in plans: authorization matrix", () => {
  let t: TestServer;
  let p: Practice;
  let cid: string;
  let plan: CheckinPlan;
  let outsiders: Record<string, SessionResponse>;
  const schedule = { timeZone: "Europe/Berlin", time: "20:00" };

  beforeAll(async () => {
    t = await startTestServer();
    p = await makePractice(t, 2);
    cid = p.patients[0]!.conversationId!;
    const otherPractice = await otherPracticeTherapist(t, "elsewhere-checkins");
    outsiders = { otherPatient: p.patients[1]!, otherPractice, admin: p.admin };
    const r = await t.call<CheckinPlan>("POST", `/v1/conversations/${cid}/checkin-plans`, {
      token: p.therapist.token,
      body: { patientId: p.patients[0]!.userId, schedule },
    });
    expect(r.status).toBe(200);
    plan = r.body;
  });
  afterAll(async () => {
    await t.stop();
  });

  const plansNow = async () =>
    (
      await t.call<{ plans: CheckinPlan[] }>("GET", `/v1/conversations/${cid}/checkin-plans`, {
        token: p.therapist.token,
      })
    ).body.plans;

  for (const who of ["otherPatient", "otherPractice", "admin"] as const) {
    describe(who, () => {
      it("cannot assign, list or end a plan in someone else's conversation (not_found)", async () => {
        const token = outsiders[who]!.token;
        const create = await t.call("POST", `/v1/conversations/${cid}/checkin-plans`, {
          token,
          body: { patientId: p.patients[0]!.userId, schedule },
        });
        expect(create).toMatchObject({ status: 404, body: { code: "not_found" } });
        const list = await t.call("GET", `/v1/conversations/${cid}/checkin-plans`, { token });
        expect(list).toMatchObject({ status: 404, body: { code: "not_found" } });
        const del = await t.call("DELETE", `/v1/checkin-plans/${plan.id}`, { token });
        expect(del).toMatchObject({ status: 404, body: { code: "not_found" } });
        expect((await plansNow()).map((x) => x.id)).toEqual([plan.id]);
      });

      it("sees no plan of someone else among their own", async () => {
        const mine = await t.call<{ plans: CheckinPlan[] }>("GET", "/v1/me/checkin-plans", {
          token: outsiders[who]!.token,
        });
        expect(mine.status).toBe(200);
        expect(mine.body.plans).toEqual([]);
      });
    });
  }

  it("the patient sees their plan but cannot assign or end one (forbidden)", async () => {
    const patient = p.patients[0]!;
    const mine = await t.call<{ plans: CheckinPlan[] }>("GET", "/v1/me/checkin-plans", {
      token: patient.token,
    });
    expect(mine.body.plans.map((x) => x.id)).toEqual([plan.id]);
    const create = await t.call("POST", `/v1/conversations/${cid}/checkin-plans`, {
      token: patient.token,
      body: { patientId: patient.userId, schedule },
    });
    expect(create).toMatchObject({ status: 403, body: { code: "forbidden" } });
    const del = await t.call("DELETE", `/v1/checkin-plans/${plan.id}`, { token: patient.token });
    expect(del).toMatchObject({ status: 403, body: { code: "forbidden" } });
    expect((await plansNow()).map((x) => x.id)).toEqual([plan.id]);
  });

  it("a plan names a patient member: not the therapist, not a patient from elsewhere", async () => {
    for (const patientId of [p.therapist.userId, p.patients[1]!.userId]) {
      const r = await t.call("POST", `/v1/conversations/${cid}/checkin-plans`, {
        token: p.therapist.token,
        body: { patientId, schedule },
      });
      expect(r).toMatchObject({ status: 404, body: { code: "not_found", path: "body.patientId" } });
    }
    expect(await plansNow()).toHaveLength(1);
  });

  it("in a group, a patient sees only their own plans", async () => {
    const third = await joinByInvite(t, p.therapist.token, "patient", "Robin3");
    const group = await t.call<{ conversationId: string }>("POST", "/v1/conversations", {
      token: p.therapist.token,
      body: { kind: "group", memberIds: [p.patients[0]!.userId, third.userId] },
    });
    expect(group.status).toBe(200);
    const gid = group.body.conversationId;
    for (const patientId of [p.patients[0]!.userId, third.userId]) {
      const r = await t.call("POST", `/v1/conversations/${gid}/checkin-plans`, {
        token: p.therapist.token,
        body: { patientId, schedule },
      });
      expect(r.status).toBe(200);
    }
    const seen = await t.call<{ plans: CheckinPlan[] }>("GET", `/v1/conversations/${gid}/checkin-plans`, {
      token: third.token,
    });
    expect(seen.body.plans.map((x) => x.patientId)).toEqual([third.userId]);
    const all = await t.call<{ plans: CheckinPlan[] }>("GET", `/v1/conversations/${gid}/checkin-plans`, {
      token: p.therapist.token,
    });
    expect(all.body.plans).toHaveLength(2);
  });
});
