import { ERROR_CODES, newCallId, type ServerFrame } from "@hearth/protocol";
import {
  makePractice,
  type Practice,
  RawSocket,
  startTestServer,
  type TestServer,
} from "@hearth/server/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const isCall = (f: ServerFrame) => f.type === "call";

/**
 * Bad input to the calls surface (issue 12): arbitrary `call` frames and call settings get a coded
 * refusal, relay nothing and change nothing; what is accepted is exactly what the schema allows.
 */
describe("calls: bad input is refused with a code and relays nothing", () => {
  let t: TestServer;
  let p: Practice;
  let cid: string;
  let otherCid: string;

  beforeAll(async () => {
    t = await startTestServer({ turn: { urls: ["turn:127.0.0.1:3478"], secret: "bad-input-secret" } });
    p = await makePractice(t, 2);
    cid = p.patients[0]!.conversationId!;
    otherCid = p.patients[1]!.conversationId!;
  });
  afterAll(async () => {
    await t.stop();
  });

  it("arbitrary call frames: a known code or an ack; only acked frames reach the other side (property)", async () => {
    const caller = await RawSocket.hello(t.wsUrl, p.therapist.token);
    const callee = await RawSocket.hello(t.wsUrl, p.patients[0]!.token);
    const callId = newCallId();
    let expected = 0;
    let id = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          // Well-formed frames (a signal's device may still be outside the conversation).
          fc
            .oneof(
              fc.constantFrom<Record<string, unknown>>(
                { action: "ring", media: "audio" },
                { action: "ring", media: "video" },
                { action: "accept" },
                { action: "decline" },
                { action: "busy" },
                { action: "hangup" },
              ),
              fc
                .constantFrom(p.patients[0]!.deviceId, p.therapist.deviceId, p.patients[1]!.deviceId)
                .map((toDeviceId) => ({ action: "signal", toDeviceId, body: b64("sealed") })),
            )
            .map((f) => ({ conversationId: cid, callId, ...f })),
          fc.record(
            {
              conversationId: fc.oneof(fc.constant(cid), fc.constant(otherCid), fc.string({ maxLength: 40 })),
              callId: fc.oneof(fc.constant(callId), fc.string({ maxLength: 50 }), fc.integer()),
              action: fc.oneof(
                fc.constantFrom("ring", "accept", "decline", "busy", "hangup", "signal"),
                fc.string({ maxLength: 10 }),
              ),
              media: fc.oneof(fc.constantFrom("audio", "video"), fc.string({ maxLength: 6 })),
              toDeviceId: fc.oneof(
                fc.constant(p.patients[0]!.deviceId),
                fc.constant(p.therapist.deviceId),
                fc.constant(p.patients[1]!.deviceId),
                fc.string({ maxLength: 30 }),
              ),
              body: fc.oneof(
                fc.constant(b64("sealed")),
                fc.string({ maxLength: 40 }),
                fc.constant("A".repeat(70_000)),
              ),
              extra: fc.anything(),
            },
            { requiredKeys: ["action"] },
          ),
        ),
        async (fields) => {
          id += 1;
          const answer = await caller.request({ type: "call", id, ...fields });
          if (answer.type === "error") {
            expect(ERROR_CODES).toContain(answer.code);
            return;
          }
          expect(answer).toMatchObject({ type: "ack", id });
          // Accepted: the schema held, in a conversation of the caller's (the therapist is a member of
          // both). The callee is in `cid` only, and hears it unless it was a signal to someone else.
          expect([cid, otherCid]).toContain(fields.conversationId);
          if (fields.conversationId !== cid) return;
          const f = fields as { action?: unknown; toDeviceId?: unknown };
          if (f.action !== "signal" || f.toDeviceId === p.patients[0]!.deviceId) expected += 1;
        },
      ),
      { numRuns: 300 },
    );
    // A last, valid frame: once it arrived, everything relayed before it has too.
    const sentinel = newCallId();
    const last = await caller.request({
      type: "call",
      id: ++id,
      conversationId: cid,
      callId: sentinel,
      action: "hangup",
    });
    expect(last).toMatchObject({ type: "ack" });
    await callee.next((f) => isCall(f) && f.callId === sentinel);
    expect(callee.frames.filter(isCall).length).toBe(expected);
    expect(expected).toBeGreaterThan(0);
    await caller.closeAndWait();
    await callee.closeAndWait();
  });

  it("call settings: arbitrary bodies are refused with a code and leave the setting as it was (property)", async () => {
    const token = p.patients[0]!.token;
    expect((await t.call("PUT", "/v1/calls/settings", { token, body: { relayOnly: true } })).status).toBe(
      200,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.anything(),
          fc.record({ relayOnly: fc.oneof(fc.string(), fc.integer(), fc.constant(null)) }),
          fc.record({
            relayOnly: fc.boolean(),
            more: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
          }),
        ),
        async (body) => {
          const r = await t.call<{ code: string }>("PUT", "/v1/calls/settings", { token, body });
          expect(r.status).toBeLessThan(500);
          expect(r.status).toBeGreaterThanOrEqual(400);
          expect(ERROR_CODES).toContain(r.body.code);
          expect((await t.call("GET", "/v1/calls/settings", { token })).body).toEqual({ relayOnly: true });
        },
      ),
      { numRuns: 100 },
    );
  });

  it("TURN credentials: arbitrary query strings never cause a 5xx and are issued only to a session", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 60 }), async (q) => {
        const path = `/v1/calls/turn?${encodeURIComponent(q)}=${encodeURIComponent(q)}`;
        const anon = await t.call<{ code: string }>("GET", path);
        expect(anon).toMatchObject({ status: 401, body: { code: "unauthenticated" } });
        const r = await t.call<{ code?: string; username?: string }>("GET", path, {
          token: p.therapist.token,
        });
        expect(r.status).toBeLessThan(500);
        if (r.status >= 400) expect(ERROR_CODES).toContain(r.body.code);
        else expect(r.body.username).toMatch(/^\d+:[A-Za-z0-9_-]{22}$/);
      }),
      { numRuns: 50 },
    );
  });
});
