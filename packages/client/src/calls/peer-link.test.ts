import { describe, expect, it } from "vitest";
import { FakePeerConnection, fingerprint, sdpWithFingerprint } from "../testing/fake-peer-connection.ts";
import { ManualClock } from "../testing/manual-clock.ts";
import type { CallSignal } from "./call-signal.ts";
import type { CallFailure } from "./call-state.ts";
import { ICE_ATTEMPT_MS, ICE_DISCONNECTED_GRACE_MS, MAX_ICE_RESTARTS, PeerLink } from "./peer-link.ts";

/*
 * One pair of devices losing its network path mid-call: the link restarts ICE (new ICE credentials,
 * the same DTLS certificate, checked again) instead of ending the call, and gives up only after a
 * few attempts. The browser's RTCPeerConnection is scripted (WebRTC is the platform's, not ours).
 */

const THEIRS = fingerprint("BB");
const offerFrom = (fp: string): CallSignal => ({
  kind: "offer",
  sdp: sdpWithFingerprint(fp),
  fingerprints: [`sha-256 ${fp}`],
});
const answerFrom = (fp: string): CallSignal => ({ ...offerFrom(fp), kind: "answer" }) as CallSignal;

function link() {
  const clock = new ManualClock();
  const pc = new FakePeerConnection({ iceServers: [], iceTransportPolicy: "relay" });
  const signals: CallSignal[] = [];
  const events: string[] = [];
  const failures: CallFailure[] = [];
  const l = new PeerLink(
    pc,
    {
      signal: (s) => signals.push(s),
      connected: () => events.push("connected"),
      reconnecting: () => events.push("reconnecting"),
      failed: (f) => failures.push(f),
      remoteStream: () => {},
    },
    undefined,
    clock,
  );
  const flush = async () => {
    for (let i = 0; i < 20; i++) await Promise.resolve();
  };
  const offers = () => signals.filter((s) => s.kind === "offer");
  return { clock, pc, l, signals, events, failures, flush, offers };
}

/** An offering link whose first connection is up. */
async function upAsOfferer() {
  const t = link();
  await t.l.offer();
  await t.l.receive(answerFrom(THEIRS));
  t.pc.up();
  await t.flush();
  expect(t.events).toEqual(["connected"]);
  return t;
}

/** An answering link whose first connection is up. */
async function upAsAnswerer() {
  const t = link();
  await t.l.receive(offerFrom(THEIRS));
  t.pc.up();
  await t.flush();
  expect(t.events).toEqual(["connected"]);
  return t;
}

