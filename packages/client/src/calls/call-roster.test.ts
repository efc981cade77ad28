import type { DeviceId, UserId } from "@hearth/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CallRoster } from "./call-roster.ts";

const caller = {
  userId: "usr_CALLERCALLERCALLERCALL" as UserId,
  deviceId: "dev_CALLERCALLERCALLERCALL" as DeviceId,
};
const deviceId = fc
  .stringMatching(/^[A-Za-z0-9_-]{22}$/)
  .map((s) => `dev_${s}` as DeviceId)
  .filter((d) => d !== caller.deviceId);

/** One acceptor's view: rung by the caller; `seesOtherFirst` means the other's accept came while ringing. */
function offersFrom(me: DeviceId, other: { userId: UserId; deviceId: DeviceId }, seesOtherFirst: boolean) {
  const r = new CallRoster();
  r.rung(caller);
  if (seesOtherFirst) {
    r.accepted(me, other); // still ringing: not inside yet, never offers from here
    return r.acceptedHere(me).some((d) => d.deviceId === other.deviceId);
  }
  r.acceptedHere(me);
  return r.accepted(me, other);
}

describe("call roster", () => {
  it("between two devices that accepted, exactly one offers, whatever order the accepts arrive in (property)", () => {
    fc.assert(
      fc.property(deviceId, deviceId, fc.constantFrom("a first", "b first", "together"), (a, b, order) => {
        fc.pre(a !== b);
        const A = { userId: "usr_AAAAAAAAAAAAAAAAAAAAAA" as UserId, deviceId: a };
        const B = { userId: "usr_BBBBBBBBBBBBBBBBBBBBBB" as UserId, deviceId: b };
        const aOffers = offersFrom(a, B, order === "b first");
        const bOffers = offersFrom(b, A, order === "a first");
        expect(Number(aOffers) + Number(bOffers)).toBe(1);
      }),
    );
  });

  it("the caller offers to every device that accepts; the devices never offer to the caller", () => {
    const r = new CallRoster();
    r.dialled(["usr_AAAAAAAAAAAAAAAAAAAAAA" as UserId]);
    expect(
      r.accepted(caller.deviceId, {
        userId: "usr_AAAAAAAAAAAAAAAAAAAAAA" as UserId,
        deviceId: "dev_0" as DeviceId,
      }),
    ).toBe(true);
    const callee = new CallRoster();
    callee.rung(caller);
    expect(callee.acceptedHere("dev_0" as DeviceId)).toEqual([]);
  });

  it("a ring ends for the caller once every rung member refused; a call once every other device left", () => {
    const r = new CallRoster();
    r.dialled(["usr_A" as UserId, "usr_B" as UserId]);
    expect(r.refused("usr_A" as UserId)).toBe(false);
    expect(r.refused("usr_B" as UserId)).toBe(true);
    const c = new CallRoster();
    c.dialled(["usr_A" as UserId, "usr_B" as UserId]);
    c.accepted(caller.deviceId, { userId: "usr_A" as UserId, deviceId: "dev_A" as DeviceId });
    expect(c.left("dev_X" as DeviceId, false)).toEqual({ wasIn: false, empty: false });
    expect(c.left("dev_A" as DeviceId, false)).toEqual({ wasIn: true, empty: true });
  });
});
