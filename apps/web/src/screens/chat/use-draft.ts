import { useEffect, useState } from "react";
import type { ChatMessage, HearthSession } from "../../state/hearth-session.ts";

/**
 * What is being written in a conversation and the message it replies to. It survives leaving the
 * conversation and the screen lock (kept in memory only, by the session; never stored).
 */
export function useDraft(session: HearthSession, conversationId: string) {
  const [draft, setDraft] = useState(() => session.drafts.get(conversationId)?.text ?? "");
  const [replyTo, setReplyTo] = useState<ChatMessage | undefined>(
    () => session.drafts.get(conversationId)?.replyTo,
  );
  useEffect(() => {
    if (draft || replyTo) session.drafts.set(conversationId, { text: draft, replyTo });
    else session.drafts.delete(conversationId);
  }, [session, conversationId, draft, replyTo]);
  return { draft, setDraft, replyTo, setReplyTo };
}
