import type { CheckinPlan, ConversationId } from "@hearth/protocol";
import { makePractice, type Practice, startTestServer, type TestServer } from "@hearth/server/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { databaseHaystacks, markerStrings as forms, storedHaystacks } from "../support/attachments.ts";
import { converged, E2eeTestClient, until } from "../support/e2ee.ts";
import { TestClient } from "../support/sdk.ts";

describe("canary: check-in answers and notes never reach the server's database, WAL or logs", () => {
  let t: TestServer;
  let p: Practice;
  let cid: ConversationId;
  const clients: TestClient[] = [];

  beforeEach(async () => {
    t = await startTestServer();
    p = await makePractice(t, 1);
    cid = p.patients[0]!.conversationId! as ConversationId;
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await t.stop();
  });

  it("a plan's custom scale, a mood note and PHQ-9 answers travel end to end encrypted", async () => {
    const th = new E2eeTestClient(t.url, p.therapist);
    const pa = new E2eeTestClient(t.url, p.patients[0]!);
    clients.push(th, pa);
    await th.client.crypto.setUp();
    await pa.client.crypto.setUp();
    await th.connect();
    await pa.connect();
    await until(() => converged([th, pa], cid, [p.therapist.deviceId, p.patients[0]!.deviceId]), "one group");

    const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    const markers = {
      scaleTitle: `CANARY-SCALE-${run}-urges to self-harm`,
      scaleItem: `CANARY-ITEM-${run}-how strong were the urges`,
      note: `CANARY-NOTE-${run}-argued with my mother again`,
    };
    const schedule = { timeZone: "Europe/Berlin", time: "20:00" };
    const created = await t.call<CheckinPlan>("POST", `/v1/conversations/${cid}/checkin-plans`, {
      token: p.therapist.token,
      body: { patientId: p.patients[0]!.userId, schedule },
    });
    expect(created.status).toBe(200);
    const planId = created.body.id;
    await (
      await th.client.send(cid, {
        kind: "checkin-plan",
        text: "New check-in plan",
        checkinPlan: {
          planId,
          instrument: "custom",
          custom: { title: markers.scaleTitle, items: [markers.scaleItem], min: 0, max: 10 },
          schedule,
        },
      })
    ).sent;
    const answeredAt = new Date().toISOString();
    await (
      await pa.client.send(cid, {
        kind: "checkin",
        text: "Check-in answered",
        checkin: { planId, instrument: "mood", answers: [2], note: markers.note, answeredAt },
      })
    ).sent;
    await (
      await pa.client.send(cid, {
        kind: "checkin",
        text: "Check-in answered",
        checkin: { planId, instrument: "phq9", answers: [3, 2, 1, 0, 3, 2, 1, 0, 2], answeredAt },
      })
    ).sent;
    // They really travelled: the therapist's device decrypts and reads them.
    const view = th.client.conversation(cid);
    await view.load();
    await until(() => view.messages.filter((m) => m.content?.kind === "checkin").length === 2, "answers");
    const answers = view.messages.flatMap((m) => (m.content?.kind === "checkin" ? [m.content.checkin] : []));
    expect(answers.map((a) => a?.note)).toEqual([markers.note, undefined]);
    const paView = pa.client.conversation(cid);
    await paView.load();
    await until(() => paView.messages.some((m) => m.content?.kind === "checkin-plan"), "plan");

    const haystacks = storedHaystacks(t);
    const found: string[] = [];
    for (const [what, marker] of Object.entries(markers)) {
      for (const f of [...forms(marker), ...forms(`${run}-`)]) {
        for (const h of haystacks) if (h.text.includes(f)) found.push(`${what} as ${f} in ${h.name}`);
      }
    }
    // Nor the shape of an answer: the instrument names and the answers array.
    for (const shape of ['"answers":[3,2,1,0,3,2,1,0,2]', '"instrument":"phq9"', '"kind":"checkin"']) {
      for (const f of forms(shape)) {
        for (const h of haystacks) if (h.text.includes(f)) found.push(`${shape} as ${f} in ${h.name}`);
      }
    }
    expect(found).toEqual([]);

    // Control: the same scan finds a check-in sent with the plain (test-only) codec.
    const plain = new TestClient(t.url, p.patients[0]!);
    clients.push(plain);
    await plain.connect();
    const control = `CONTROL-${run}-a plain note is visible`;
    await (
      await plain.client.send(cid, {
        kind: "checkin",
        text: "Check-in answered",
        checkin: { instrument: "mood", answers: [3], note: control, answeredAt },
      })
    ).sent;
    const scan = () => databaseHaystacks(t).some((h) => forms(control).some((x) => h.text.includes(x)));
    expect(scan()).toBe(true);
  });
});
