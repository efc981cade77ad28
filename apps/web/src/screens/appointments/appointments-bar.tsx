import "./appointments.css";
import type { ConversationSummary } from "@hearth/protocol";
import { useState } from "react";
import type { HearthSession } from "../../state/hearth-session.ts";
import { AppointmentItem } from "./appointment-item.tsx";
import { ScheduleForm } from "./schedule-form.tsx";
import { formatStart, useAppointments } from "./use-appointments.ts";

/** Conversations whose sessions bar is open (this page's memory only). */
const openBars = new Set<string>();

/**
 * The sessions of a conversation, folded into one line above the messages ("Next session: …");
 * opened, the list with its actions, and for a therapist the form to schedule one.
 */
export function AppointmentsBar({
  session,
  conversationId,
  summary,
}: {
  session: HearthSession;
  conversationId: string;
  summary: ConversationSummary | undefined;
}) {
  const { appointments, reload } = useAppointments(session, conversationId);
  // Open or folded stays as the person left it, also when the screen is laid out anew (rotation).
  const [open, setOpen] = useState(() => openBars.has(conversationId));
  const therapist = session.me?.role === "therapist";
  // With sessions listed, the form waits behind a button so the messages keep their room.
  const [formShown, setFormShown] = useState(false);
  const scheduled = (appointments ?? []).filter((a) => a.status === "scheduled" && a.nextStartAt);
  const next = scheduled.map((a) => a.nextStartAt as string).sort()[0];
  // Nothing while loading, and nothing for a patient who has no sessions here: out of the way.
  if (!appointments || (!therapist && appointments.length === 0)) return null;
  const nameOf = (userId: string) =>
    summary?.members.find((m) => m.userId === userId)?.displayName ?? "Someone";
  return (
    <details
      className="appointments-bar"
      open={open}
      onToggle={(e) => {
        const now = (e.currentTarget as HTMLDetailsElement).open;
        if (now) openBars.add(conversationId);
        else openBars.delete(conversationId);
        setOpen(now);
      }}
    >
      <summary className="appointments-bar__summary">
        {next ? `Next session: ${formatStart(next)}` : "No session scheduled"}
      </summary>
      <div className="appointments-bar__body">
        {(appointments ?? []).length > 0 ? (
          <ul className="appointment-list" aria-label="Sessions in this conversation">
            {(appointments ?? []).map((a) => (
              <AppointmentItem
                key={a.id}
                session={session}
                appointment={a}
                onChanged={reload}
                nameOf={nameOf}
              />
            ))}
          </ul>
        ) : null}
        {therapist && (formShown || appointments.length === 0) ? (
          <section aria-labelledby="schedule-title">
            <h2 id="schedule-title" className="appointments-bar__title">
              Schedule a session
            </h2>
            <ScheduleForm
              session={session}
              conversationId={conversationId}
              onScheduled={() => {
                // The form stays with its confirmation; on the next visit it waits behind the button.
                setFormShown(true);
                reload();
              }}
            />
          </section>
        ) : therapist ? (
          <p className="appointments-bar__more">
            <button type="button" className="button button--quiet" onClick={() => setFormShown(true)}>
              Schedule another session
            </button>
          </p>
        ) : null}
      </div>
    </details>
  );
}
