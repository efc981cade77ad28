import type { ConversationId, UserId } from "@hearth/protocol";
import type { OutboxItem, StoredMessage } from "../client-store.ts";
import type { MessageContent } from "../payload-codec.ts";
import type { CheckinEntry } from "./checkin-trends.ts";

/** What {@link deviceCheckinEntries} reads of a client; a `HearthClient` fits. */
export interface CheckinHistorySource {
  /** Stored messages of a conversation with seq < `beforeSeq`, oldest first, at most `limit`. */
  localMessages(
    conversationId: ConversationId,
    opts?: { beforeSeq?: number; limit?: number },
  ): Promise<StoredMessage[]>;
  /** This device's messages still waiting for their ack. */
  pendingItems(): OutboxItem[];
  /** This device's user, once known (the sender of its pending messages). */
  readonly userId: UserId | undefined;
}

const isCheckin = (c: MessageContent | undefined) => c?.kind === "checkin" || c?.kind === "checkin-plan";

/**
 * Every check-in answer and plan this device holds for a conversation, oldest first: all of the
 * local store (page by page, however far back the conversation goes — not only what a screen has
 * loaded), then this device's pending ones (an answer given offline counts at once), then any of
 * `also` (e.g. an open view's messages) not among them. Deleted messages are left out. This is what
 * trends and the FHIR export are computed from, on the device; nothing is asked of the server.
 *
 * @example
 * const entries = await deviceCheckinEntries(client, conversationId, { also: view.messages });
 * const trends = checkinTrends(entries, plans, Date.now());
 */
export async function deviceCheckinEntries(
  source: CheckinHistorySource,
  conversationId: ConversationId,
  options: { also?: readonly CheckinEntry[]; pageSize?: number } = {},
): Promise<CheckinEntry[]> {
  const pageSize = Math.max(1, options.pageSize ?? 500);
  // Newest page first, walking back by seq until a short page (or seq 1) says there is no more.
  const pages: StoredMessage[][] = [];
  let before: number | undefined;
  for (;;) {
    const page = await source.localMessages(conversationId, {
      ...(before === undefined ? {} : { beforeSeq: before }),
      limit: pageSize,
    });
    pages.unshift(page);
    const first = page[0];
    if (page.length < pageSize || first === undefined || first.seq <= 1) break;
    before = first.seq;
  }
  const byId = new Map<string, CheckinEntry>();
  for (const page of pages) {
    for (const m of page) {
      if (m.kind !== "message" || !isCheckin(m.content)) continue;
      byId.set(m.messageId, {
        messageId: m.messageId,
        senderId: m.senderId,
        sentAt: m.sentAt,
        content: m.content,
      });
    }
  }
  const pending = source
    .pendingItems()
    .filter((i) => i.kind === "send" && i.conversationId === conversationId && isCheckin(i.content))
    .sort((a, b) => a.position - b.position);
  for (const i of pending) {
    if (byId.has(i.messageId)) continue;
    byId.set(i.messageId, {
      messageId: i.messageId,
      senderId: source.userId,
      sentAt: new Date(i.createdAt).toISOString(),
      content: i.content,
    });
  }
  for (const e of options.also ?? []) {
    if (isCheckin(e.content) && !byId.has(e.messageId)) byId.set(e.messageId, e);
  }
  return [...byId.values()];
}
