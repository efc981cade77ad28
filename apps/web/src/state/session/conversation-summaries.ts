import type { ReceivedMessage } from "@hearth/client";
import type { ConversationSummary } from "@hearth/protocol";

/**
 * A message event moves its conversation's summary (last activity, and unread for others'
 * messages past the read marker). False if the conversation is not in the list (yet).
 */
export function countMessage(conversations: readonly ConversationSummary[], m: ReceivedMessage): boolean {
  const summary = conversations.find((c) => c.conversationId === m.conversationId);
  if (!summary) return false;
  if (m.seq > summary.lastSeq) {
    summary.lastSeq = m.seq;
    summary.lastActivityAt = m.sentAt;
    if (!m.own && m.kind === "message" && m.seq > summary.readSeq) summary.unread++;
  }
  return true;
}

/**
 * My read marker in a conversation moves forward (never back); nothing is unread once it reaches
 * the last message. False if nothing moved.
 */
export function moveReadSeq(
  conversations: readonly ConversationSummary[],
  conversationId: string,
  seq: number,
): boolean {
  const summary = conversations.find((c) => c.conversationId === conversationId);
  if (!summary || seq <= summary.readSeq) return false;
  summary.readSeq = seq;
  if (seq >= summary.lastSeq) summary.unread = 0;
  return true;
}

/** A member's display name in a conversation: "You" for me, "Someone" if not (yet) known. */
export function memberName(
  conversations: readonly ConversationSummary[],
  conversationId: string,
  userId: string,
  ownUserId: string,
): string {
  if (userId === ownUserId) return "You";
  const summary = conversations.find((c) => c.conversationId === conversationId);
  return summary?.members.find((m) => m.userId === userId)?.displayName ?? "Someone";
}
