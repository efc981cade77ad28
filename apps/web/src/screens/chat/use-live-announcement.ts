import { useEffect, useState } from "react";
import { isVoiceNote } from "../../components/attachment-view.tsx";
import type { HearthSession } from "../../state/hearth-session.ts";

/**
 * The words a screen reader announces for messages from others as they arrive live (not the
 * backlog after a reconnect), for a polite live region.
 */
export function useLiveAnnouncement(session: HearthSession, conversationId: string): string {
  const [announcement, setAnnouncement] = useState("");
  useEffect(
    () =>
      session.onMessage((m) => {
        if (m.conversationId !== conversationId || m.own || m.kind !== "message" || !session.connected)
          return;
        const who = session.nameOf(conversationId, m.senderId);
        const a = m.content?.attachment;
        const said = !m.content
          ? `New message from ${who}`
          : m.content.text
            ? `${who}: ${m.content.text}`
            : a && isVoiceNote(a)
              ? `${who} sent a voice note`
              : `${who} sent a file, ${a?.name ?? ""}`;
        // Emptied first, so the same words twice ("ok", "ok") are announced twice.
        setAnnouncement("");
        requestAnimationFrame(() => setAnnouncement(said));
      }),
    [session, conversationId],
  );
  return announcement;
}
