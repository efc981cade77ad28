import { dayLabel, sameDay } from "../../format/time.ts";
import type { ChatMessage } from "../../state/hearth-session.ts";

/** One row of the message list: a day heading, the "new messages" line, or a message. */
export type ChatRow =
  | { kind: "day"; key: string; label: string }
  | { kind: "unread"; key: string }
  | { kind: "message"; key: string; m: ChatMessage };

/**
 * The rows of a conversation: a day heading wherever the day changes, and the "new messages" line
 * before the first message from someone else past the read marker the conversation opened with.
 */
export function chatRows(list: readonly ChatMessage[], readAtOpen: number | undefined): ChatRow[] {
  const out: ChatRow[] = [];
  let prev: ChatMessage | undefined;
  let unreadShown = false;
  for (const m of list) {
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
