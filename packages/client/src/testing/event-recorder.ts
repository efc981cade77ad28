import type { ConversationId } from "@hearth/protocol";
import type { HearthClient, HearthClientEvents, ReceivedMessage } from "../hearth-client.ts";

/**
 * Every event a {@link HearthClient} emits. `satisfies` keeps it complete: a new event in
 * {@link HearthClientEvents} that is missing here fails to compile.
 */
export const CLIENT_EVENT_NAMES = [
  "state",
  "ready",
  "synced",
  "message",
  "queued",
  "sent",
  "failed",
  "receipt",
  "typing",
  "presence",
  "conversation",
  "appointment",
  "welcome",
  "error",
  "device-added",
  "device-removed",
  "identity-changed",
  "device-unverified",
  "auto-reply",
] as const satisfies readonly (keyof HearthClientEvents)[];

type MissingEvent = Exclude<keyof HearthClientEvents, (typeof CLIENT_EVENT_NAMES)[number]>;
const complete: [MissingEvent] extends [never] ? true : MissingEvent = true;
void complete;

/**
 * Records everything a {@link HearthClient} emits, for assertions in tests (a documented hook: no
 * test needs to reach into the client's private state).
 *
 * @example
 * const rec = new EventRecorder(client);
 * client.connect();
 * await rec.waitFor(() => rec.texts(cid).length === 3, "three messages");
 */
export class EventRecorder {
  /** Every event so far, by name, in order. */
  readonly events: { [K in keyof HearthClientEvents]: HearthClientEvents[K][] };
  readonly #off: (() => void)[] = [];

  constructor(client: HearthClient) {
    const events = {} as Record<string, unknown[]>;
    for (const name of CLIENT_EVENT_NAMES) {
      const list: unknown[] = [];
      events[name] = list;
      this.#off.push(client.on(name, (p) => list.push(p)));
    }
    this.events = events as EventRecorder["events"];
  }

  /** The `message` events so far. */
  get messages(): ReceivedMessage[] {
    return this.events.message;
  }

  /** Texts received in a conversation, in order (`<reason>` for an undecryptable one). */
  texts(conversationId: ConversationId | string): string[] {
    return this.messages
      .filter((m) => m.conversationId === conversationId && m.kind === "message")
      .map((m) => m.content?.text ?? `<${m.undecryptable}>`);
  }

  /** Polls until `pred` holds; rejects naming `what` after `ms`. */
  async waitFor(pred: () => boolean, what: string, ms = 15_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Stops recording. */
  dispose(): void {
    for (const off of this.#off.splice(0)) off();
  }
}
