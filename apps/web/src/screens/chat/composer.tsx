import { type ClipboardEvent, type FormEvent, type KeyboardEvent, type RefObject, useId } from "react";
import { LinkPreviews } from "../../components/link-preview.tsx";
import { Name } from "../../components/names.tsx";
import { VoiceRecorder } from "../../components/voice-recorder.tsx";
import { findLinks } from "../../format/links.ts";
import type { ChatMessage, HearthSession } from "../../state/hearth-session.ts";
import { pastedName } from "./attachments.tsx";
import { about } from "./message-summary.ts";

/**
 * The message box: the message being replied to, the text, Attach, a voice note, Send, a preview of
 * links (made on this device), the upload in progress and any problem (a live status).
 */
export function Composer({
  session,
  conversationId,
  composerRef,
  draft,
  onDraft,
  replyTo,
  onCancelReply,
  onSend,
  onFiles,
  onOffer,
  problem,
  onProblem,
}: {
  session: HearthSession;
  conversationId: string;
  composerRef: RefObject<HTMLTextAreaElement | null>;
  draft: string;
  onDraft: (text: string) => void;
  replyTo: ChatMessage | undefined;
  onCancelReply: () => void;
  onSend: (event?: FormEvent) => void;
  /** A voice note recorded and sent with "Stop and send": sent at once. */
  onFiles: (files: File[]) => void;
  /** Files chosen with Attach or pasted: previewed first, with a caption and an explicit Send. */
  onOffer: (files: File[]) => void;
  problem: string;
  onProblem: (problem: string) => void;
}) {
  const composerId = useId();
  const upload = session.uploads.get(conversationId);

  // Pasting text that also comes with a picture of itself (copied from a word processor or a
  // spreadsheet) pastes the text; only a paste of files alone offers them.
  const onPaste = (e: ClipboardEvent<HTMLTextAreaElement>) => {
    const files = [...e.clipboardData.files];
    if (files.length === 0 || e.clipboardData.getData("text/plain").trim() !== "") return;
    e.preventDefault();
    onOffer(files.map(pastedName));
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      if (!e.repeat) onSend();
    }
  };

  return (
    <form className="composer" aria-label="Write a message" onSubmit={onSend}>
      {replyTo ? (
        <div className="composer__reply">
          <p>
            <span className="composer__reply-who">
              Replying to{" "}
              {replyTo.own ? "yourself" : <Name>{session.nameOf(conversationId, replyTo.senderId)}</Name>}
            </span>
            <span className="composer__reply-text">{about(replyTo)}</span>
          </p>
          <button type="button" className="link-button" onClick={onCancelReply}>
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
              onDraft(e.currentTarget.value);
              // Typing while there is text; an emptied box stops the indicator at once.
              session.setTyping(conversationId, e.currentTarget.value.length > 0);
            }}
            onKeyDown={onKeyDown}
            onPaste={onPaste}
            aria-describedby={`${composerId}-hint`}
          />
        </div>
        <label className="button button--quiet composer__attach">
          <input
            type="file"
            multiple
            className="visually-hidden"
            onChange={(e) => {
              const files = [...(e.currentTarget.files ?? [])];
              e.currentTarget.value = "";
              if (files.length > 0) onOffer(files);
            }}
          />
          Attach<span className="visually-hidden"> a file</span>
        </label>
        <VoiceRecorder
          onRecorded={(file) => onFiles([file])}
          onProblem={onProblem}
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
  );
}
