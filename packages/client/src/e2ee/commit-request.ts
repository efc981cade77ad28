import { bytesToBase64, type ConversationId, type DeviceId, newId, type ServerFrame } from "@hearth/protocol";
import type { CommitResult } from "../client-events.ts";

/** An MLS commit as the crypto layer hands it to the client. */
export interface CommitFrame {
  conversationId: ConversationId;
  epoch: number;
  body: Uint8Array;
  welcomes?: { deviceId: DeviceId; body: Uint8Array }[];
  groupInfo?: Uint8Array;
}

/**
 * Sends an MLS commit made in `epoch` as one request and reads the answer: the new epoch, or a
 * coded refusal (`stale_commit` with the current epoch, `connection_lost`, `unexpected_response`).
 * Not queued: the crypto layer decides what to do when it fails.
 */
export async function requestCommit(
  request: (frame: Record<string, unknown>) => Promise<ServerFrame>,
  frame: CommitFrame,
): Promise<CommitResult> {
  let answer: ServerFrame;
  try {
    answer = await request({
      type: "commit",
      conversationId: frame.conversationId,
      messageId: newId("msg"),
      epoch: frame.epoch,
      body: bytesToBase64(frame.body),
      ...(frame.welcomes
        ? { welcomes: frame.welcomes.map((w) => ({ deviceId: w.deviceId, body: bytesToBase64(w.body) })) }
        : {}),
      ...(frame.groupInfo ? { groupInfo: bytesToBase64(frame.groupInfo) } : {}),
    });
  } catch {
    return { ok: false, code: "connection_lost" };
  }
  if (answer.type === "ack" && answer.seq !== undefined && answer.epoch !== undefined) {
    return { ok: true, seq: answer.seq, epoch: answer.epoch };
  }
  if (answer.type === "error") {
    return answer.epoch === undefined
      ? { ok: false, code: answer.code }
      : { ok: false, code: answer.code, epoch: answer.epoch };
  }
  return { ok: false, code: "unexpected_response" };
}
