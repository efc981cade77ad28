import type { MessageId, UserId } from "@hearth/protocol";
import { defaultRangeExtractor, type Range, useVirtualizer } from "@tanstack/react-virtual";
import {
  type ClipboardEvent,
  type DragEvent,
  type FormEvent,
  type KeyboardEvent,
  useCallback,
  useEffect,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { AttachmentView, isVoiceNote } from "../components/attachment-view.tsx";
import { ConfirmDialog } from "../components/confirm-dialog.tsx";
import { Link } from "../components/link.tsx";
import { LinkedText, LinkPreviews } from "../components/link-preview.tsx";
import { Page } from "../components/page.tsx";
import { VoiceRecorder } from "../components/voice-recorder.tsx";
import { findLinks } from "../format/links.ts";
import { clockTime, dayLabel, fileTimestamp, sameDay } from "../format/time.ts";
import { useLiveSession } from "../session/session-context.tsx";
import type { ChatMessage, HearthSession, MessageStatus } from "../state/hearth-session.ts";

type Row =
  | { kind: "day"; key: string; label: string }
  | { kind: "unread"; key: string }
  | { kind: "message"; key: string; m: ChatMessage };

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

/** A pasted screenshot arrives as "image.png": name it so the other person can tell files apart. */
function pastedName(file: File): File {
  if (file.name && file.name !== "image.png") return file;
  const ext = file.type.split("/")[1]?.split(";")[0] ?? "png";
  return new File([file], `Pasted image ${fileTimestamp()}.${ext}`, { type: file.type });
}

/** A short description of a message, for quotes and for screen-reader button names. */
function about(m: ChatMessage): string {
  if (m.deleted) return "A deleted message";
  if (m.attachment && !m.text) {
    return isVoiceNote(m.attachment) ? "Voice note" : `File: ${m.attachment.name}`;
  }
  return snippet(m.text);
}

function snippet(text: string | undefined): string {
  if (!text) return "A deleted message";
  return text.length > 90 ? `${text.slice(0, 90)}…` : text;
}

/** "Replying to Sky", "Replying to you" (they quoted me), "Replying to yourself" (I quoted me). */
function replyingTo(
  session: HearthSession,
  conversationId: string,
  m: ChatMessage,
  quoted: ChatMessage,
): string {
  if (!quoted.own) return `Replying to ${session.nameOf(conversationId, quoted.senderId)}`;
  return m.own ? "Replying to yourself" : "Replying to you";
}

function Bubble({
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
  const status = m.own && !m.deleted ? session.status(conversationId, m) : undefined;
  return (
    <div
      className={`msg ${m.own ? "msg--own" : "msg--other"}${found ? " msg--found" : ""}`}
      data-message-id={m.messageId}
      tabIndex={found ? -1 : undefined}
    >
      <div className="msg__bubble">
        <span className="visually-hidden">{m.own ? "You" : sender}: </span>
        {group && !m.own ? (
          <p className="msg__sender" aria-hidden="true">
            {sender}
          </p>
        ) : null}
        {m.replyTo && !m.deleted ? (
          <p className="msg__quote">
            <span className="msg__quote-who">
              {quoted ? replyingTo(session, conversationId, m, quoted) : "Reply"}
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
              to {m.own ? "your message" : sender}: {about(m)}
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

/**
 * The safety number with the other person of a 1:1 (end-to-end encryption): compare it in person or
 * on a call; if it matches, nobody is in between.
 */
function SafetyNumber({ session, userId, name }: { session: HearthSession; userId: string; name: string }) {
  const [digits, setDigits] = useState<string | undefined>();
  const [problem, setProblem] = useState("");
  const load = async () => {
    if (digits) return;
    try {
      setDigits((await session.client.crypto.safetyNumber(userId as UserId)).digits);
    } catch {
      setProblem("The safety number isn't available yet. Try again once you're both connected.");
    }
  };
  return (
    <details className="safety" onToggle={(e) => e.currentTarget.open && void load()}>
      <summary>Check encryption with {name}</summary>
      <p className="quiet">
        Compare this number with {name} in a session or on a call. If both of you see the same number, your
        messages can only be read by the two of you.
      </p>
      {digits ? (
        <p className="safety__digits" data-testid="safety-number">
          {digits}
        </p>
      ) : (
        <p className="quiet">{problem || "Loading…"}</p>
      )}
    </details>
  );
}

/** One conversation: the message list (virtualised), typing, receipts, replies, delete, composer. */
export function ChatScreen({
  session: s,
  id,
  focusMessageId,
}: {
  session: HearthSession;
  id: string;
  /** A message to show first (from search), instead of the first unread or the latest. */
  focusMessageId?: string;
}) {
  const session = useLiveSession(s);
  const summary = session.conversations.find((c) => c.conversationId === id);
  const loaded = session.messages(id);
  const scrollerRef = useRef<HTMLElement>(null);
  const composerRef = useRef<HTMLTextAreaElement>(null);
  const composerId = useId();
  // What is being written survives leaving the conversation and the screen lock (kept in memory
  // only, by the session; never stored).
  const [draft, setDraft] = useState(() => session.drafts.get(id)?.text ?? "");
  const [replyTo, setReplyTo] = useState<ChatMessage | undefined>(() => session.drafts.get(id)?.replyTo);
  useEffect(() => {
    if (draft || replyTo) session.drafts.set(id, { text: draft, replyTo });
    else session.drafts.delete(id);
  }, [session, id, draft, replyTo]);
  const [toDelete, setToDelete] = useState<ChatMessage | undefined>();
  const [announcement, setAnnouncement] = useState("");
  const [atBottom, setAtBottom] = useState(true);
  // Whether to keep the newest message in view; a ref so effects of the same commit see changes.
  const follow = useRef(true);
  const setFollow = (v: boolean) => {
    follow.current = v;
    setAtBottom(v);
  };
  const [problem, setProblem] = useState("");
  // Files dropped or pasted wait for a yes: a stray drop must not send the wrong file to someone.
  const [offered, setOffered] = useState<File[] | undefined>();
  const [dragging, setDragging] = useState(false);
  // The read marker when the conversation was opened: the "new messages" line stays put after that.
  const [readAtOpen, setReadAtOpen] = useState<number | undefined>();
  const initialScrollDone = useRef(false);
  // The message opened from search, marked until the focus leaves it.
  const [found, setFound] = useState<string | undefined>();
  const lastMarked = useRef(0);

  useEffect(() => {
    void session
      .openConversation(id)
      .catch(() => setProblem("This conversation couldn't be loaded on this device."));
  }, [session, id]);

  useEffect(() => {
    if (summary && readAtOpen === undefined) setReadAtOpen(summary.readSeq);
  }, [summary, readAtOpen]);

  // Announce messages from others as they arrive live (not the backlog after a reconnect).
  useEffect(
    () =>
      session.onMessage((m) => {
        if (m.conversationId !== id || m.own || m.kind !== "message" || !session.connected) return;
        const who = session.nameOf(id, m.senderId);
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
    [session, id],
  );

  const list = loaded?.list;
  const version = loaded?.version ?? 0;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` changes whenever a message in the list changes in place.
  const rows = useMemo<Row[]>(() => {
    const out: Row[] = [];
    let prev: ChatMessage | undefined;
    let unreadShown = false;
    for (const m of list ?? []) {
      if (!prev || !sameDay(prev.sentAt, m.sentAt)) {
        out.push({ kind: "day", key: `day:${m.messageId}`, label: dayLabel(m.sentAt) });
      }
      if (!unreadShown && readAtOpen !== undefined && !m.own && m.seq !== undefined && m.seq > readAtOpen) {
        out.push({ kind: "unread", key: "unread" });
        unreadShown = true;
      }
      out.push({ kind: "message", key: m.messageId, m });
      prev = m;
    }
    return out;
  }, [list, version, readAtOpen]);
  const unreadIndex = rows.findIndex((r) => r.kind === "unread");

  // A voice note that is playing stays mounted while the person scrolls away (else it would stop).
  const [playing, setPlaying] = useState<string | undefined>();
  const onPlaying = useCallback(
    (messageId: string, on: boolean) => setPlaying((p) => (on ? messageId : p === messageId ? undefined : p)),
    [],
  );
  const playingIndex = playing ? rows.findIndex((r) => r.key === playing) : -1;
  const rangeExtractor = useCallback(
    (range: Range) => {
      const shown = defaultRangeExtractor(range);
      if (playingIndex < 0 || shown.includes(playingIndex)) return shown;
      return [...shown, playingIndex].sort((a, b) => a - b);
    },
    [playingIndex],
  );

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollerRef.current,
    estimateSize: () => 76,
    overscan: 10,
    getItemKey: (i) => rows[i]?.key ?? i,
    rangeExtractor,
  });

  const focusIndex = focusMessageId ? rows.findIndex((r) => r.key === focusMessageId) : -1;

  // First view: at the message asked for (search), else at the first unread one, else the latest.
  useLayoutEffect(() => {
    if (initialScrollDone.current || !loaded || readAtOpen === undefined || rows.length === 0) return;
    initialScrollDone.current = true;
    if (focusMessageId) {
      // Used once: the message id leaves the address (a reload opens the conversation as usual).
      history.replaceState(null, "", location.pathname);
      if (focusIndex < 0) setProblem("That message isn't here any more. It may have been deleted.");
    }
    if (focusIndex >= 0) {
      follow.current = false;
      setAtBottom(false);
      virtualizer.scrollToIndex(focusIndex, { align: "center" });
      setFound(focusMessageId);
    } else if (unreadIndex >= 0) {
      follow.current = false;
      setAtBottom(false);
      virtualizer.scrollToIndex(unreadIndex, { align: "start" });
    } else virtualizer.scrollToIndex(rows.length - 1, { align: "end" });
  }, [loaded, readAtOpen, rows.length, unreadIndex, focusIndex, focusMessageId, virtualizer]);

  // The message found by search takes the focus once it is drawn, so a screen reader reads it and
  // the keyboard starts there; it stays marked until the focus moves on.
  useEffect(() => {
    if (!found) return;
    const frame = requestAnimationFrame(() => {
      scrollerRef.current
        ?.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(found)}"]`)
        ?.focus({ preventScroll: true });
    });
    return () => cancelAnimationFrame(frame);
  }, [found]);

  // A bubble grew (an image loaded, a viewer opened): keep the newest message in view if following.
  const rowCount = useRef(0);
  rowCount.current = rows.length;
  const onResize = useCallback(() => {
    if (follow.current && rowCount.current > 0) {
      virtualizer.scrollToIndex(rowCount.current - 1, { align: "end" });
    }
  }, [virtualizer]);

  // The list's own box changed height (the composer grew or shrank, a link preview came or went,
  // the phone's keyboard opened): stay at the newest message if following.
  useEffect(() => {
    const el = scrollerRef.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    let height = el.clientHeight;
    const observer = new ResizeObserver(() => {
      if (el.clientHeight === height) return;
      height = el.clientHeight;
      onResize();
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [onResize]);

  // Keep following the conversation while at the bottom: a new message, or the last one growing
  // (its Reply and Delete appear once the server has it; a preview or an image came in).
  const lastKey = rows.at(-1)?.key;
  const totalSize = virtualizer.getTotalSize();
  // biome-ignore lint/correctness/useExhaustiveDependencies: `totalSize` changes when a row's measured height does.
  useLayoutEffect(() => {
    if (!initialScrollDone.current || !follow.current || rows.length === 0 || !lastKey) return;
    virtualizer.scrollToIndex(rows.length - 1, { align: "end" });
  }, [lastKey, rows.length, totalSize, virtualizer]);

  const items = virtualizer.getVirtualItems();
  const range = virtualizer.range;

  // What is on screen has been seen: move the read marker (the SDK batches and clamps).
  useEffect(() => {
    if (!range || document.visibilityState !== "visible") return;
    let max = 0;
    for (let i = range.startIndex; i <= range.endIndex; i++) {
      const r = rows[i];
      if (r?.kind === "message" && r.m.seq !== undefined && !r.m.own) max = Math.max(max, r.m.seq);
    }
    if (max > lastMarked.current) {
      lastMarked.current = max;
      session.markRead(id, max);
    }
  });

  useEffect(() => {
    const onVisible = () => {
      if (document.visibilityState === "visible") lastMarked.current = 0;
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => document.removeEventListener("visibilitychange", onVisible);
  }, []);

  const onScroll = () => {
    const el = scrollerRef.current;
    if (!el) return;
    setFollow(el.scrollHeight - el.scrollTop - el.clientHeight < 96);
  };

  // Home and End jump through the whole (virtual) list; arrows and Page keys scroll natively.
  const onListKey = (e: KeyboardEvent<HTMLElement>) => {
    if (e.target !== e.currentTarget || e.altKey || e.metaKey || e.shiftKey || rows.length === 0) return;
    if (e.key === "Home") {
      e.preventDefault();
      setFollow(false);
      virtualizer.scrollToIndex(0, { align: "start" });
    } else if (e.key === "End") {
      e.preventDefault();
      setFollow(true);
      virtualizer.scrollToIndex(rows.length - 1, { align: "end" });
    }
  };

  // A control that goes away once used (a jump, Delete) hands the focus to the list, not the page.
  const focusList = () => requestAnimationFrame(() => scrollerRef.current?.focus({ preventScroll: true }));

  // Everything fits on screen: there is no "latest" to jump to.
  const el = scrollerRef.current;
  const canScroll = el !== null && el.scrollHeight - el.scrollTop - el.clientHeight > 1;
  const unreadVisible =
    unreadIndex >= 0 && range !== null && unreadIndex >= range.startIndex && unreadIndex <= range.endIndex;

  // One send at a time. The box empties at once (so a second Enter can't send the text twice, and
  // what is typed meanwhile isn't wiped); the text comes back if it couldn't be queued. The view
  // follows before the send: the new bubble is drawn before `send` returns.
  const sending = useRef(false);
  const send = async (event?: FormEvent) => {
    event?.preventDefault();
    const text = draft.trim();
    if (!text || sending.current) return;
    sending.current = true;
    const quoting = replyTo;
    setProblem("");
    setDraft("");
    setReplyTo(undefined);
    setFollow(true);
    try {
      await session.send(id, text, quoting?.messageId as MessageId | undefined);
    } catch {
      // Nothing is lost: the words come back ahead of anything typed since.
      setDraft((d) => (d.trim() ? `${text}\n${d}` : text));
      setReplyTo((r) => r ?? quoting);
      setProblem("That message couldn't be queued. Please try again.");
    } finally {
      sending.current = false;
    }
  };

  const upload = session.uploads.get(id);
  // Every file is tried, one after another; the ones that failed are named together afterwards.
  const sendFiles = async (files: readonly File[]) => {
    setProblem("");
    const problems: string[] = [];
    for (const file of files) {
      try {
        setFollow(true);
        await session.sendFile(id, file);
      } catch (err) {
        const code = (err as { code?: string }).code;
        problems.push(
          code === "blob_too_large"
            ? `${file.name || "That file"} is too large to send.`
            : code === "blob_quota_exceeded"
              ? `${file.name || "That file"} couldn't be sent: your attachments have used all the space this server allows.`
              : `${file.name || "That file"} couldn't be sent. Please try again.`,
        );
      }
    }
    setProblem(problems.join(" "));
  };

  // Pasting text that also comes with a picture of itself (copied from a word processor or a
  // spreadsheet) pastes the text; only a paste of files alone offers them.
  const onPaste = (e: ClipboardEvent<HTMLTextAreaElement>) => {
    const files = [...e.clipboardData.files];
    if (files.length === 0 || e.clipboardData.getData("text/plain").trim() !== "") return;
    e.preventDefault();
    setOffered(files.map(pastedName));
  };

  const hasFiles = (e: DragEvent) => e.dataTransfer.types.includes("Files");
  const onDragOver = (e: DragEvent<HTMLElement>) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
    setDragging(true);
  };
  const onDragLeave = (e: DragEvent<HTMLElement>) => {
    if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
  };
  const onDrop = (e: DragEvent<HTMLElement>) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    setDragging(false);
    const files = [...e.dataTransfer.files];
    if (files.length > 0) setOffered(files);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      if (!e.repeat) void send();
    }
  };

  const typing = session.typing(id);
  const typingText =
    typing.length === 0
      ? ""
      : typing.length === 1
        ? `${session.nameOf(id, typing[0] ?? "")} is typing…`
        : "Several people are typing…";
  const other = summary?.members.find((m) => m.userId !== session.userId);
  const title = summary
    ? summary.members
        .filter((m) => m.userId !== session.userId)
        .map((m) => m.displayName)
        .join(", ") || "Conversation"
    : "Conversation";

  return (
    <Page
      title={title}
      documentTitle="Conversation"
      className="page--chat"
      before={
        <Link to="/conversations" className="back-link">
          ← All conversations
        </Link>
      }
    >
      <section
        className={`chat${dragging ? " chat--dragging" : ""}`}
        aria-label="Conversation"
        onDragOver={onDragOver}
        onDragLeave={onDragLeave}
        onDrop={onDrop}
      >
        {dragging ? (
          <p className="chat__drop" aria-hidden="true">
            Drop to send securely
          </p>
        ) : null}
        <div className="chat__frame">
          <section
            ref={scrollerRef}
            className="chat__scroller"
            // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard.
            tabIndex={0}
            aria-label="Messages"
            onScroll={onScroll}
            onKeyDown={onListKey}
            onBlur={(e) => {
              if (found && e.target instanceof HTMLElement && e.target.dataset.messageId === found) {
                setFound(undefined);
              }
            }}
          >
            {loaded && rows.length === 0 ? (
              <p className="chat__empty">No messages yet. Say hello when you're ready.</p>
            ) : null}
            <ul className="chat__list" style={{ height: virtualizer.getTotalSize() }}>
              {items.map((item) => {
                const row = rows[item.index];
                if (!row) return null;
                return (
                  <li
                    key={item.key}
                    data-index={item.index}
                    ref={virtualizer.measureElement}
                    className="chat__row"
                    style={{ transform: `translateY(${item.start}px)` }}
                  >
                    {row.kind === "day" ? (
                      <p className="chat__day">{row.label}</p>
                    ) : row.kind === "unread" ? (
                      <p className="chat__unread" id="first-unread">
                        New messages
                      </p>
                    ) : (
                      <Bubble
                        session={session}
                        conversationId={id}
                        m={row.m}
                        onReply={(m) => {
                          setReplyTo(m);
                          composerRef.current?.focus();
                        }}
                        onDelete={setToDelete}
                        onResize={onResize}
                        group={summary?.kind === "group"}
                        found={found === row.m.messageId}
                        onRetry={(m) => {
                          const quoted = m.replyTo ? session.message(id, m.replyTo) : undefined;
                          if (quoted) setReplyTo(quoted);
                          session.forgetFailed(id, m.messageId);
                          const text = m.text ?? "";
                          setDraft((d) => (d.trim() ? `${d}\n${text}` : text));
                          composerRef.current?.focus();
                        }}
                        onPlaying={onPlaying}
                        onForget={(m) => {
                          session.forgetFailed(id, m.messageId);
                          focusList();
                        }}
                      />
                    )}
                  </li>
                );
              })}
            </ul>
          </section>
        </div>
        <div className="chat__status-row">
          <p className="chat__typing" aria-live="polite">
            {typingText}
          </p>
          <div className="chat__jumps">
            {unreadIndex >= 0 && !unreadVisible ? (
              <button
                type="button"
                className="button button--small"
                onClick={() => {
                  setFollow(false);
                  virtualizer.scrollToIndex(unreadIndex, { align: "start" });
                  focusList();
                }}
              >
                Jump to first unread
              </button>
            ) : null}
            {!atBottom && rows.length > 0 && canScroll ? (
              <button
                type="button"
                className="button button--small"
                onClick={() => {
                  setFollow(true);
                  virtualizer.scrollToIndex(rows.length - 1, { align: "end" });
                  focusList();
                }}
              >
                Jump to latest
              </button>
            ) : null}
          </div>
        </div>
        <p className="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="announcer">
          {announcement}
        </p>
        <form className="composer" aria-label="Write a message" onSubmit={send}>
          {replyTo ? (
            <div className="composer__reply">
              <p>
                <span className="composer__reply-who">
                  Replying to {replyTo.own ? "yourself" : session.nameOf(id, replyTo.senderId)}
                </span>
                <span className="composer__reply-text">{about(replyTo)}</span>
              </p>
              <button type="button" className="link-button" onClick={() => setReplyTo(undefined)}>
                Cancel reply
              </button>
            </div>
          ) : null}
          <div className="composer__row">
            <div className="field composer__field">
              <label htmlFor={composerId} className="visually-hidden">
                Message
              </label>
              <textarea
                ref={composerRef}
                id={composerId}
                name="message"
                rows={2}
                placeholder="Write a message"
                value={draft}
                onChange={(e) => {
                  setDraft(e.currentTarget.value);
                  // Typing while there is text; an emptied box stops the indicator at once.
                  session.setTyping(id, e.currentTarget.value.length > 0);
                }}
                onKeyDown={onKeyDown}
                onPaste={onPaste}
                aria-describedby={`${composerId}-hint`}
              />
            </div>
            <label className="button button--quiet composer__attach">
              <input
                type="file"
                className="visually-hidden"
                onChange={(e) => {
                  const file = e.currentTarget.files?.[0];
                  e.currentTarget.value = "";
                  if (file) void sendFiles([file]);
                }}
              />
              Attach<span className="visually-hidden"> a file</span>
            </label>
            <VoiceRecorder
              onRecorded={(file) => void sendFiles([file])}
              onProblem={setProblem}
              onActive={() => session.lock.active()}
            />
            <button type="submit" className="button button--primary composer__send">
              Send
            </button>
          </div>
          {findLinks(draft).length > 0 ? (
            <div className="composer__preview">
              <p className="composer__preview-note">
                Preview, made on this device. Nobody opens the page for it: not Hearth, not the other person's
                device.
              </p>
              <LinkPreviews text={draft} />
            </div>
          ) : null}
          {upload ? (
            <p className="composer__upload">
              Sending {upload.name}…
              <progress max={1} value={upload.progress} aria-label={`Sending ${upload.name}`} />
            </p>
          ) : null}
          <p className="field__hint composer__hint" id={`${composerId}-hint`}>
            Enter sends; Shift+Enter starts a new line.
          </p>
          {/* Always in the page, so a problem is announced when it appears. */}
          <p className="form__status" role="status">
            {problem}
          </p>
        </form>
      </section>
      {other && summary?.kind === "direct" ? (
        <SafetyNumber session={session} userId={other.userId} name={other.displayName} />
      ) : null}
      <ConfirmDialog
        open={offered !== undefined}
        title={
          offered?.length === 1
            ? `Send ${offered[0]?.name ?? "this file"}?`
            : `Send these ${offered?.length ?? 0} files?`
        }
        body={`It is encrypted on this device first; only the people in this conversation can open it.${
          offered && offered.length > 1 ? ` ${offered.map((f) => f.name).join(", ")}.` : ""
        }`}
        confirmLabel="Send"
        cancelLabel="Don't send"
        onCancel={() => setOffered(undefined)}
        onConfirm={() => {
          const files = offered ?? [];
          setOffered(undefined);
          void sendFiles(files);
        }}
      />
      <ConfirmDialog
        open={toDelete !== undefined}
        title="Delete this message for everyone?"
        body="It disappears for everyone in this conversation. This can't be undone."
        confirmLabel="Delete for everyone"
        cancelLabel="Keep it"
        onCancel={() => setToDelete(undefined)}
        onConfirm={() => {
          const m = toDelete;
          setToDelete(undefined);
          focusList();
          if (m)
            void session
              .deleteMessage(id, m.messageId)
              .catch(() => setProblem("That message couldn't be deleted."));
        }}
      />
    </Page>
  );
}
