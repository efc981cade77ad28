import "./chat.css";
import type { MessageId } from "@hearth/protocol";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { ConfirmDialog } from "../../components/confirm-dialog.tsx";
import { Page } from "../../components/page.tsx";
import { useLiveSession } from "../../session/session-context.tsx";
import type { ChatMessage, HearthSession } from "../../state/hearth-session.ts";
import { SendFilesDialog, sendEach, useFileDrop } from "./attachments.tsx";
import { BackToConversations, ChatTitle } from "./chat-header.tsx";
import { Composer } from "./composer.tsx";
import { MessageList } from "./message-list.tsx";
import { SafetyNumber } from "./safety-number.tsx";
import { useDraft } from "./use-draft.ts";
import { useLiveAnnouncement } from "./use-live-announcement.ts";
import { useMessageList } from "./use-message-list.ts";

/**
 * One conversation: the message list (virtualised), typing, receipts, replies, delete, composer.
 * The parts sit beside this file: `message-list.tsx` and `use-message-list.ts` (the list and its
 * scrolling), `message-bubble.tsx` (one message), `composer.tsx` (the message box),
 * `attachments.tsx` (dropped, pasted and attached files), `chat-header.tsx`, `safety-number.tsx`.
 */
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
  const composerRef = useRef<HTMLTextAreaElement>(null);
  const { draft, setDraft, replyTo, setReplyTo } = useDraft(session, id);
  const [toDelete, setToDelete] = useState<ChatMessage | undefined>();
  const announcement = useLiveAnnouncement(session, id);
  const [problem, setProblem] = useState("");
  // Files dropped or pasted wait for a yes: a stray drop must not send the wrong file to someone.
  const [offered, setOffered] = useState<File[] | undefined>();
  const { dragging, dropHandlers } = useFileDrop(setOffered);

  useEffect(() => {
    void session
      .openConversation(id)
      .catch(() => setProblem("This conversation couldn't be loaded on this device."));
  }, [session, id]);

  const list = useMessageList({
    session,
    id,
    loaded,
    readSeq: summary?.readSeq,
    focusMessageId,
    onProblem: setProblem,
  });

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
    list.followLatest();
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

  const sendFiles = async (files: readonly File[]) => {
    setProblem("");
    setProblem(await sendEach(session, id, files, list.followLatest));
  };

  const other = summary?.members.find((m) => m.userId !== session.userId);

  return (
    <Page
      title={<ChatTitle summary={summary} ownUserId={session.userId} />}
      documentTitle="Conversation"
      className="page--chat"
      before={<BackToConversations />}
    >
      <section
        className={`chat${dragging ? " chat--dragging" : ""}`}
        aria-label="Conversation"
        {...dropHandlers}
      >
        {dragging ? (
          <p className="chat__drop" aria-hidden="true">
            Drop to send securely
          </p>
        ) : null}
        <MessageList
          session={session}
          conversationId={id}
          list={list}
          empty={loaded !== undefined && list.rows.length === 0}
          group={summary?.kind === "group"}
          onReply={(m) => {
            setReplyTo(m);
            composerRef.current?.focus();
          }}
          onDelete={setToDelete}
          onRetry={(m) => {
            const quoted = m.replyTo ? session.message(id, m.replyTo) : undefined;
            if (quoted) setReplyTo(quoted);
            session.forgetFailed(id, m.messageId);
            const text = m.text ?? "";
            setDraft((d) => (d.trim() ? `${d}\n${text}` : text));
            composerRef.current?.focus();
          }}
          onForget={(m) => {
            session.forgetFailed(id, m.messageId);
            list.focusList();
          }}
        />
        <p className="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="announcer">
          {announcement}
        </p>
        <Composer
          session={session}
          conversationId={id}
          composerRef={composerRef}
          draft={draft}
          onDraft={setDraft}
          replyTo={replyTo}
          onCancelReply={() => setReplyTo(undefined)}
          onSend={(e) => void send(e)}
          onFiles={(files) => void sendFiles(files)}
          onOffer={setOffered}
          problem={problem}
          onProblem={setProblem}
        />
      </section>
      {other && summary?.kind === "direct" ? (
        <SafetyNumber session={session} userId={other.userId} name={other.displayName} />
      ) : null}
      <SendFilesDialog
        offered={offered}
        onCancel={() => setOffered(undefined)}
        onConfirm={(files) => {
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
          list.focusList();
          if (m)
            void session
              .deleteMessage(id, m.messageId)
              .catch(() => setProblem("That message couldn't be deleted."));
        }}
      />
    </Page>
  );
}
