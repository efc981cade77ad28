import "./message-edit.css";
import { type FormEvent, type KeyboardEvent, useEffect, useId, useRef, useState } from "react";
import type { ChatMessage, HearthSession } from "../../state/hearth-session.ts";

/**
 * Editing one of my messages in place: its text in a box, Save and Cancel (Enter saves, Escape
 * cancels). The edit is end-to-end encrypted like a message and shown at once; the other side
 * sees the new text marked "Edited".
 */
export function MessageEditor({
  session,
  conversationId,
  m,
  onDone,
}: {
  session: HearthSession;
  conversationId: string;
  m: ChatMessage;
  /** Saved or cancelled: the bubble shows the message again. */
  onDone: () => void;
}) {
  const [text, setText] = useState(m.text ?? "");
  const [problem, setProblem] = useState("");
  const box = useRef<HTMLTextAreaElement>(null);
  const id = useId();

  useEffect(() => {
    const b = box.current;
    if (!b) return;
    b.focus();
    b.setSelectionRange(b.value.length, b.value.length);
  }, []);

  const save = async (e?: FormEvent) => {
    e?.preventDefault();
    const next = text.trim();
    if (next === "" || next === (m.text ?? "").trim()) {
      if (next === "") setProblem("A message can't be empty. Delete it instead, or cancel.");
      else onDone();
      return;
    }
    try {
      await session.editMessage(conversationId, m.messageId, next);
      onDone();
    } catch {
      setProblem("This message can no longer be edited (messages can be edited for 24 hours).");
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === "Escape") {
      e.preventDefault();
      onDone();
    } else if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      if (!e.repeat) void save();
    }
  };

  return (
    <form className="msg-editor" aria-label="Edit your message" onSubmit={(e) => void save(e)}>
      <label htmlFor={id} className="visually-hidden">
        Your message
      </label>
      <textarea
        ref={box}
        id={id}
        className="msg-editor__box"
        rows={Math.min(6, Math.max(2, text.split("\n").length))}
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        onKeyDown={onKeyDown}
        aria-describedby={`${id}-hint`}
      />
      <p className="field__hint" id={`${id}-hint`}>
        Enter saves; Escape cancels. Everyone in the conversation sees that it was edited.
      </p>
      <div className="msg-editor__actions">
        <button type="button" className="button button--small button--quiet" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="button button--small button--primary">
          Save
        </button>
      </div>
      <p className="form__status" role="status">
        {problem}
      </p>
    </form>
  );
}
