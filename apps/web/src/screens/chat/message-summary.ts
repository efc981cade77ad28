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

/**
 * Whom a reply answers: the quoted message's sender's name, or undefined when that is me ("Replying
 * to you" when they quoted me, "Replying to yourself" when I quoted me).
 */
export function quotedName(
  session: HearthSession,
  conversationId: string,
  quoted: ChatMessage,
): string | undefined {
  return quoted.own ? undefined : session.nameOf(conversationId, quoted.senderId);
}
