import "./search-screen.css";
import { type FormEvent, useId, useMemo, useState } from "react";
import { Link } from "../components/link.tsx";
import { Name, Names } from "../components/names.tsx";
import { Page } from "../components/page.tsx";
import { clockTime, dayLabel } from "../format/time.ts";
import type { SearchResult } from "../search/search-index.ts";
import { useLiveSession } from "../session/session-context.tsx";
import type { HearthSession } from "../state/hearth-session.ts";

/** The other members' names, as the chat's heading shows them (each isolated). */
function ConversationName({ session, conversationId }: { session: HearthSession; conversationId: string }) {
  const summary = session.conversations.find((c) => c.conversationId === conversationId);
  const others = summary?.members.filter((m) => m.userId !== session.userId) ?? [];
  return <Names names={others.map((m) => m.displayName)} empty="Conversation" />;
}

function ResultRow({ session, result }: { session: HearthSession; result: SearchResult }) {
  const { doc, snippet } = result;
  return (
    <li>
      <Link to={`/conversations/${doc.conversationId}?m=${doc.messageId}`} className="search-result">
        <span className="search-result__top">
          <span className="search-result__where">
            <ConversationName session={session} conversationId={doc.conversationId} />
          </span>
          <time className="search-result__when" dateTime={doc.sentAt}>
            {dayLabel(doc.sentAt)}, {clockTime(doc.sentAt)}
          </time>
        </span>
        <span className="search-result__text">
          <span className="search-result__who">
            <Name>{session.nameOf(doc.conversationId, doc.senderId)}</Name>:{" "}
          </span>
          {snippet.map((part, i) =>
            part.match ? (
              // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one snippet never reorder.
              <mark key={i}>{part.text}</mark>
            ) : (
              part.text
            ),
          )}
        </span>
      </Link>
    </li>
  );
}

/** What the live region says about the results. */
function statusText(query: string, shown: number, total: number, ready: boolean): string {
  if (query.trim() === "") return "";
  if (total === 0) {
    return ready
      ? `Nothing found for “${query.trim()}”.`
      : `Nothing found for “${query.trim()}” yet. Still reading the messages on this device…`;
  }
  if (total > shown) return `Showing the ${shown} most recent of ${total.toLocaleString()} messages found.`;
  return total === 1 ? "1 message found." : `${total.toLocaleString()} messages found.`;
}

/**
 * Search across one's history. Instant (results follow each key press) and on this device only:
 * the query never leaves the page — not in the address, not to the server.
 */
export function SearchScreen({ session: s }: { session: HearthSession }) {
  const session = useLiveSession(s);
  const id = useId();
  const [query, setQuery] = useState("");
  const version = session.getVersion();
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` changes when new messages are indexed.
  const hits = useMemo(() => session.search.search(query), [session, query, version]);
  const status = statusText(query, hits.results.length, hits.total, session.search.ready);

  return (
    <Page title="Search">
      <search>
        <form className="search-form" onSubmit={(e: FormEvent) => e.preventDefault()}>
          <div className="field">
            <label htmlFor={id}>Search your messages</label>
            <p className="field__hint" id={`${id}-hint`}>
              Search happens on this device only. What you type is never sent anywhere.
            </p>
            <input
              id={id}
              type="search"
              value={query}
              autoComplete="off"
              spellCheck={false}
              enterKeyHint="search"
              aria-describedby={`${id}-hint`}
              onChange={(e) => setQuery(e.currentTarget.value)}
              // biome-ignore lint/a11y/noAutofocus: searching is the only thing this screen is for.
              autoFocus
            />
          </div>
        </form>
      </search>
      <p className="search-status" role="status" aria-live="polite">
        {status}
      </p>
      {hits.results.length > 0 ? (
        <ul className="search-results" aria-label="Messages found">
          {hits.results.map((r) => (
            <ResultRow key={`${r.doc.conversationId}:${r.doc.messageId}`} session={session} result={r} />
          ))}
        </ul>
      ) : null}
    </Page>
  );
}
