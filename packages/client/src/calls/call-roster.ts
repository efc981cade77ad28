import type { DeviceId, UserId } from "@hearth/protocol";

/**
 * Who takes part in this device's call, as the call frames told it: the device that rang, every
 * device that accepted, the members still to answer, and whether this device itself is in. It
 * decides who offers on each pair of devices, so that two devices never offer to each other at once:
 * the caller offers to every device that accepts; between two devices that both accepted, the one
 * with the smaller device id offers, as soon as it knows both accepted.
 */
export class CallRoster {
  /** Remote devices known to take part: the caller's (from its ring) and every device that accepted. */
  readonly joined = new Map<DeviceId, UserId>();
  /** The device that rang us (undefined when this device is the caller). */
  caller: DeviceId | undefined;
  /** Rung users who have not declined or been busy (a group call rings on while one is left). */
  readonly #callees = new Set<UserId>();
  /** This device takes part: it rang, or it accepted and is ready for offers. */
  inside = false;
  /** Devices this device is opening a link to (so one pair never gets two offers). */
  readonly offering = new Set<DeviceId>();

  /** A new call: this device rings `users`. */
  dialled(users: readonly UserId[]): void {
    this.#clear();
    for (const u of users) this.#callees.add(u);
    this.inside = true;
  }

  /** A new call: `from` rings this device. */
  rung(from: { userId: UserId; deviceId: DeviceId }): void {
    this.#clear();
    this.caller = from.deviceId;
    this.joined.set(from.deviceId, from.userId);
  }

  /** Whether a signal from this device of this user belongs to the call. */
  takesPart(deviceId: DeviceId, userId: UserId): boolean {
    return this.joined.get(deviceId) === userId;
  }

  /** Another device accepted; true when this device offers to it. */
  accepted(me: DeviceId, other: { userId: UserId; deviceId: DeviceId }): boolean {
    this.joined.set(other.deviceId, other.userId);
    return this.inside && (this.caller === undefined || me < other.deviceId);
  }

  /** This device accepted: the devices that accepted before it and that it offers to. */
  acceptedHere(me: DeviceId): { userId: UserId; deviceId: DeviceId }[] {
    this.inside = true;
    return [...this.joined]
      .filter(([deviceId]) => deviceId !== this.caller && me < deviceId)
      .map(([deviceId, userId]) => ({ userId, deviceId }));
  }

  /** A rung member declined or is busy; true when nobody is left who might answer or is in the call. */
  refused(userId: UserId): boolean {
    this.#callees.delete(userId);
    return this.#callees.size === 0 && this.joined.size === 0;
  }

  /**
   * A device hung up; false if it was not in the call. `empty` then says whether no other device is
   * left (and, while still ringing out, nobody is left to answer either).
   */
  left(deviceId: DeviceId, ringing: boolean): { wasIn: boolean; empty: boolean } {
    const wasIn = this.joined.delete(deviceId);
    this.offering.delete(deviceId);
    return { wasIn, empty: this.joined.size === 0 && (!ringing || this.#callees.size === 0) };
  }

  /** The device's link failed for good: it no longer counts as in the call. */
  lost(deviceId: DeviceId): void {
    this.joined.delete(deviceId);
    this.offering.delete(deviceId);
  }

  /** The call ended. */
  ended(): void {
    this.inside = false;
    this.offering.clear();
  }

  #clear() {
    this.joined.clear();
    this.#callees.clear();
    this.offering.clear();
    this.caller = undefined;
    this.inside = false;
  }
}
