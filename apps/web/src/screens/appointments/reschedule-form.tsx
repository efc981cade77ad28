import type { Appointment } from "@hearth/protocol";
import { ActionForm, text } from "../../components/form.tsx";
import type { HearthSession } from "../../state/hearth-session.ts";

/**
 * A therapist moves a session (or series) to another date and time, in the appointment's own zone;
 * everyone in the conversation is told and the old reminders lapse.
 */
export function RescheduleForm({
  session,
  appointment: a,
  onDone,
}: {
  session: HearthSession;
  appointment: Appointment;
  onDone: () => void;
}) {
  const [date, time] = a.start.split("T") as [string, string];
  const id = a.id.slice(-8);
  const move = async (data: FormData) => {
    await session.appointments.reschedule(a.id, {
      start: `${text(data, `move-date-${id}`)}T${text(data, `move-time-${id}`)}`,
      timeZone: a.timeZone,
      durationMinutes: a.durationMinutes,
      recurrence: a.recurrence,
    });
    onDone();
    return "Moved. Everyone in this conversation is told.";
  };
  return (
    <ActionForm label="Change the time" submitLabel="Move session" busyLabel="Moving…" action={move}>
      <div className="appointment-form__row">
        <div className="field">
          <label htmlFor={`move-date-${id}`}>New date</label>
          <input id={`move-date-${id}`} name={`move-date-${id}`} type="date" required defaultValue={date} />
        </div>
        <div className="field">
          <label htmlFor={`move-time-${id}`}>New time</label>
          <input id={`move-time-${id}`} name={`move-time-${id}`} type="time" required defaultValue={time} />
        </div>
      </div>
      <p className="field__hint">Time zone: {a.timeZone}.</p>
    </ActionForm>
  );
}
