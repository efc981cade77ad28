import type { ConversationSummary } from "@hearth/protocol";
import { Link } from "../../components/link.tsx";
import { Names } from "../../components/names.tsx";

/** The conversation's title: the other members' names, each isolated ("Conversation" until known). */
export function ChatTitle({
  summary,
  ownUserId,
}: {
  summary: ConversationSummary | undefined;
  ownUserId: string;
}) {
  const names = (summary?.members ?? []).filter((m) => m.userId !== ownUserId).map((m) => m.displayName);
  return <Names names={names} empty="Conversation" />;
}

/** Above the title: the way back to the list. */
export function BackToConversations() {
  return (
    <Link to="/conversations" className="back-link">
      ← All conversations
    </Link>
  );
}
