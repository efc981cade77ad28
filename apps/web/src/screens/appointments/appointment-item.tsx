import type { Appointment } from "@hearth/protocol";
import { useState } from "react";
import { describeError } from "../../components/form.tsx";
import type { HearthSession } from "../../state/hearth-session.ts";
import { RescheduleForm } from "./reschedule-form.tsx";
import { describeRecurrence, formatStart } from "./use-appointments.ts";

/**
 * One appointment: when the next session is, how often, whether someone asked to move it, and the
 * actions (ask for another time, cancel — with a confirmation, since the other side is told).
 */
export function AppointmentItem({
  session,
  appointment: a,
  onChanged,
  nameOf,
}: {
  session: HearthSession;
  appointment: Appointment;
  onChanged: () => void;
  /** A member's display name, for "X asked for another time". */
  nameOf: (userId: string) => string;
}) {
  const [confirming, setConfirming] = useState(false);
  const [moving, setMoving] = useState(false);
  const therapist = session.me?.role === "therapist";
  const [message, setMessage] = useState("");
  const run = async (what: () => Promise<unknown>, done: string) => {
    setMessage("");
    try {
      await what();
      setMessage(done);
      onChanged();
    } catch (err) {
      setMessage(describeError(err));
    }
  };
  const when = a.nextStartAt ? formatStart(a.nextStartAt) : "No sessions left";
  const repeat = describeRecurrence(a.recurrence);
  const cancelled = a.status === "cancelled";
  return (
    <li className={`appointment${cancelled ? " appointment--cancelled" : ""}`}>
      <p className="appointment__when">
        {cancelled ? <span className="appointment__badge">Cancelled</span> : null}
        <span>{cancelled ? "This session was cancelled" : when}</span>
      </p>
      <p className="appointment__meta quiet">
        {a.durationMinutes} minutes{repeat ? ` · ${repeat}` : ""}
      </p>
      {a.rescheduleRequest && !cancelled ? (
        <p className="appointment__request">
          {a.rescheduleRequest.by === session.userId ? "You" : nameOf(a.rescheduleRequest.by)} asked for
          another time.
        </p>
      ) : null}
      {cancelled ? null : (
        <div className="appointment__actions">
          {therapist ? (
            <button
              type="button"
              className="button button--quiet"
              aria-expanded={moving}
              onClick={() => setMoving((m) => !m)}
            >
              Change time
            </button>
          ) : (
            <button
              type="button"
              className="button button--quiet"
              onClick={() =>
                run(() => session.appointments.requestReschedule(a.id), "Your request was sent.")
              }
            >
              Ask to reschedule
            </button>
          )}
          {confirming ? (
            <fieldset className="appointment__confirm">
              <legend className="visually-hidden">Cancel this session? The others are told.</legend>
              <button
                type="button"
                className="button button--primary"
                onClick={() =>
                  run(() => session.appointments.cancel(a.id), "Cancelled. The others are told.")
                }
              >
                Yes, cancel
              </button>
              <button type="button" className="button button--quiet" onClick={() => setConfirming(false)}>
                Keep it
              </button>
            </fieldset>
          ) : (
            <button type="button" className="button button--quiet" onClick={() => setConfirming(true)}>
              Cancel session
            </button>
          )}
        </div>
      )}
      {moving && !cancelled ? (
        <RescheduleForm
          session={session}
          appointment={a}
          onDone={() => {
            setMoving(false);
            onChanged();
          }}
        />
      ) : null}
      <p className="appointment__status" role="status">
        {message}
      </p>
    </li>
  );
}
