import { Name } from "../../components/names.tsx";
import type { ChatMessage, HearthSession } from "../../state/hearth-session.ts";
import { MessageBubble } from "./message-bubble.tsx";
import { AutoReplyCard } from "./office-hours/auto-reply-card.tsx";
import type { MessageListState } from "./use-message-list.ts";

/** "Sky is typing…", "Several people are typing…", or nothing. */
function TypingText({ session, conversationId }: { session: HearthSession; conversationId: string }) {
  const typing = session.typing(conversationId);
  if (typing.length === 0) return null;
  if (typing.length > 1) return "Several people are typing…";
  return (
    <>
      <Name>{session.nameOf(conversationId, typing[0] ?? "")}</Name> is typing…
    </>
  );
}

/**
 * The messages of a conversation, drawn by {@link useMessageList} (virtualised: only the rows near
 * the screen are in the page), with the typing line and the jump buttons below it.
 */
export function MessageList({
  session,
  conversationId,
  list,
  empty,
  group,
  onReply,
  onDelete,
  onRetry,
  onForget,
  onGetHelp,
}: {
  session: HearthSession;
  conversationId: string;
  list: MessageListState;
  /** Loaded, and nothing in it yet. */
  empty: boolean;
  /** In a group, others' messages show who wrote them. */
  group: boolean;
  onReply: (m: ChatMessage) => void;
  onDelete: (m: ChatMessage) => void;
  /** A message the server refused: back to the message box, or away. */
  onRetry: (m: ChatMessage) => void;
  onForget: (m: ChatMessage) => void;
  /** Opens crisis help (from an automatic reply's "More crisis lines"). */
  onGetHelp: () => void;
}) {
  const { rows, found, setFound } = list;
  return (
    <>
      <div className="chat__frame">
        <section
          ref={list.scrollerRef}
          className="chat__scroller"
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard.
          tabIndex={0}
          aria-label="Messages"
          onScroll={list.onScroll}
          onKeyDown={list.onListKey}
          onBlur={(e) => {
            if (found && e.target instanceof HTMLElement && e.target.dataset.messageId === found) {
              setFound(undefined);
            }
          }}
        >
          {empty ? <p className="chat__empty">No messages yet. Say hello when you're ready.</p> : null}
          <ul className="chat__list" style={{ height: list.totalSize }}>
            {list.items.map((item) => {
              const row = rows[item.index];
              if (!row) return null;
              return (
                <li
                  key={item.key}
                  data-index={item.index}
                  ref={list.measureElement}
                  className="chat__row"
                  style={{ transform: `translateY(${item.start}px)` }}
                >
                  {row.kind === "day" ? (
                    <p className="chat__day">{row.label}</p>
                  ) : row.kind === "unread" ? (
                    <p className="chat__unread" id="first-unread">
                      New messages
                    </p>
                  ) : row.kind === "automatic" ? (
                    <AutoReplyCard
                      entry={row.entry}
                      therapistName={session.nameOf(conversationId, row.entry.therapistId)}
                      own={row.entry.therapistId === session.userId}
                      onGetHelp={onGetHelp}
                    />
                  ) : (
                    <MessageBubble
                      session={session}
                      conversationId={conversationId}
                      m={row.m}
                      onReply={onReply}
                      onDelete={onDelete}
                      onResize={list.onResize}
                      group={group}
                      found={found === row.m.messageId}
                      onRetry={onRetry}
                      onPlaying={list.onPlaying}
                      onForget={onForget}
                    />
                  )}
                </li>
              );
            })}
          </ul>
        </section>
        <div className="chat__jumps">
          {list.canJumpToUnread ? (
            <button type="button" className="button button--small" onClick={list.jumpToUnread}>
              Jump to first unread
            </button>
          ) : null}
          {list.canJumpToLatest ? (
            <button type="button" className="button button--small" onClick={list.jumpToLatest}>
              Jump to latest
            </button>
          ) : null}
        </div>
      </div>
      <p className="chat__typing" aria-live="polite">
        <TypingText session={session} conversationId={conversationId} />
      </p>
    </>
  );
}
