import { useRef, useState } from "react";
import { AttachmentView } from "../../components/attachment-view.tsx";
import { LinkedText, LinkPreviews } from "../../components/link-preview.tsx";
import { Name } from "../../components/names.tsx";
import { clockTime } from "../../format/time.ts";
import type { ChatMessage, HearthSession, MessageStatus } from "../../state/hearth-session.ts";
import { EditedMark } from "./edited-mark.tsx";
import { MessageEditor } from "./message-editor.tsx";
import { type MessageAction, MessageMenu } from "./message-menu.tsx";
import { about, quotedName } from "./message-summary.ts";

/** How long a finger rests on a message before its menu opens. */
const LONG_PRESS_MS = 500;

const STATUS_TEXT: Record<MessageStatus, string> = {
  pending: "Sending",
  failed: "Not sent",
  sent: "Sent",
  delivered: "Delivered",
  read: "Read",
};

/**
 * ✓ sent, ✓✓ delivered, ✓✓ (accent) read; a hollow circle while sending. Text for screen readers.
 * A message waiting while the device is offline says so, not "Sending".
 */
function StatusMark({ status, offline }: { status: MessageStatus; offline: boolean }) {
  const glyph = status === "pending" ? "○" : status === "failed" ? "!" : status === "sent" ? "✓" : "✓✓";
  return (
    <span className={`status status--${status}`} data-status={status}>
      <span aria-hidden="true">{glyph}</span>
      <span className="status__text">
        {status === "pending" && offline ? "Waiting for network" : STATUS_TEXT[status]}
      </span>
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
  // What can be done with this message, in its "More actions" menu. Only once the server has it.
  const [editing, setEditing] = useState(false);
  const actions: MessageAction[] = [];
  if (!m.deleted && m.seq !== undefined) {
    actions.push({ label: "Reply", onSelect: () => onReply(m) });
    if (m.editable && !editing) {
      actions.push({
        label: "Edit",
        onSelect: () => {
          setEditing(true);
          onResize();
        },
      });
    }
    if (m.own) actions.push({ label: "Delete", onSelect: () => onDelete(m) });
  }
  const openMenu = useRef<(() => void) | undefined>(undefined);
  const press = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const cancelPress = () => clearTimeout(press.current);
  return (
    <div
      className={`msg ${m.own ? "msg--own" : "msg--other"}${found ? " msg--found" : ""}`}
      data-message-id={m.messageId}
      tabIndex={found ? -1 : undefined}
    >
      <div className="msg__line">
        {/* A long press (touch) or a right click on the bubble opens its menu, as in other messengers;
          the menu button beside it does the same for the keyboard and screen readers. */}
        {/* biome-ignore lint/a11y/noStaticElementInteractions: pointer shortcuts only; the "More actions" button is the accessible way to the same menu. */}
        <div
          className="msg__bubble"
          onPointerDown={(e) => {
            if (e.pointerType !== "touch" || actions.length === 0) return;
            cancelPress();
            press.current = setTimeout(() => openMenu.current?.(), LONG_PRESS_MS);
          }}
          onPointerUp={cancelPress}
          onPointerCancel={cancelPress}
          onPointerLeave={cancelPress}
          onContextMenu={(e) => {
            // A link, a picture or selected words keep the browser's own menu (copy, open, save).
            const t = e.target as HTMLElement;
            if (actions.length === 0 || t.closest("a, img, video, audio") || String(getSelection() ?? ""))
              return;
            e.preventDefault();
            cancelPress();
            openMenu.current?.();
          }}
        >
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
              {editing && m.editable ? (
                <MessageEditor
                  session={session}
                  conversationId={conversationId}
                  m={m}
                  onDone={() => {
                    setEditing(false);
                    onResize();
                  }}
                />
              ) : m.text || !m.attachment ? (
                <p className="msg__text">
                  <LinkedText text={m.text ?? ""} />
                </p>
              ) : null}
              {m.text ? <LinkPreviews text={m.text} /> : null}
            </>
          )}
          <p className="msg__meta">
            {m.edited && !m.deleted ? <EditedMark /> : null}
            <time dateTime={m.sentAt}>{clockTime(m.sentAt)}</time>
            {status ? <StatusMark status={status} offline={session.offline} /> : null}
          </p>
        </div>
        <MessageMenu
          actions={actions}
          openRef={openMenu}
          about={
            <>
              {m.own ? "your message" : <Name>{sender}</Name>}: {about(m)}
            </>
          }
        />
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
    </div>
  );
}
