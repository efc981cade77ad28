import { base64ToBytes, type ServerFrame } from "@hearth/protocol";
import type { Calls } from "./calls/calls.ts";
import type { HearthClientEvents } from "./client-events.ts";
import type { Connection } from "./connection/connection.ts";
import type { E2eeSession } from "./e2ee/e2ee-session.ts";
import type { Inbound } from "./inbound/inbound.ts";
import type { OutboxSender } from "./outbox/outbox-sender.ts";
import type { Receipts } from "./receipts.ts";
import type { Typing } from "./typing.ts";

/** The parts of a {@link HearthClient} that server frames go to, and its event emitter. */
export interface FrameTargets {
  readonly conn: Connection;
  readonly inbound: Inbound;
  readonly outbox: OutboxSender;
  readonly receipts: Receipts;
  readonly typing: Typing;
  readonly e2ee: E2eeSession | undefined;
  readonly calls: Calls;
  readonly emit: <K extends keyof HearthClientEvents>(event: K, payload: HearthClientEvents[K]) => void;
}

/** Hands one frame the server pushed (not an answer to a request) to the part of the client it is for. */
export function dispatchFrame(f: ServerFrame, to: FrameTargets) {
  switch (f.type) {
    case "message":
      return to.inbound.receive(f.entry);
    case "synced":
      return to.inbound.barrier(async () => {
        to.conn.resetBackoff(); // only a connection that got this far resets the backoff
        to.conn.synced();
        to.emit("synced", undefined);
        to.outbox.flush();
        to.receipts.flush();
        void to.e2ee?.reconcileAll().catch(() => undefined);
      });
    case "receipt":
      return to.emit("receipt", {
        conversationId: f.conversationId,
        userId: f.userId,
        kind: f.kind,
        seq: f.seq,
      });
    case "typing":
      return to.typing.received(f.conversationId, f.userId, f.active, f.ttlMs);
    case "presence":
      return to.emit("presence", { userId: f.userId, online: f.online });
    case "conversation":
      to.e2ee?.scheduleReconcile(f.conversationId);
      return to.emit("conversation", { conversationId: f.conversationId });
    case "devices":
      return to.e2ee?.scheduleReconcile(f.conversationId);
    case "appointment":
      return to.emit("appointment", {
        conversationId: f.conversationId,
        appointmentId: f.appointmentId,
        change: f.change,
        by: f.by,
      });
    case "call":
      return to.calls.receive(f);
    case "welcome":
      return to.inbound.run(f.conversationId, async () => {
        const body = base64ToBytes(f.body);
        await to.e2ee?.onWelcome(f.conversationId, f.seq, body);
        to.emit("welcome", { conversationId: f.conversationId, seq: f.seq, body });
      });
    case "auto_reply":
      return to.emit("auto-reply", f.autoReply);
    case "error":
      return to.emit("error", { code: f.code, message: f.message });
    default:
      // ready/ack/pong for a request that already timed out: nothing to do.
      return;
  }
}
