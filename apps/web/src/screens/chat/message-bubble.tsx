import { AttachmentView } from "../../components/attachment-view.tsx";
import { LinkedText, LinkPreviews } from "../../components/link-preview.tsx";
import { Name } from "../../components/names.tsx";
import { clockTime } from "../../format/time.ts";
import type { ChatMessage, HearthSession, MessageStatus } from "../../state/hearth-session.ts";
import { about, quotedName } from "./message-summary.ts";

const STATUS_TEXT: Record<MessageStatus, string> = {
  pending: "Sending",
  failed: "Not sent",
  sent: "Sent",
  delivered: "Delivered",
  read: "Read",
};

/** ✓ sent, ✓✓ delivered, ✓✓ (accent) read; a hollow circle while sending. Text for screen readers. */
function StatusMark({ status }: { status: MessageStatus }) {
  const glyph = status === "pending" ? "○" : status === "failed" ? "!" : status === "sent" ? "✓" : "✓✓";
  return (
    <span className={`status status--${status}`} data-status={status}>
      <span aria-hidden="true">{glyph}</span>
      <span className="status__text">{STATUS_TEXT[status]}</span>
    </span>
  );
}

/** "Replying to Sky", "Replying to you" (they quoted me), "Replying to yourself" (I quoted me). */
function ReplyingTo({
  session,
  conversationId,
  m,
  quoted,
}: {
  session: HearthSession;
  conversationId: string;
  m: ChatMessage;
  quoted: ChatMessage | undefined;
}) {
  if (!quoted) return "Reply";
  const name = quotedName(session, conversationId, quoted);
  if (name !== undefined)
    return (
      <>
        Replying to <Name>{name}</Name>
      </>
    );
  return m.own ? "Replying to yourself" : "Replying to you";
}

/** One message: who, the quote it replies to, its words or file, time and status, and its actions. */
export function MessageBubble({
  session,
  conversationId,
  m,
  onReply,
  onDelete,
  onResize,
  group,
  found,
  onRetry,
  onForget,
  onPlaying,
}: {
  session: HearthSession;
  conversationId: string;
  m: ChatMessage;
  /** A message the server refused: back to the message box, or away. */
  onRetry: (m: ChatMessage) => void;
  onForget: (m: ChatMessage) => void;
  onPlaying: (messageId: string, playing: boolean) => void;
  /** Opened from search: marked and focusable (the screen focuses it). */
  found: boolean;
  /** In a group, others' messages show who wrote them. */
  group: boolean;
  onReply: (m: ChatMessage) => void;
  onDelete: (m: ChatMessage) => void;
  onResize: () => void;
}) {
  const quoted = m.replyTo ? session.message(conversationId, m.replyTo) : undefined;
  const sender = session.nameOf(conversationId, m.senderId);
  const status = m.own && !m.deleted ? session.status(m) : undefined;
  return (
    <div
      className={`msg ${m.own ? "msg--own" : "msg--other"}${found ? " msg--found" : ""}`}
      data-message-id={m.messageId}
      tabIndex={found ? -1 : undefined}
    >
      <div className="msg__bubble">
        <span className="visually-hidden">{m.own ? "You" : <Name>{sender}</Name>}: </span>
        {group && !m.own ? (
          <p className="msg__sender" aria-hidden="true">
            <Name>{sender}</Name>
          </p>
        ) : null}
        {m.replyTo && !m.deleted ? (
          <p className="msg__quote">
            <span className="msg__quote-who">
              <ReplyingTo session={session} conversationId={conversationId} m={m} quoted={quoted} />
            </span>
            <span className="msg__quote-text">{quoted ? about(quoted) : "An earlier message"}</span>
          </p>
        ) : null}
        {m.deleted ? (
          <p className="msg__text msg__text--deleted">This message was deleted.</p>
        ) : m.undecryptable ? (
          <p className="msg__text msg__text--deleted">This message can't be shown on this device.</p>
        ) : (
          <>
            {m.attachment ? (
              <AttachmentView
                session={session}
                attachment={m.attachment}
                onResize={onResize}
                onPlaying={(on) => onPlaying(m.messageId, on)}
              />
            ) : null}
            {m.text || !m.attachment ? (
              <p className="msg__text">
                <LinkedText text={m.text ?? ""} />
              </p>
            ) : null}
            {m.text ? <LinkPreviews text={m.text} /> : null}
          </>
        )}
        <p className="msg__meta">
          <time dateTime={m.sentAt}>{clockTime(m.sentAt)}</time>
          {status ? <StatusMark status={status} /> : null}
        </p>
      </div>
      {m.own && m.failed ? (
        // Refused by the server: the words are not lost; they go back to the box to send again.
        <div className="msg__actions">
          {m.text ? (
            <button type="button" className="link-button" onClick={() => onRetry(m)}>
              Edit and send again<span className="visually-hidden">: {about(m)}</span>
            </button>
          ) : null}
          <button type="button" className="link-button" onClick={() => onForget(m)}>
            Remove<span className="visually-hidden"> the unsent message: {about(m)}</span>
          </button>
        </div>
      ) : null}
      {!m.deleted && m.seq !== undefined ? (
        <div className="msg__actions">
          <button type="button" className="link-button" onClick={() => onReply(m)}>
            Reply
            <span className="visually-hidden">
              {" "}
              to {m.own ? "your message" : <Name>{sender}</Name>}: {about(m)}
            </span>
          </button>
          {m.own ? (
            <button type="button" className="link-button" onClick={() => onDelete(m)}>
              Delete<span className="visually-hidden"> your message: {about(m)}</span>
            </button>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
