import "./chat.css";
import "./office-hours/office-hours.css";
import { MAX_CALL_PARTICIPANTS } from "@hearth/client/calls";
import type { MessageId } from "@hearth/protocol";
import { type FormEvent, type ReactNode, useEffect, useRef, useState } from "react";
import { ExitButton, HelpButton } from "../../components/app-header.tsx";
import { ConfirmDialog } from "../../components/confirm-dialog.tsx";
import { Link } from "../../components/link.tsx";
import { Page } from "../../components/page.tsx";
import { listNames } from "../../layout/list-names.ts";
import { useWideScreen } from "../../layout/use-wide-screen.ts";
import { useLiveSession } from "../../session/session-context.tsx";
import type { ChatMessage, HearthSession } from "../../state/hearth-session.ts";
import { AppointmentsBar } from "../appointments/appointments-bar.tsx";
import { CallPanel } from "../call/call-panel.tsx";
import { StartCallButtons } from "../call/start-call-buttons.tsx";
import { closeCallScreen, showsCall, useCall } from "../call/use-call.ts";
import { SendFilesDialog, sendEach, useFileDrop } from "./attachments.tsx";
import { BackToList, ChatTitle } from "./chat-header.tsx";
import { Composer } from "./composer.tsx";
import { MessageList } from "./message-list.tsx";
import { OfficeHoursBar } from "./office-hours/office-hours-bar.tsx";
import { useOfficeHours } from "./office-hours/use-office-hours.ts";
import { SafetyNumber } from "./safety-number.tsx";
import { useDraft } from "./use-draft.ts";
import { useLiveAnnouncement } from "./use-live-announcement.ts";
import { useMessageList } from "./use-message-list.ts";

/**
 * One conversation: the message list (virtualised), typing, receipts, replies, delete, composer.
 * The parts sit beside this file: `message-list.tsx` and `use-message-list.ts` (the list and its
 * scrolling), `message-bubble.tsx` (one message), `composer.tsx` (the message box),
 * `attachments.tsx` (dropped, pasted and attached files), `chat-header.tsx`, `safety-number.tsx`.
 * The screen fills the window's height: its header row, the messages (the only part that scrolls),
 * the composer pinned at the bottom.
 */
export function ChatScreen({
  session: s,
  id,
  focusMessageId,
  listBeside = false,
  onGetHelp,
}: {
  session: HearthSession;
  id: string;
  /** A message to show first (from search), instead of the first unread or the latest. */
  focusMessageId?: string;
  /**
   * The list of conversations is beside this one (a wide screen, under the app's header). Otherwise
   * the conversation fills the screen: its own header has the way back, help and quick exit.
   */
  listBeside?: boolean;
  onGetHelp: () => void;
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

  const officeHours = useOfficeHours(session, id);
  // Not the marker this device saved while another may have read on: the line goes where the
  // person really stopped reading.
  const marks = session.readMarkersSettled ? summary : undefined;
  const list = useMessageList({
    session,
    id,
    loaded,
    readSeq: marks?.readSeq,
    unread: marks?.unread,
    focusMessageId,
    onProblem: setProblem,
    placeAutomatic: officeHours.place,
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

  const sendFiles = async (files: readonly File[], caption?: string) => {
    setProblem("");
    setProblem(await sendEach(session, id, files, list.followLatest, caption));
  };

  const other = summary?.members.find((m) => m.userId !== session.userId);
  const others = summary?.members.filter((m) => m.userId !== session.userId) ?? [];
  // A group call is a mesh: every device sends to every other, so only small groups get call buttons.
  const callable =
    others.length > 0 &&
    others.length < MAX_CALL_PARTICIPANTS &&
    (summary?.kind === "direct" || others.length > 1);
  const callName =
    summary?.kind === "group" ? others.map((m) => m.displayName).join(", ") : (other?.displayName ?? "");
  const call = useCall(session);
  const wide = useWideScreen();
  const [showChat, setShowChat] = useState(false);
  const [, setClosedTick] = useState(0);
  const callHere = showsCall(call, id);
  const chatHidden = callHere && !wide && !showChat;

  return (
    <Page
      title={<ChatTitle summary={summary} ownUserId={session.userId} />}
      documentTitle="Conversation"
      className="page--chat"
      bar={{
        start: listBeside ? undefined : <BackToList label={listNames(session.saved.role).nav} />,
        end: (
          <div className="chat-top__end">
            {/* On a phone during a call the header keeps room for the name, help and quick exit. */}
            {callable && !(callHere && !wide) ? (
              <StartCallButtons
                session={session}
                conversationId={id}
                peerUserIds={others.map((m) => m.userId)}
                peerName={callName}
              />
            ) : null}
            {other && summary?.kind === "direct" ? (
              <SafetyNumber session={session} userId={other.userId} name={other.displayName} />
            ) : null}
            {listBeside ? null : (
              <>
                <HelpButton compact onGetHelp={onGetHelp} />
                <ExitButton compact />
              </>
            )}
          </div>
        ),
      }}
    >
      <CallLayout
        active={callHere}
        wide={wide}
        panel={
          <CallPanel
            session={session}
            call={call}
            name={callName || "the other person"}
            onClose={() => {
              closeCallScreen(call.state.callId);
              setClosedTick((n) => n + 1);
            }}
            extra={
              wide ? null : (
                <button type="button" className="button button--quiet" onClick={() => setShowChat(true)}>
                  Show chat
                </button>
              )
            }
          />
        }
        chatShown={!chatHidden}
        onShowCall={() => setShowChat(false)}
      >
        <section
          className={`chat${dragging ? " chat--dragging" : ""}`}
          aria-label="Conversation"
          hidden={chatHidden}
          {...dropHandlers}
        >
          <OfficeHoursBar
            therapists={officeHours.therapists.filter((t) => t.userId !== session.userId)}
            nameOf={(userId) => session.nameOf(id, userId)}
          />
          {dragging ? (
            <p className="chat__drop" aria-hidden="true">
              Drop to send securely
            </p>
          ) : null}
          <AppointmentsBar session={session} conversationId={id} summary={summary} />
          {/* Check-ins (issue 11): answer, plans, trends; one tap from the conversation. */}
          <p className="chat-checkins">
            <Link to={`/conversations/${id}/checkin`}>Check-ins</Link>
          </p>
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
            onGetHelp={onGetHelp}
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
      </CallLayout>
      <SendFilesDialog
        offered={offered}
        onCancel={() => setOffered(undefined)}
        onConfirm={(files, caption) => {
          setOffered(undefined);
          void sendFiles(files, caption);
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

/**
 * The chat, and while a call is on screen the call beside it (wide) or one of the two with a switch
 * (phone). The call stays mounted while the chat shows on a phone, so its sound keeps playing.
 */
function CallLayout({
  active,
  wide,
  panel,
  chatShown,
  onShowCall,
  children,
}: {
  active: boolean;
  wide: boolean;
  panel: ReactNode;
  chatShown: boolean;
  onShowCall: () => void;
  children: ReactNode;
}) {
  if (!active) return <>{children}</>;
  return (
    <div className={`call-layout${wide ? "" : " call-layout--phone"}`}>
      <div className="call-layout__call" hidden={!wide && chatShown}>
        {panel}
      </div>
      {!wide && chatShown ? (
        <div className="call-switch">
          <button type="button" className="button button--primary" onClick={onShowCall}>
            Back to the call
          </button>
        </div>
      ) : null}
      {children}
    </div>
  );
}
