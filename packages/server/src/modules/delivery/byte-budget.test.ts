import { describe, expect, it } from "vitest";
import type { Clock } from "../../clock.ts";
import { ByteBudgets, TokenBucket } from "./byte-budget.ts";

/** Time that moves only when the test says so (the buckets read `now` only). */
function stillClock(start = 0): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    setTimeout: () => undefined,
    clearTimeout: () => undefined,
    advance: (ms) => {
      now += ms;
    },
  };
}

const rates = {
  frames: { perSecond: 10, burst: 20 },
  socket: { perSecond: 100, burst: 400 },
  user: { perSecond: 200, burst: 600 },
};

describe("TokenBucket", () => {
  it("starts full, refills at its rate and never past its burst", () => {
    const clock = stillClock();
    const b = new TokenBucket({ perSecond: 100, burst: 300 }, clock);
    expect(b.available()).toBe(300);
    b.take(300);
    expect(b.available()).toBe(0);
    clock.advance(500);
    expect(b.available()).toBe(50);
    clock.advance(60_000);
    expect(b.available()).toBe(300);
    expect(b.full()).toBe(true);
  });
});

describe("ByteBudgets", () => {
  it("refuses a frame over the socket's byte budget and takes nothing from the others", () => {
    const clock = stillClock();
    const budgets = new ByteBudgets(rates, clock);
    const s = budgets.open();
    expect(s.charge(300)).toBe(true);
    expect(s.charge(200)).toBe(false);
    // The refused frame cost no frame token and no bytes: what is left still fits.
    expect(s.charge(100)).toBe(true);
    expect(s.charge(1)).toBe(false);
    clock.advance(1000);
    expect(s.charge(100)).toBe(true);
  });

  it("counts frames as well as bytes", () => {
    const s = new ByteBudgets(rates, stillClock()).open();
    for (let i = 0; i < 20; i++) expect(s.charge(1)).toBe(true);
    expect(s.charge(1)).toBe(false);
  });

  it("shares the user's budget between the user's sockets, and keeps it across reconnects", () => {
    const clock = stillClock();
    const budgets = new ByteBudgets(rates, clock);
    const a = budgets.open();
    const b = budgets.open();
    a.bindUser("usr_1");
    b.bindUser("usr_1");
    expect(a.charge(400)).toBe(true);
    expect(b.charge(300)).toBe(false);
    expect(b.charge(200)).toBe(true);
    a.release();
    b.release();
    // A new socket of the same user starts with a full socket budget but the user's drained one.
    const c = budgets.open();
    c.bindUser("usr_1");
    expect(c.charge(1)).toBe(false);
    // Another user is not affected.
    const d = budgets.open();
    d.bindUser("usr_2");
    expect(d.charge(400)).toBe(true);
  });

  it("forgets a user without sockets once their budget has refilled", () => {
    const clock = stillClock();
    const budgets = new ByteBudgets(rates, clock);
    const a = budgets.open();
    a.bindUser("usr_1");
    a.charge(400);
    a.release();
    clock.advance(10_000);
    budgets.open().bindUser("usr_2");
    expect(budgets.users).toBe(1);
  });
});
