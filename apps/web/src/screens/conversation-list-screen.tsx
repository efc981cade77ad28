import "./conversation-list-screen.css";
import type { ConversationSummary } from "@hearth/protocol";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { InvitePanel } from "../components/invite-panel.tsx";
import { Link } from "../components/link.tsx";
import { Name, Names } from "../components/names.tsx";
import { Page } from "../components/page.tsx";
import { lastActivity } from "../format/time.ts";
import { navigate } from "../router/router.ts";
import { useLiveSession } from "../session/session-context.tsx";
import type { HearthSession } from "../state/hearth-session.ts";

/** The other members' names, each isolated: "Sky", "Group: Sky, River", or "Just you". */
function OtherNames({ session, c }: { session: HearthSession; c: ConversationSummary }) {
  const names = c.members.filter((m) => m.userId !== session.userId).map((m) => m.displayName);
  return (
    <>
      {c.kind === "group" ? "Group: " : null}
      <Names names={names} empty="Just you" />
    </>
  );
}

/**
 * A therapist starts a group with some of their patients. Everyone in a group sees the others'
 * names and messages, so the form says so before anything is created.
 */
function GroupCreator({ session }: { session: HearthSession }) {
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [problem, setProblem] = useState("");
  const [busy, setBusy] = useState(false);
  const patients = new Map<string, string>();
  for (const c of session.conversations) {
    if (c.kind !== "direct") continue;
    for (const m of c.members) if (m.role === "patient") patients.set(m.userId, m.displayName);
  }
  if (patients.size < 2) return null;
  const toggle = (userId: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(userId);
    else next.delete(userId);
    setChosen(next);
    setProblem("");
  };
  const create = async (e: FormEvent) => {
    e.preventDefault();
    // A second click while the first is on its way must not make a second, identical group.
    if (busy) return;
    if (chosen.size < 2) {
      setProblem("Choose at least two people for a group.");
      return;
    }
    setBusy(true);
    setProblem("");
    try {
      const group = await session.createGroup([...chosen]);
      navigate(`/conversations/${group.conversationId}`);
    } catch {
      setProblem("The group couldn't be created. Please try again.");
      setBusy(false);
    }
  };
  return (
    <details className="card group-creator">
      <summary>Start a group</summary>
      <form onSubmit={create} aria-label="Start a group">
        <fieldset className="group-creator__people">
          <legend>Who is in the group</legend>
          <p className="field__hint">
            Everyone in a group sees the others' names and messages. Patients can't add anyone.
          </p>
          {[...patients].map(([userId, name]) => (
            <label key={userId} className="check">
              <input
                type="checkbox"
                checked={chosen.has(userId)}
                onChange={(e) => toggle(userId, e.currentTarget.checked)}
              />
              <Name>{name}</Name>
            </label>
          ))}
        </fieldset>
        {problem ? (
          <p className="form__status" role="status">
            {problem}
          </p>
        ) : null}
        <div className="form__actions">
          <button type="submit" className="button button--primary" aria-disabled={busy}>
            {busy ? "Creating…" : "Create group"}
          </button>
        </div>
      </form>
    </details>
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

function ConversationRow({
  session,
  c,
  caseload,
}: {
  session: HearthSession;
  c: ConversationSummary;
  caseload: boolean;
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
      <Link to={`/conversations/${c.conversationId}`} className="conversation-list__item">
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
            className="button button--small"
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

/** The conversation list; for a therapist, their caseload; for an admin, inviting therapists. */
export function ConversationListScreen({ session: s }: { session: HearthSession }) {
  const session = useLiveSession(s);
  const role = session.saved.role;
  const list = [...session.conversations].sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt));
  const caseload = role === "therapist";
  const title = role === "therapist" ? "Your caseload" : role === "admin" ? "Your practice" : "Conversations";

  return (
    <Page title={title} documentTitle={role === "therapist" ? "Caseload" : title}>
      {role === "admin" ? (
        <>
          <p className="lead">
            Invite the therapists of your practice. As an admin you can't read any messages.
          </p>
          <InvitePanel session={session} inviteRole="therapist" />
        </>
      ) : null}
      {role !== "admin" ? (
        !session.conversationsLoaded ? (
          <p className="quiet">Loading your conversations…</p>
        ) : list.length === 0 ? (
          <p className="notice">
            {caseload
              ? "No patients yet. Make an invite link below; each patient gets a private conversation with you."
              : "No conversations yet."}
          </p>
        ) : (
          <ul className="conversation-list" aria-label={caseload ? "Patients" : "Your conversations"}>
            {list.map((c) => (
              <ConversationRow key={c.conversationId} session={session} c={c} caseload={caseload} />
            ))}
          </ul>
        )
      ) : null}
      {caseload ? <InvitePanel session={session} inviteRole="patient" /> : null}
      {caseload ? <GroupCreator session={session} /> : null}
      {caseload ? (
        <p className="quiet">
          Private labels stay on this device: patients never see them, and neither does the server.
        </p>
      ) : null}
    </Page>
  );
}
