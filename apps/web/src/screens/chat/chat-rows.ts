import type { AutomaticEntry, ConversationRow } from "@hearth/client";
import { dayLabel, sameDay } from "../../format/time.ts";
import type { ChatMessage } from "../../state/hearth-session.ts";

/** One row of the message list: a day heading, the "new messages" line, a message, or an automatic reply. */
export type ChatRow =
  | { kind: "day"; key: string; label: string }
  | { kind: "unread"; key: string }
  | { kind: "message"; key: string; m: ChatMessage }
  | { kind: "automatic"; key: string; entry: AutomaticEntry };

/** Places automatic replies among the messages (the SDK's `OfficeHoursView.place`). */
export type PlaceAutomatic = (messages: readonly ChatMessage[]) => ConversationRow<ChatMessage>[];

const messagesOnly: PlaceAutomatic = (messages) => messages.map((message) => ({ kind: "message", message }));

/**
 * The rows of a conversation: a day heading wherever the day changes, the "new messages" line
 * before the first message from someone else past the read marker the conversation opened with, and
 * each automatic reply after the message it answers.
 */
export function chatRows(
  list: readonly ChatMessage[],
  readAtOpen: number | undefined,
  place: PlaceAutomatic = messagesOnly,
): ChatRow[] {
  const out: ChatRow[] = [];
  let prev: ChatMessage | undefined;
  let unreadShown = false;
  for (const row of place(list)) {
    if (row.kind === "automatic") {
      out.push({ kind: "automatic", key: row.entry.id, entry: row.entry });
      continue;
    }
    const m = row.message;
    if (!prev || !sameDay(prev.sentAt, m.sentAt)) {
      out.push({ kind: "day", key: `day:${m.messageId}`, label: dayLabel(m.sentAt) });
    }
    if (!unreadShown && readAtOpen !== undefined && !m.own && m.seq !== undefined && m.seq > readAtOpen) {
      out.push({ kind: "unread", key: "unread" });
      unreadShown = true;
    }
    out.push({ kind: "message", key: m.messageId, m });
    prev = m;
  }
  return out;
}
