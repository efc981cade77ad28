import {
  base64ToBytes,
  type ConversationId,
  type LogEntry,
  LogEntrySchema,
  parse,
  type UserId,
} from "@hearth/protocol";
import { type BackoffOptions, fullJitterDelay } from "../backoff.ts";
import type { ReceivedMessage } from "../client-events.ts";
import type { ClientStore, StoredMessage } from "../client-store.ts";
import type { Clock, TimerHandle } from "../clock.ts";
import type { DisconnectReason } from "../connection/connection-state.ts";
import type { HearthApi } from "../hearth-api.ts";
import type { MessageContent, PayloadCodec, UndecryptableReason } from "../payload-codec.ts";
import { InboundSequencer } from "./inbound-sequencer.ts";

/** What {@link Inbound} needs from the client. */
export interface InboundHost {
  /** To fill a gap over HTTP; without it a gap resumes from the cursor on a fresh socket. */
  api: HearthApi | undefined;
  store: ClientStore;
  clock: Clock;
  random: () => number;
  codec(): PayloadCodec;
  /** One page of a gap fill that takes longer than this is abandoned (and tried again later). */
  gapFillTimeoutMs: number;
  /** The socket now (work queued for an older one is dropped). */
  generation(): number;
  userId(): UserId | undefined;
  /** An MLS commit entry, for the crypto layer, before it is delivered. */
  commit(entry: LogEntry): Promise<void>;
  /** An entry was stored and its cursor moved: tell the application. */
  delivered(message: ReceivedMessage): void;
  recycle(reason: DisconnectReason): void;
  error(code: string, message: string): void;
}

const HISTORY_PAGE = 500;
/** Fill attempts for one gap before the client resumes from its cursor on a fresh socket instead. */
const GAP_ATTEMPTS = 3;
const GAP_BACKOFF: BackoffOptions = { minMs: 250, maxMs: 5_000 };
const TIMED_OUT = Symbol("timed out");

/** One conversation's queue of inbound jobs: the last one queued, and how many have not ended. */
interface Lane {
  tail: Promise<void>;
  queued: number;
}

/**
 * Inbound log entries, delivered exactly once and in seq order per conversation. Each conversation
 * has its own lane (jobs run one at a time in it, so async decoding and gap filling never reorder
 * its entries); lanes run side by side, so a slow gap fill in one conversation never holds up
 * another. A gap is filled over HTTP with a bounded wait per page; when that fails, the
 * conversation alone waits and tries again with backoff, and after {@link GAP_ATTEMPTS} failures
 * the client resumes from its cursors on a fresh socket. Internal to {@link HearthClient}.
 */
export class Inbound {
  readonly #host: InboundHost;
  readonly sequencer = new InboundSequencer();
  readonly #lanes = new Map<string, Lane>();
  #barrier: Promise<void> = Promise.resolve();
  readonly #stalled = new Map<string, { upTo: number; attempt: number; timer: TimerHandle }>();

  constructor(host: InboundHost) {
    this.#host = host;
  }