describe("PeerLink: ICE restarts", () => {
  it("offerer: a failed path restarts ICE at once and the call comes back, checked against the same certificate", async () => {
    const t = await upAsOfferer();
    t.pc.to("failed");
    await t.flush();
    expect(t.events).toEqual(["connected", "reconnecting"]);
    expect(t.pc.offers).toEqual([{ iceRestart: false }, { iceRestart: true }]);
    expect(t.offers()).toHaveLength(2);
    await t.l.receive(answerFrom(THEIRS));
    t.pc.up();
    await t.flush();
    expect(t.events).toEqual(["connected", "reconnecting", "connected"]);
    expect(t.failures).toEqual([]);
  });

  it("a short disconnection that heals by itself restarts nothing; a longer one restarts after the grace period", async () => {
    const t = await upAsOfferer();
    t.pc.to("disconnected");
    t.clock.advance(ICE_DISCONNECTED_GRACE_MS - 1);
    t.pc.up();
    await t.flush();
    t.clock.advance(ICE_ATTEMPT_MS * 2);
    await t.flush();
    expect(t.pc.offers).toHaveLength(1);
    expect(t.events).toEqual(["connected", "reconnecting", "connected"]);

    t.pc.to("disconnected");
    t.clock.advance(ICE_DISCONNECTED_GRACE_MS);
    await t.flush();
    expect(t.pc.offers.at(-1)).toEqual({ iceRestart: true });
  });

  it("gives up with ice_failed after the last restart does not reconnect", async () => {
    const t = await upAsOfferer();
    t.pc.to("failed");
    await t.flush();
    for (let i = 1; i < MAX_ICE_RESTARTS; i++) {
      await t.l.receive(answerFrom(THEIRS)); // answered, but the path does not come back
      t.clock.advance(ICE_ATTEMPT_MS);
      await t.flush();
    }
    expect(t.pc.offers.filter((o) => o.iceRestart)).toHaveLength(MAX_ICE_RESTARTS);
    expect(t.failures).toEqual([]);
    await t.l.receive(answerFrom(THEIRS));
    t.clock.advance(ICE_ATTEMPT_MS);
    await t.flush();
    expect(t.failures).toEqual(["ice_failed"]);
  });

  it("a first connection that never comes up is retried, an unanswered offer is not offered over", async () => {
    const t = link();
    await t.l.offer();
    // No answer yet: the attempt passes without a new offer (one can't be made over a pending one).
    t.clock.advance(ICE_ATTEMPT_MS);
    await t.flush();
    expect(t.pc.offers).toHaveLength(1);
    await t.l.receive(answerFrom(THEIRS));
    t.clock.advance(ICE_ATTEMPT_MS);
    await t.flush();
    expect(t.pc.offers).toEqual([{ iceRestart: false }, { iceRestart: true }]);
    await t.l.receive(answerFrom(THEIRS));
    t.pc.up();
    await t.flush();
    expect(t.events).toEqual(["connected"]);
  });

  it("answerer: asks the offering side to restart, and answers its new offer", async () => {
    const t = await upAsAnswerer();
    t.pc.to("failed");
    await t.flush();
    expect(t.signals.at(-1)).toEqual({ kind: "restart" });
    expect(t.events).toEqual(["connected", "reconnecting"]);
    const answers = t.signals.filter((s) => s.kind === "answer").length;
    await t.l.receive(offerFrom(THEIRS));
    expect(t.signals.filter((s) => s.kind === "answer")).toHaveLength(answers + 1);
    t.pc.up();
    await t.flush();
    expect(t.events).toEqual(["connected", "reconnecting", "connected"]);
  });

  it("refuses a renegotiation that names another DTLS certificate (someone in the middle)", async () => {
    const t = await upAsAnswerer();
    t.pc.to("failed");
    await t.flush();
    await t.l.receive(offerFrom(fingerprint("CC")));
    expect(t.failures).toEqual(["fingerprint_mismatch"]);
    const o = await upAsOfferer();
    o.pc.to("failed");
    await o.flush();
    await o.l.receive(answerFrom(fingerprint("CC")));
    expect(o.failures).toEqual(["fingerprint_mismatch"]);
  });

  it("offerer: a restart request restarts even before this side noticed, once per grace period", async () => {
    const t = await upAsOfferer();
    await t.l.receive({ kind: "restart" });
    await t.flush();
    expect(t.events).toEqual(["connected", "reconnecting"]);
    expect(t.pc.offers).toEqual([{ iceRestart: false }, { iceRestart: true }]);
    await t.l.receive({ kind: "restart" });
    await t.flush();
    expect(t.pc.offers).toHaveLength(2);
    // The path was fine after all: the answer comes and the connection never left `connected`.
    await t.l.receive(answerFrom(THEIRS));
    t.clock.advance(ICE_ATTEMPT_MS);
    await t.flush();
    expect(t.events).toEqual(["connected", "reconnecting", "connected"]);
    expect(t.failures).toEqual([]);
  });

  it("a closed link restarts nothing", async () => {
    const t = await upAsOfferer();
    t.pc.to("disconnected");
    t.l.close();
    t.clock.advance(ICE_ATTEMPT_MS * 10);
    await t.flush();
    expect(t.pc.offers).toHaveLength(1);
    expect(t.failures).toEqual([]);
  });
});
