import type { CallsRtc } from "@hearth/client";
import { type ConversationId, newCallId } from "@hearth/protocol";
import { makePractice, type Practice, startTestServer, type TestServer } from "@hearth/server/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { databaseHaystacks, markerStrings as forms, storedHaystacks } from "../support/attachments.ts";
import { converged, E2eeTestClient, until } from "../support/e2ee.ts";
import { TestClient } from "../support/sdk.ts";

/**
 * A caller's device in Node: a camera and microphone that give no tracks, and no peer connection
 * (a declined call never opens one; WebRTC itself is exercised in the browser tests).
 */
const noMediaRtc: CallsRtc = {
  getUserMedia: async () => ({ getTracks: () => [] }),
  createPeerConnection: () => {
    throw new Error("a declined call opens no peer connection");
  },
};

describe("canary: a call's trace in the history never reaches the server's database, WAL or logs", () => {
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

  it("a declined video call leaves an end-to-end encrypted 'Video call declined' in both histories", async () => {
    const th = new E2eeTestClient(t.url, p.therapist, undefined, { calls: { rtc: noMediaRtc } });
    const pa = new E2eeTestClient(t.url, p.patients[0]!);
    clients.push(th, pa);
    await th.client.crypto.setUp();
    await pa.client.crypto.setUp();
    await th.connect();
    await pa.connect();
    await until(() => converged([th, pa], cid, [p.therapist.deviceId, p.patients[0]!.deviceId]), "one group");

    await th.client.calls.start(cid, "video", p.patients[0]!.userId);
    const callId = th.client.calls.state.callId;
    await until(() => pa.client.calls.state.phase === "ringing", "the patient's device rings");
    await pa.client.calls.decline();
    await until(() => th.client.calls.state.phase === "ended", "the caller hears the decline");
    expect(th.client.calls.state.reason).toBe("declined");

    // The trace reached the patient's device, decrypted there.
    const view = pa.client.conversation(cid);
    await view.load();
    await until(() => view.messages.some((m) => m.content?.kind === "call"), "the call's trace");
    const trace = view.messages.find((m) => m.content?.kind === "call")?.content;
    expect(trace).toEqual({
      kind: "call",
      text: "Video call declined",
      call: { callId, media: "video", outcome: "declined" },
    });

    const haystacks = storedHaystacks(t);
    const found: string[] = [];
    for (const shape of ["Video call declined", '"outcome":"declined"', '"kind":"call"', '"media":"video"']) {
      for (const f of forms(shape)) {
        for (const h of haystacks) if (h.text.includes(f)) found.push(`${shape} as ${f} in ${h.name}`);
      }
    }
    expect(found).toEqual([]);

    // Control: the same scan finds a trace sent with the plain (test-only) codec.
    const plain = new TestClient(t.url, p.patients[0]!);
    clients.push(plain);
    await plain.connect();
    const control = { callId: newCallId(), media: "audio" as const, outcome: "missed" as const };
    await (await plain.client.send(cid, { kind: "call", text: "CONTROL missed voice call", call: control }))
      .sent;
    const scan = () =>
      databaseHaystacks(t).some((h) => forms('"outcome":"missed"').some((x) => h.text.includes(x)));
    expect(scan()).toBe(true);
  });
});
