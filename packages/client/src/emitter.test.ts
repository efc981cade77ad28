import { describe, expect, it, vi } from "vitest";
import { Emitter } from "./emitter.ts";

interface Events {
  ping: { n: number };
  done: undefined;
}
class Thing extends Emitter<Events> {
  fire<K extends keyof Events>(k: K, p: Events[K]) {
    this.emit(k, p);
  }
}

describe("Emitter", () => {
  it("calls listeners in order with the typed payload; on() returns the remover", () => {
    const t = new Thing();
    const seen: string[] = [];
    const off = t.on("ping", (p) => seen.push(`a${p.n}`));
    t.on("ping", (p) => seen.push(`b${p.n}`));
    t.fire("ping", { n: 1 });
    off();
    t.fire("ping", { n: 2 });
    t.fire("done", undefined);
    expect(seen).toEqual(["a1", "b1", "b2"]);
  });

  it("once() runs a listener for one event only", () => {
    const t = new Thing();
    const l = vi.fn();
    t.once("ping", l);
    t.fire("ping", { n: 1 });
    t.fire("ping", { n: 2 });
    expect(l).toHaveBeenCalledTimes(1);
    expect(l).toHaveBeenCalledWith({ n: 1 });
  });

  it("a throwing listener does not stop the others; its error is rethrown later", async () => {
    const t = new Thing();
    const boom = new Error("boom");
    const second = vi.fn();
    t.on("ping", () => {
      throw boom;
    });
    t.on("ping", second);
    const thrown: unknown[] = [];
    const spy = vi.spyOn(globalThis, "queueMicrotask").mockImplementation((fn) => {
      try {
        fn();
      } catch (e) {
        thrown.push(e);
      }
    });
    t.fire("ping", { n: 1 });
    spy.mockRestore();
    expect(second).toHaveBeenCalled();
    expect(thrown).toEqual([boom]);
  });

  it("a listener removed during emit still sees that event, not later ones", () => {
    const t = new Thing();
    const seen: number[] = [];
    let offB = () => {};
    t.on("ping", () => offB());
    offB = t.on("ping", (p) => seen.push(p.n));
    t.fire("ping", { n: 1 });
    t.fire("ping", { n: 2 });
    expect(seen).toEqual([1]);
  });
});
