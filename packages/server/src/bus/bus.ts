import type {
  AppointmentChange,
  AppointmentId,
  AutoReply,
  CallAction,
  CallId,
  CallMedia,
  ConversationId,
  DeviceId,
  LogEntry,
  UserId,
} from "@hearth/protocol";

/**
 * Events that travel between the connections of one node, and between nodes (Redis pub/sub for
 * scale). They carry ids, sequence numbers and ciphertext frames only.
 */
export type BusEvent =
  /** A new log entry, as the protocol's `message` frame carries it. */
  | { type: "entry"; entry: LogEntry }
  | {
      type: "receipt";
      conversationId: ConversationId;
      userId: UserId;
      kind: "delivered" | "read";
      seq: number;
    }
  | { type: "typing"; conversationId: ConversationId; userId: UserId; deviceId: DeviceId; active: boolean }
  | { type: "presence"; userId: UserId; online: boolean }
  /** The user was added to a conversation (topic `user:<id>`). */
  | { type: "conversation"; conversationId: ConversationId }
  /** A welcome for one of the user's devices (topic `user:<id>`); body is base64. */
  | { type: "welcome"; deviceId: DeviceId; conversationId: ConversationId; seq: number; body: string }
  /**
   * A member's set of devices changed: one signed out or a new one published key packages (topic
   * `conv:<id>`); members bring the conversation's MLS group up to date.
   */
  | { type: "devices"; conversationId: ConversationId; userId: UserId }
  /** A therapist's automatic reply is due (topic `conv:<id>`): their settings, never content. */
  | { type: "auto_reply"; autoReply: AutoReply }
  /** An appointment of the conversation changed (topic `conv:<id>`): members read it again. */
  | {
      type: "appointment";
      conversationId: ConversationId;
      appointmentId: AppointmentId;
      change: AppointmentChange;
      by: UserId;
    }
  /**
   * A call-control step (topic `conv:<id>`), relayed and never stored. `body` (a `signal`'s MLS
   * ciphertext, base64) goes only to `toDeviceId`.
   */
  | {
      type: "call";
      conversationId: ConversationId;
      callId: CallId;
      action: CallAction;
      fromUserId: UserId;
      fromDeviceId: DeviceId;
      media?: CallMedia;
      toDeviceId?: DeviceId;
      body?: string;
    }
  /** One of the user's devices was signed out (topic `user:<id>`). */
  | { type: "revoked"; deviceId: DeviceId };

/** Topic of a conversation's events. */
export const conversationTopic = (conversationId: string) => `conv:${conversationId}`;
/** Topic of a user's private events (new conversations, revoked devices). */
export const userTopic = (userId: string) => `user:${userId}`;

/** A live subscription. */
export interface Subscription {
  ready: Promise<void>;
  off: () => void;
}

/**
 * The fan-out port. Delivery is best effort: a lost event costs latency, never data, because
 * clients and connections detect sequence gaps and read them from the store.
 */
export interface Bus {
  publish(topic: string, event: BusEvent): void;
  /**
   * Subscribes. `ready` resolves once events published from now on will reach the handler (for a
   * network bus, when the server confirmed the subscription); `off` unsubscribes.
   */
  subscribe(topic: string, handler: (event: BusEvent) => void): Subscription;
  close(): Promise<void>;
  /**
   * Registers `listener` to run each time a network bus is back after losing its server: events
   * published meanwhile may be lost, so subscribers read what they missed from the store. Returns
   * the unregister function. Absent for the in-process bus, which cannot lose its connection.
   */
  onReconnect?(listener: () => void): () => void;
  /** Resolves when the bus's server answers now (rejects otherwise); absent for the in-process bus. */
  ping?(): Promise<void>;
}
