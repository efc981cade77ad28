import { Link } from "../components/link.tsx";
import { Page } from "../components/page.tsx";

/** The conversation list (placeholder until the client SDK is wired in). */
export function ConversationListScreen() {
  return (
    <Page title="Conversations">
      <ul className="conversation-list" aria-label="Your conversations">
        <li>
          <Link to="/conversations/example" className="conversation-list__item">
            <span className="conversation-list__name">Example conversation</span>
            <span className="conversation-list__meta">Your conversations will appear here</span>
          </Link>
        </li>
      </ul>
      <p className="quiet">Only you and the people in a conversation can read it.</p>
    </Page>
  );
}
