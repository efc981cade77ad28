import type { ConversationSummary } from "@hearth/protocol";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { Link } from "../../components/link.tsx";
import { Name, Names } from "../../components/names.tsx";
import { lastActivity } from "../../format/time.ts";
import type { HearthSession } from "../../state/hearth-session.ts";

/** The other members' names, each isolated: "Sky", "Group: Sky, River", or "Just you". */
export function OtherNames({ session, c }: { session: HearthSession; c: ConversationSummary }) {
  const names = c.members.filter((m) => m.userId !== session.userId).map((m) => m.displayName);
  return (
    <>
      {c.kind === "group" ? "Group: " : null}
      <Names names={names} empty="Just you" />
    </>
  );
}

/** The private label editor of one patient (therapists only; kept on this device). */
function LabelEditor({
  session,
  userId,
  onDone,
}: {
  session: HearthSession;
  userId: string;
  onDone: () => void;
}) {
  const id = useId();
  const [value, setValue] = useState(session.labels.get(userId) ?? "");
  const save = async (e: FormEvent) => {
    e.preventDefault();
    await session.setLabel(userId, value);
    onDone();
  };
  return (
    <form className="label-editor" onSubmit={save} aria-label="Private label">
      <div className="field">
        <label htmlFor={id}>Private label</label>
        <p className="field__hint" id={`${id}-hint`}>
          Only you see this, and only on this device.
        </p>
        <input
          id={id}
          value={value}
          maxLength={80}
          aria-describedby={`${id}-hint`}
          onChange={(e) => setValue(e.currentTarget.value)}
          // biome-ignore lint/a11y/noAutofocus: the editor opens on request; focus belongs in it.
          autoFocus
        />
      </div>
      <div className="form__actions">
        <button type="submit" className="button button--primary">
          Save label
        </button>
        <button type="button" className="button button--quiet" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** One conversation in the list: who, when, any private label, what is new; and the label editor. */
export function ConversationRow({
  session,
  c,
  caseload,
  active,
}: {
  session: HearthSession;
  c: ConversationSummary;
  caseload: boolean;
  /** The conversation open beside the list. */
  active: boolean;
}) {
  const [editing, setEditing] = useState(false);
  // Saving or cancelling the label hands the focus back to the button that opened the editor.
  const editButton = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);
  useEffect(() => {
    if (!editing && wasEditing.current) editButton.current?.focus();
    wasEditing.current = editing;
  }, [editing]);
  const name = <OtherNames session={session} c={c} />;
  // Labels belong to one patient: only on their 1:1 conversation.
  const patient =
    c.kind === "direct"
      ? c.members.find((m) => m.userId !== session.userId && m.role === "patient")
      : undefined;
  const label = patient ? session.labels.get(patient.userId) : undefined;
  return (
    <li className="conversation-list__row">
      <Link
        to={`/conversations/${c.conversationId}`}
        className="conversation-list__item"
        aria-current={active ? "page" : undefined}
      >
        <span className="conversation-list__top">
          <span className="conversation-list__name">{name}</span>
          <span className="conversation-list__time">
            <span className="visually-hidden">Last activity </span>
            {lastActivity(c.lastActivityAt)}
          </span>
        </span>
        {caseload && label ? (
          <span className="conversation-list__label">
            <Name>{label}</Name>
          </span>
        ) : null}
        <span className="conversation-list__meta">
          {c.unread > 0 ? (
            <span className="unread">
              {c.unread === 1 ? "1 new message" : `${c.unread.toLocaleString()} new messages`}
            </span>
          ) : c.lastSeq === 0 ? (
            "No messages yet"
          ) : (
            "No new messages"
          )}
        </span>
      </Link>
      {caseload && patient ? (
        editing ? (
          <LabelEditor session={session} userId={patient.userId} onDone={() => setEditing(false)} />
        ) : (
          <button
            ref={editButton}
            type="button"
            className="link-button conversation-list__label-button"
            onClick={() => setEditing(true)}
          >
            {label ? "Edit label" : "Add label"}
            <span className="visually-hidden"> for {name}</span>
          </button>
        )
      ) : null}
    </li>
  );
}
