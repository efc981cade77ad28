import { isVoiceNote } from "../../components/attachment-view.tsx";
import type { ChatMessage, HearthSession } from "../../state/hearth-session.ts";

/** A short description of a message, for quotes and for screen-reader button names. */
export function about(m: ChatMessage): string {
  if (m.deleted) return "A deleted message";
  if (m.attachment && !m.text) {
    return isVoiceNote(m.attachment) ? "Voice note" : `File: ${m.attachment.name}`;
  }
  return snippet(m.text);
}

function snippet(text: string | undefined): string {
  if (!text) return "A deleted message";
  return text.length > 90 ? `${text.slice(0, 90)}…` : text;
}

/** "Replying to Sky", "Replying to you" (they quoted me), "Replying to yourself" (I quoted me). */
export function replyingTo(
  session: HearthSession,
  conversationId: string,
  m: ChatMessage,
  quoted: ChatMessage,
): string {
  if (!quoted.own) return `Replying to ${session.nameOf(conversationId, quoted.senderId)}`;
  return m.own ? "Replying to yourself" : "Replying to you";
}
