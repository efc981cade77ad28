import type { ConversationId, ConversationSummary, DeviceId, UserId } from "@hearth/protocol";
import type { HearthApi } from "../hearth-api.ts";

/** What {@link E2eeSession.setUp} found. */
export type EncryptionSetup =
  | { kind: "new-identity"; recoveryKey: string }
  | { kind: "ready" }
  | { kind: "needs-history" };

/** Events the session raises through the client. */
export interface E2eeEvents {
  "device-added": { conversationId: ConversationId; userId: UserId; deviceId: DeviceId };
  "device-removed": { conversationId: ConversationId; userId: UserId; deviceId: DeviceId };
  "identity-changed": { userId: UserId };
  "device-unverified": { conversationId: ConversationId; userId: UserId; deviceId: DeviceId; code: string };
  error: { code: string; message: string };
}

/** What the session needs from the client it belongs to. */
export interface E2eeHost {
  api: HearthApi;
  /** The conversation list from the server (saved on the device as it comes). */
  conversations(): Promise<ConversationSummary[]>;
  /** The conversation list as last saved on this device (who to encrypt to without a network). */
  savedConversations(): Promise<ConversationSummary[]>;
  commit(frame: {
    conversationId: ConversationId;
    epoch: number;
    body: Uint8Array;
    welcomes?: { deviceId: DeviceId; body: Uint8Array }[];
  }): Promise<{ ok: true; seq: number; epoch: number } | { ok: false; code: string; epoch?: number }>;
  welcomeProcessed(conversationId: ConversationId): void;
  emit<K extends keyof E2eeEvents>(name: K, payload: E2eeEvents[K]): void;
}

/** A coded failure of an encryption call (`wrong_recovery_key`, `transfer_code_mismatch`, …). */
export class EncryptionError extends Error {
  readonly code: string;
  constructor(code: string) {
    super(`encryption: ${code}`);
    this.name = "EncryptionError";
    this.code = code;
  }
}
