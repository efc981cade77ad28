import {
  type AutoReply,
  type ConversationId,
  type OfficeHours,
  type OfficeStatus,
  officeStatus,
  type UserId,
} from "@hearth/protocol";
import type { HearthClientEvents } from "../client-events.ts";
import { Emitter } from "../emitter.ts";
import type { HearthApi } from "../hearth-api.ts";

/**
 * A therapist's automatic reply as the conversation shows it: an entry of its own, always marked
 * automatic (`automatic: true`, `kind: "automatic"`), never a message and never "from" the therapist
 * in person. It speaks for `therapistId`'s office hours as they were when it was made; the screen
 * adds the crisis lines of the patient's own region (from the bundled directory, on the device).
 */
export interface AutomaticEntry {
  kind: "automatic";
  automatic: true;
  id: string;
  conversationId: ConversationId;
  /** Whose office hours it speaks for (not its author: nobody wrote it). */
  therapistId: UserId;
  /** It follows this message (seq) of the patient's. */
  afterSeq: number;
  at: string;
  /** When the therapist is next available (ISO), or null when no opening is ahead. */
  nextOpenAt: string | null;
  typicalReplyHours: number;
  /** The therapist's own away note, if they set one. */
  awayText: string | null;
}

/** One therapist of the conversation: their office hours and where they stand now. */
export interface TherapistHours {
  userId: UserId;
  hours: OfficeHours;
  status: OfficeStatus;
}

/** One row of a conversation with its automatic entries placed: a message, or an automatic entry. */
export type ConversationRow<M> =
  | { kind: "message"; message: M }
  | { kind: "automatic"; entry: AutomaticEntry };

/** Events of an {@link OfficeHoursView}. */
export interface OfficeHoursViewEvents {
  /** The hours or the automatic entries changed. */
  change: undefined;
}

interface Host {
  api: HearthApi;
  now(): number;
  on<K extends keyof HearthClientEvents>(event: K, listener: (e: HearthClientEvents[K]) => void): () => void;
}

const toEntry = (r: AutoReply): AutomaticEntry => ({
  kind: "automatic",
  automatic: true,
  id: r.id,
  conversationId: r.conversationId,
  therapistId: r.therapistId,
  afterSeq: r.afterSeq,
  at: r.at,
  nextOpenAt: r.nextOpenAt,
  typicalReplyHours: r.typicalReplyHours,
  awayText: r.awayText,
});

/**
 * A conversation's office hours and automatic replies: what the chat header shows ("in" or "out
 * now", the hours) and the automatic entries to place among the messages ({@link placeAutomatic}).
 * The server records an automatic reply (once per closed period) and announces it with an
 * `auto_reply` frame; this view loads the recorded ones and adds the announced ones. Made by
 * {@link HearthClient.officeHours}; call `load()` once and `close()` when the screen goes.
 *
 * @example
 * const hours = client.officeHours(cid);
 * hours.on("change", render);
 * await hours.load();
 * const rows = placeAutomatic(view.messages, hours.entries);
 * const [therapist] = hours.therapists(); // therapist?.status.open
 */
export class OfficeHoursView extends Emitter<OfficeHoursViewEvents> {
  readonly conversationId: ConversationId;
  readonly #host: Host;
  #hours: { userId: UserId; hours: OfficeHours }[] = [];
  #entries: AutomaticEntry[] = [];
  readonly #off: (() => void)[] = [];
  #loading: Promise<void> | undefined;

  /** @internal Made by {@link HearthClient.officeHours}. */
  constructor(conversationId: ConversationId, host: Host) {
    super();
    this.conversationId = conversationId;
    this.#host = host;
    this.#off.push(
      host.on("auto-reply", (r) => {
        if (r.conversationId === conversationId && this.#add([toEntry(r)])) this.emit("change", undefined);
      }),
      // Back after being away: replies recorded meanwhile are fetched again.
      host.on("synced", () => {
        if (this.#loading) void this.refresh().catch(() => undefined);
      }),
    );
  }

  /** The automatic entries, ordered by the message they follow. */
  get entries(): readonly AutomaticEntry[] {
    return this.#entries;
  }

  /** `messages` with this view's automatic entries placed among them ({@link placeAutomatic}). */
  place<M extends { seq: number | undefined }>(messages: readonly M[]): ConversationRow<M>[] {
    return placeAutomatic(messages, this.#entries);
  }

  /** The conversation's therapists with office hours, and whether each is in now (or at `at`). */
  therapists(at = this.#host.now()): TherapistHours[] {
    return this.#hours.map((h) => ({ ...h, status: officeStatus(h.hours, at) }));
  }

  /** Loads the hours and the recorded automatic replies, once; later calls return the same. */
  load(): Promise<void> {
    this.#loading ??= this.refresh();
    return this.#loading;
  }

  /** Reads the hours and the recorded automatic replies again. */
  async refresh(): Promise<void> {
    const params = { id: this.conversationId };
    const [hours, replies] = await Promise.all([
      this.#host.api.call("conversationOfficeHours", { params }),
      this.#host.api.call("autoReplies", { params }),
    ]);
    this.#hours = hours.therapists;
    this.#add(replies.autoReplies.map(toEntry));
    this.emit("change", undefined);
  }

  #add(entries: AutomaticEntry[]): boolean {
    const known = new Set(this.#entries.map((e) => e.id));
    const fresh = entries.filter((e) => !known.has(e.id));
    if (fresh.length === 0) return false;
    this.#entries = [...this.#entries, ...fresh].sort(
      (a, b) => a.afterSeq - b.afterSeq || a.at.localeCompare(b.at),
    );
    return true;
  }

  /** Stops listening. */
  close(): void {
    for (const off of this.#off.splice(0)) off();
  }
}

/**
 * The conversation's rows: its messages in order, each automatic entry right after the message it
 * follows (or after the last stored message before it, when that one is not here).
 */
export function placeAutomatic<M extends { seq: number | undefined }>(
  messages: readonly M[],
  entries: readonly AutomaticEntry[],
): ConversationRow<M>[] {
  const rows: ConversationRow<M>[] = [];
  let next = 0;
  for (const message of messages) {
    // Automatic entries that follow an earlier seq go before this message.
    while (
      next < entries.length &&
      message.seq !== undefined &&
      (entries[next]?.afterSeq ?? 0) < message.seq
    ) {
      rows.push({ kind: "automatic", entry: entries[next++] as AutomaticEntry });
    }
    rows.push({ kind: "message", message });
    while (next < entries.length && message.seq !== undefined && entries[next]?.afterSeq === message.seq) {
      rows.push({ kind: "automatic", entry: entries[next++] as AutomaticEntry });
    }
  }
  for (; next < entries.length; next++)
    rows.push({ kind: "automatic", entry: entries[next] as AutomaticEntry });
  return rows;
}
