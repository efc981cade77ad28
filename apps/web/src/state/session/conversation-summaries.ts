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

/**
 * A list fetched from the server keeps the read markers this device has moved further (a read
 * receipt still on its way when the list was fetched): a marker never goes back. Returns the
 * summaries whose marker was kept, still past the end of their log or not (their unread count is
 * the server's, counted from its older marker, until recounted).
 */
export function keepReadMarkers(
  before: readonly ConversationSummary[],
  fetched: readonly ConversationSummary[],
): ConversationSummary[] {
  const kept: ConversationSummary[] = [];
  for (const summary of fetched) {
    const mine = before.find((c) => c.conversationId === summary.conversationId);
    if (!mine || mine.readSeq <= summary.readSeq) continue;
    summary.readSeq = mine.readSeq;
    if (summary.readSeq >= summary.lastSeq) summary.unread = 0;
    kept.push(summary);
  }
  return kept;
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
