import type { ConversationSummary } from "@hearth/protocol";
import { Link } from "../../components/link.tsx";

/** The conversation's title: the other members' names ("Conversation" until they are known). */
export function chatTitle(summary: ConversationSummary | undefined, ownUserId: string): string {
  if (!summary) return "Conversation";
  return (
    summary.members
      .filter((m) => m.userId !== ownUserId)
      .map((m) => m.displayName)
      .join(", ") || "Conversation"
  );
}

/** Above the title: the way back to the list. */
export function BackToConversations() {
  return (
    <Link to="/conversations" className="back-link">
      ← All conversations
    </Link>
  );
}
