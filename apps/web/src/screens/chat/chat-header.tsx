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

/**
 * Before the title on a phone: the way back to the list, named as the navigation names it
 * ("Caseload", "Conversations"). The word hides on a very narrow screen; the arrow stays.
 */
export function BackToList({ label }: { label: string }) {
  return (
    <Link to="/conversations" className="chat-back" title={label}>
      <svg className="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
        <path
          d="M15 5l-7 7 7 7"
          fill="none"
          stroke="currentColor"
          strokeWidth="2.2"
          strokeLinecap="round"
          strokeLinejoin="round"
        />
      </svg>
      <span className="chat-back__text">{label}</span>
    </Link>
  );
}
