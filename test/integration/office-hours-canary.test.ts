import type { AutoReply, ConversationId, OfficeHours } from "@hearth/protocol";
import { makePractice, type Practice, startTestServer, type TestServer } from "@hearth/server/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { databaseHaystacks, markerStrings as forms, storedHaystacks } from "../support/attachments.ts";
import { converged, E2eeTestClient, until } from "../support/e2ee.ts";

/** Today's ISO weekday in Berlin, so the hours below are closed whenever the test runs. */
function berlinWeekday(): number {
  const name = new Intl.DateTimeFormat("en-US", { timeZone: "Europe/Berlin", weekday: "short" }).format(
    new Date(),
  );
  return ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(name) + 1;
}

/**
 * Canary: a patient's end-to-end-encrypted message outside office hours causes an automatic reply;
 * the message's text appears nowhere on the server — database, WAL, logs — nor in the automatic
 * reply the server recorded and announced (which holds only the therapist's own settings).
 */
describe("canary: an automatic reply carries nothing of the patient's message", () => {
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

  it("the message is read by the therapist, the automatic reply arrives, and the text is nowhere on the server", async () => {
    const awayText = "Back on my working day; for urgent help see the crisis lines below.";
    const hours: OfficeHours = {
      timeZone: "Europe/Berlin",
      weekly: [{ day: ((berlinWeekday() + 1) % 7) + 1, start: "09:00", end: "17:00" }],
      away: [],
      awayText,
      typicalReplyHours: 24,
      autoReply: true,
    };
    expect(
      (await t.call("PUT", "/v1/me/office-hours", { token: p.therapist.token, body: hours })).status,
    ).toBe(200);

    const th = new E2eeTestClient(t.url, p.therapist);
    const pa = new E2eeTestClient(t.url, p.patients[0]!);
    clients.push(th, pa);
    await th.client.crypto.setUp();
    await pa.client.crypto.setUp();
    await th.connect();
    await pa.connect();
    await until(() => converged([th, pa], cid, [p.therapist.deviceId, p.patients[0]!.deviceId]), "one group");
    const announced: AutoReply[] = [];
    pa.client.on("auto-reply", (r) => announced.push(r));

    const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    const text = `CANARY-AFTER-HOURS-${run}-I can't sleep and the thoughts are back`;
    await (await pa.client.send(cid, { text })).sent;
    await th.waitFor(() => th.texts(cid).includes(text), "the therapist reads it");
    await until(() => announced.length === 1, "the automatic reply");
    await t.server.officeHours.idle();
    const listed = await t.call<{ autoReplies: AutoReply[] }>(
      "GET",
      `/v1/conversations/${cid}/auto-replies`,
      {
        token: p.patients[0]!.token,
      },
    );
    expect(listed.body.autoReplies).toEqual(announced);

    const haystacks = storedHaystacks(t);
    haystacks.push(
      { name: "auto_reply frame", text: JSON.stringify(announced) },
      { name: "auto-replies answer", text: JSON.stringify(listed.body) },
    );
    const found: string[] = [];
    for (const f of [...forms(text), ...forms(`${run}-`)]) {
      for (const h of haystacks) if (h.text.includes(f)) found.push(`${f} in ${h.name}`);
    }
    expect(found).toEqual([]);
    // Control: the scan reads the right files (the reply's id and the therapist's own text are there).
    expect(databaseHaystacks(t).some((h) => h.text.includes(announced[0]!.id))).toBe(true);
    expect(haystacks.some((h) => h.text.includes(awayText))).toBe(true);
  });
});
