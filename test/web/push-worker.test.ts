import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";

const SOURCE = readFileSync(resolve(import.meta.dirname, "../../apps/web/sw/push.js"), "utf8");
const ORIGIN = "https://hearth.example";
const REF = "Zm9vYmFyYmF6cXV4cXV1eA";

type Handler = (event: unknown) => void;

/**
 * The service worker's push part (apps/web/sw/push.js) run against a stand-in of the worker's
 * globals: which notification each push shows, and where a click on one leads. (The browser test,
 * test/browser/push.test.ts, runs the built worker in Chromium; a notification click cannot be
 * made there, so its address is checked here.)
 */
function loadWorker(opts: { windows?: { url: string }[]; names?: Record<string, string> } = {}) {
  const handlers = new Map<string, Handler>();
  const shown: {
    title: string;
    options: { body: string; tag: string; data: unknown; requireInteraction?: boolean };
  }[] = [];
  const opened: string[] = [];
  const posted: unknown[] = [];
  let focused = 0;
  const windows = (opts.windows ?? []).map((w) => ({
    url: w.url,
    postMessage: (m: unknown) => posted.push(m),
    focus: async () => {
      focused += 1;
    },
  }));
  const self = {
    location: { origin: ORIGIN },
    addEventListener: (type: string, fn: Handler) => handlers.set(type, fn),
    registration: {
      showNotification: async (title: string, options: (typeof shown)[number]["options"]) => {
        shown.push({ title, options });
      },
    },
    clients: {
      matchAll: async () => windows,
      openWindow: async (url: string) => {
        opened.push(url);
      },
    },
  };
  const caches = {
    open: async () => ({
      match: async () => (opts.names ? { json: async () => opts.names } : undefined),
    }),
    delete: async () => true,
  };
  runInNewContext(SOURCE, { self, caches, URL });
  const fire = async (type: string, event: Record<string, unknown>) => {
    const waits: Promise<unknown>[] = [];
    handlers.get(type)?.({ ...event, waitUntil: (p: Promise<unknown>) => waits.push(p) });
    await Promise.all(waits);
  };
  const push = (data: string | undefined) =>
    fire("push", {
      data:
        data === undefined
          ? null
          : {
              json: () => JSON.parse(data) as unknown,
            },
    });
  const click = (data: unknown) => fire("notificationclick", { notification: { data, close: () => {} } });
  return { push, click, shown, opened, posted, focused: () => focused };
}

describe("service worker: push and notification clicks", () => {
  it("shows the same words for every push, with only the reference kept", async () => {
    const w = loadWorker();
    await w.push(JSON.stringify({ v: 1, kind: "message", ref: REF }));
    await w.push("not json");
    await w.push(undefined);
    await w.push(JSON.stringify({ v: 1, kind: "message", ref: "../../../evil" }));
    expect(w.shown.map((n) => [n.title, n.options.body, n.options.tag, n.options.data])).toEqual([
      ["Hearth", "New message in Hearth", "hearth-new-message", { ref: REF }],
      ["Hearth", "New message in Hearth", "hearth-new-message", {}],
      ["Hearth", "New message in Hearth", "hearth-new-message", {}],
      ["Hearth", "New message in Hearth", "hearth-new-message", {}],
    ]);
  });

  it("names the sender only from the names this device kept, when the push carries an id", async () => {
    const named = loadWorker({ names: { usr_rowan: "Dr Rowan" } });
    await named.push(JSON.stringify({ v: 1, kind: "message", ref: REF, sender: "usr_rowan" }));
    await named.push(JSON.stringify({ v: 1, kind: "message", ref: REF, sender: "usr_unknown" }));
    expect(named.shown.map((n) => n.options.body)).toEqual([
      "New message from Dr Rowan",
      "New message in Hearth",
    ]);
    const none = loadWorker();
    await none.push(JSON.stringify({ v: 1, kind: "message", ref: REF, sender: "usr_rowan" }));
    expect(none.shown.map((n) => n.options.body)).toEqual(["New message in Hearth"]);
  });

  it("a click opens the conversation list told which conversation; an open Hearth is brought forward and told", async () => {
    const closed = loadWorker();
    await closed.click({ ref: REF });
    await closed.click({});
    await closed.click({ ref: "x/../../y" });
    expect(closed.opened).toEqual([`/conversations#push=${REF}`, "/conversations", "/conversations"]);

    const open = loadWorker({ windows: [{ url: `${ORIGIN}/settings` }] });
    await open.click({ ref: REF });
    expect(open.opened).toEqual([]);
    expect(open.posted).toEqual([{ type: "open-push", ref: REF }]);
    expect(open.focused()).toBe(1);
  });

  it("a check-in reminder says only 'Reminder from Hearth', and its click opens the check-in", async () => {
    const w = loadWorker();
    await w.push(JSON.stringify({ v: 1, kind: "checkin", ref: REF }));
    expect(w.shown.map((n) => [n.title, n.options.body, n.options.tag, n.options.data])).toEqual([
      ["Hearth", "Reminder from Hearth", "hearth-checkin", { ref: REF, kind: "checkin" }],
    ]);
    await w.click({ ref: REF, kind: "checkin" });
    expect(w.opened).toEqual([`/conversations#checkin=${REF}`]);
    const open = loadWorker({ windows: [{ url: `${ORIGIN}/conversations` }] });
    await open.click({ ref: REF, kind: "checkin" });
    expect(open.posted).toEqual([{ type: "open-push", ref: REF, checkin: true }]);
  });

  it("a ring says only 'Incoming call in Hearth', stays until acted on, and its click opens the conversation", async () => {
    const w = loadWorker();
    await w.push(JSON.stringify({ v: 1, kind: "call", ref: REF }));
    expect(
      w.shown.map((n) => [
        n.title,
        n.options.body,
        n.options.tag,
        n.options.requireInteraction,
        n.options.data,
      ]),
    ).toEqual([["Hearth", "Incoming call in Hearth", "hearth-call", true, { ref: REF }]]);
    await w.click({ ref: REF });
    expect(w.opened).toEqual([`/conversations#push=${REF}`]);
  });
});