  /** Runs `job` in a conversation's lane, after everything queued there (and the last barrier). */
  run(conversationId: string, job: () => Promise<void>): void {
    let lane = this.#lanes.get(conversationId);
    if (!lane) {
      lane = { tail: this.#barrier, queued: 0 };
      this.#lanes.set(conversationId, lane);
    }
    lane.queued += 1;
    const generation = this.#host.generation();
    const l = lane;
    // One `then` and one async call per job (a message): the lane is forgotten when its last job ends.
    lane.tail = lane.tail.then(() => this.#job(generation, job, conversationId, l));
  }

  /** Runs `job` once every lane has finished what is queued now; later jobs wait for it (`synced`). */
  barrier(job: () => Promise<void>): void {
    const all = Promise.all([this.#barrier, ...[...this.#lanes.values()].map((l) => l.tail)]);
    this.#lanes.clear();
    const generation = this.#host.generation();
    this.#barrier = all.then(() => this.#job(generation, job));
  }

  /**
   * Runs `job` unless the socket it was queued for is gone by then. A job that throws (the store
   * failed) recycles the socket: the next one resumes from the cursors. Never rejects.
   */
  async #job(generation: number, job: () => Promise<void>, conversationId?: string, lane?: Lane) {
    try {
      if (this.#host.generation() === generation) await job();
    } catch (err: unknown) {
      this.#host.error("store_error", String(err));
      this.#host.recycle("store_error");
    } finally {
      if (lane && --lane.queued === 0 && this.#lanes.get(conversationId ?? "") === lane) {
        this.#lanes.delete(conversationId ?? "");
      }
    }
  }

  /** The socket went: waiting gap fills end (the next socket resumes from the cursors). */
  dropped(): void {
    for (const s of this.#stalled.values()) this.#host.clock.clearTimeout(s.timer);
    this.#stalled.clear();
  }

  /** A `message` frame's entry. */
  receive(entry: LogEntry): void {
    this.run(entry.conversationId, () => this.#receive(entry));
  }

  async #receive(entry: LogEntry) {
    const cid = entry.conversationId;
    const stalled = this.#stalled.get(cid);
    if (stalled) {
      // This conversation waits for a gap fill; the fill will fetch this entry too.
      stalled.upTo = Math.max(stalled.upTo, entry.seq);
      return;
    }
    const verdict = this.sequencer.check(cid, entry.seq);
    if (verdict === "duplicate") return;
    if (verdict === "gap" && !(await this.#fillGap(cid, entry.seq - 1))) {
      this.#stall(cid, entry.seq, 0);
      return;
    }
    if (this.sequencer.check(cid, entry.seq) === "deliver") await this.#deliver(entry);
  }

  /** A gap could not be filled now: this conversation alone waits and tries again later. */
  #stall(conversationId: ConversationId, upTo: number, attempt: number) {
    if (!this.#host.api || attempt >= GAP_ATTEMPTS) {
      // Resume from the cursor on a fresh socket rather than deliver out of order.
      this.#host.recycle("sequence_gap");
      return;
    }
    const delay = fullJitterDelay(attempt, GAP_BACKOFF, this.#host.random);
    const s = { upTo, attempt, timer: undefined as TimerHandle };
    s.timer = this.#host.clock.setTimeout(() => {
      this.run(conversationId, async () => {
        if (this.#stalled.get(conversationId) !== s) return;
        this.#stalled.delete(conversationId);
        if (!(await this.#fillGap(conversationId, s.upTo))) this.#stall(conversationId, s.upTo, attempt + 1);
      });
    }, delay);
    this.#stalled.set(conversationId, s);
  }

  /** Reads the missing entries (cursor, upTo] over HTTP and delivers them. False if it could not. */
  async #fillGap(conversationId: ConversationId, upTo: number): Promise<boolean> {
    const api = this.#host.api;
    if (!api) return false;
    while (this.sequencer.cursor(conversationId) < upTo) {
      const after = this.sequencer.cursor(conversationId);
      const limit = Math.min(HISTORY_PAGE, upTo - after);
      const abort = new AbortController();
      let raw: unknown;
      try {
        raw = await this.#bounded(
          api.call("history", {
            params: { id: conversationId },
            query: { after, limit },
            signal: abort.signal,
          }),
          abort,
        );
      } catch {
        return false;
      }
      if (raw === TIMED_OUT) return false;
      const list = (raw as { entries?: unknown } | null)?.entries;
      if (!Array.isArray(list) || list.length === 0) return false;
      for (const item of list as unknown[]) {
        const r = parse(LogEntrySchema, item);
        if (!r.ok || r.value.conversationId !== conversationId) return false;
        if (r.value.seq > upTo) break;
        if (this.sequencer.check(conversationId, r.value.seq) === "deliver") await this.#deliver(r.value);
      }
      if (this.sequencer.cursor(conversationId) === after) return false;
    }
    return true;
  }

  /**
   * Waits at most `gapFillTimeoutMs` for `p`, then cancels its request (a hung request must not
   * hold its lane forever).
   */
  #bounded<T>(p: Promise<T>, abort: AbortController): Promise<T | typeof TIMED_OUT> {
    const { clock, gapFillTimeoutMs } = this.#host;
    let timer: TimerHandle;
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = clock.setTimeout(() => {
        abort.abort();
        resolve(TIMED_OUT);
      }, gapFillTimeoutMs);
    });
    p.catch(() => undefined); // an abandoned request may still fail later
    return Promise.race([p, timeout]).finally(() => clock.clearTimeout(timer));
  }

  async #deliver(entry: LogEntry) {
    const base = {
      conversationId: entry.conversationId,
      seq: entry.seq,
      messageId: entry.messageId,
      senderId: entry.senderId,
      senderDeviceId: entry.senderDeviceId,
      sentAt: entry.sentAt,
    };
    let stored: StoredMessage;
    if (entry.kind === "delete") {
      stored = entry.target
        ? { ...base, kind: "tombstone", target: entry.target }
        : { ...base, kind: "tombstone" };
    } else if (entry.kind === "commit") {
      await this.#host.commit(entry);
      stored = { ...base, kind: "commit" };
    } else if (entry.deleted || entry.body === undefined) {
      stored = { ...base, kind: "deleted" };
    } else {
      const content = await this.#decode(entry.body, {
        conversationId: entry.conversationId,
        messageId: entry.messageId,
        senderId: entry.senderId,
        senderDeviceId: entry.senderDeviceId,
      });
      stored =
        "reason" in content
          ? { ...base, kind: "message", undecryptable: content.reason }
          : { ...base, kind: "message", content };
    }
    // The decode above may have awaited: check again that nothing else delivered this seq meanwhile.
    if (this.sequencer.check(entry.conversationId, entry.seq) !== "deliver") return;
    this.sequencer.advance(entry.conversationId, entry.seq);
    await this.#host.store.saveDelivered(stored);
    this.#host.delivered({ ...stored, own: entry.senderId === this.#host.userId(), entry });
  }

  async #decode(
    body: string,
    ctx: Parameters<PayloadCodec["decode"]>[1],
  ): Promise<MessageContent | { reason: UndecryptableReason }> {
    try {
      const r = await this.#host.codec().decode(base64ToBytes(body), ctx);
      return r.ok ? r.content : { reason: r.reason };
    } catch {
      return { reason: "codec_error" };
    }
  }
}
