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

/** A read marker a fetched list had behind this device's (see {@link keepReadMarkers}). */
export interface KeptMarker {
  summary: ConversationSummary;
  /** The server's marker, from which its unread count was counted. */
  serverReadSeq: number;
}

/**
 * A list fetched from the server keeps the read markers this device has moved further: a marker
 * never goes back. The server's may be behind because the receipt was still on its way when the
 * list was fetched, or because it never left (receipts wait in memory: read offline, then the page
 * was reloaded); the caller sends the marker again. A kept marker at the end of the log leaves
 * nothing unread; otherwise the count is still the server's, from its older marker, until recounted.
 */
export function keepReadMarkers(
  before: readonly ConversationSummary[],
  fetched: readonly ConversationSummary[],
): KeptMarker[] {
  const kept: KeptMarker[] = [];
  for (const summary of fetched) {
    const mine = before.find((c) => c.conversationId === summary.conversationId);
    if (!mine || mine.readSeq <= summary.readSeq) continue;
    kept.push({ summary, serverReadSeq: summary.readSeq });
    summary.readSeq = mine.readSeq;
    if (summary.readSeq >= summary.lastSeq) summary.unread = 0;
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
