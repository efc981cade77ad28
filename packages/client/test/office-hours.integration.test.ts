import type { ConversationId, OfficeHours } from "@hearth/protocol";
import { login, makePractice, startTestServer, type TestServer } from "@hearth/server/testing";
import { afterEach, describe, expect, it } from "vitest";
import { placeAutomatic } from "../src/index.ts";
import { ManualClock } from "../src/testing.ts";
import { recordedClients } from "./support/recorded-clients.ts";

/** Monday to Friday, 09:00–17:00 in Berlin. */
const HOURS: OfficeHours = {
  timeZone: "Europe/Berlin",
  weekly: [1, 2, 3, 4, 5].map((day) => ({ day, start: "09:00", end: "17:00" })),
  away: [],
  awayText: "I read messages on working days.",
  typicalReplyHours: 24,
  autoReply: true,
};

describe("SDK: office hours and the automatic reply", () => {
  let t: TestServer | undefined;
  const { make, connected, closeAll } = recordedClients(() => t?.url ?? "");

  afterEach(async () => {
    closeAll();
    await t?.stop();
    t = undefined;
  });

  it("one automatic entry per closed period, after the patient's message, with the next opening across the DST change", async () => {
    // Saturday 2026-03-28, 13:00 in Berlin; summer time begins on Sunday at 02:00.
    const serverClock = new ManualClock(Date.UTC(2026, 2, 28, 12, 0));
    const to = (at: number) => serverClock.advance(at - serverClock.now());
    t = await startTestServer({ clock: serverClock, sessionIdleMs: 30 * 24 * 3_600_000 });
    const p = await makePractice(t, 1);
    const cid = p.patients[0]!.conversationId as ConversationId;
    expect(
      (await t.call("PUT", "/v1/me/office-hours", { token: p.therapist.token, body: HOURS })).status,
    ).toBe(200);

    const pa = make(p.patients[0]!, { fetch });
    await connected(pa);
    const view = pa.client.conversation(cid);
    const hours = pa.client.officeHours(cid);
    await view.load();
    await hours.load();

    // The header: out now, back on Monday at 09:00 local, which is 07:00 UTC in summer time.
    const [therapist] = hours.therapists(serverClock.now());
    expect(therapist).toMatchObject({ userId: p.therapist.userId, hours: HOURS, status: { open: false } });
    expect(new Date(therapist!.status.nextOpenAt ?? 0).toISOString()).toBe("2026-03-30T07:00:00.000Z");

    const first = await (await pa.client.send(cid, { text: "Are you there?" })).sent;
    await pa.rec.waitFor(() => hours.entries.length === 1, "the automatic entry");
    const [entry] = hours.entries;
    expect(entry).toEqual({
      kind: "automatic",
      automatic: true,
      id: expect.stringMatching(/^arp_/),
      conversationId: cid,
      therapistId: p.therapist.userId,
      afterSeq: first.seq,
      at: new Date(Date.UTC(2026, 2, 28, 12, 0)).toISOString(),
      nextOpenAt: "2026-03-30T07:00:00.000Z",
      typicalReplyHours: 24,
      awayText: HOURS.awayText,
    });
    // Marked automatic, and not a message: it has no sender, so no screen can show it as the therapist's.
    expect(entry).not.toHaveProperty("senderId");

    // Later messages of the same closed period (across the change to summer time) get none.
    to(Date.UTC(2026, 2, 29, 9, 0));
    const second = await (await pa.client.send(cid, { text: "Still here" })).sent;
    await pa.rec.waitFor(() => view.messages.length === 2, "both messages");
    await t.server.officeHours.idle();
    await hours.refresh();
    expect(hours.entries).toHaveLength(1);
    expect(
      placeAutomatic(view.messages, hours.entries).map((r) =>
        r.kind === "automatic" ? "automatic" : r.message.content?.text,
      ),
    ).toEqual(["Are you there?", "automatic", "Still here"]);
    expect(second.seq).toBeGreaterThan(first.seq);

    // In office hours (Monday 10:00 local): "in", and no automatic reply.
    to(Date.UTC(2026, 2, 30, 8, 0));
    expect(hours.therapists(serverClock.now())[0]?.status).toMatchObject({
      open: true,
      closesAt: Date.UTC(2026, 2, 30, 15, 0),
    });
    await (await pa.client.send(cid, { text: "Thanks" })).sent;
    await t.server.officeHours.idle();
    await hours.refresh();
    expect(hours.entries).toHaveLength(1);

    // Monday evening is a new closed period: a second entry, back on Tuesday at 09:00 local.
    to(Date.UTC(2026, 2, 30, 17, 30));
    const evening = await (await pa.client.send(cid, { text: "One more thing" })).sent;
    await pa.rec.waitFor(() => hours.entries.length === 2, "the second automatic entry");
    expect(hours.entries[1]).toMatchObject({ afterSeq: evening.seq, nextOpenAt: "2026-03-31T07:00:00.000Z" });

    // Another device of the patient's (or this one after a reload) finds both, recorded on the server.
    const again = make(await login(t, await loginOf(t, p.patients[0]!.token), "tablet"), { fetch });
    await connected(again);
    const reloaded = again.client.officeHours(cid);
    await reloaded.load();
    expect(reloaded.entries.map((e) => e.id)).toEqual(hours.entries.map((e) => e.id));
    reloaded.close();
    hours.close();
  });
});

async function loginOf(t: TestServer, token: string): Promise<string> {
  return (await t.call<{ login: string }>("GET", "/v1/me", { token })).body.login;
}
