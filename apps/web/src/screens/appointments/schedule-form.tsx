import { ActionForm, text } from "../../components/form.tsx";
import type { HearthSession } from "../../state/hearth-session.ts";
import { localZone } from "./use-appointments.ts";

const DURATIONS = [30, 45, 50, 60, 90] as const;
const REPEATS = [
  { value: "", label: "Does not repeat" },
  { value: "FREQ=WEEKLY", label: "Every week" },
  { value: "FREQ=WEEKLY;INTERVAL=2", label: "Every 2 weeks" },
  { value: "FREQ=MONTHLY", label: "Every month" },
] as const;

/** Tomorrow's date as `YYYY-MM-DD` in this browser's zone (the form's first suggestion). */
function tomorrow(): string {
  const d = new Date(Date.now() + 24 * 3_600_000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * A therapist schedules a session in this conversation: date, time (in this browser's zone, kept at
 * that local time across daylight-saving changes), length, repetition, and an optional note that
 * goes as an end-to-end-encrypted message (the server only ever sees the times).
 */
export function ScheduleForm({
  session,
  conversationId,
  onScheduled,
}: {
  session: HearthSession;
  conversationId: string;
  onScheduled: () => void;
}) {
  const zone = localZone();
  const schedule = async (data: FormData, form: HTMLFormElement) => {
    const repeat = text(data, "appt-repeat");
    await session.appointments.create(
      conversationId as never,
      {
        start: `${text(data, "appt-date")}T${text(data, "appt-time")}`,
        timeZone: zone,
        durationMinutes: Number(data.get("appt-duration") ?? 50),
        recurrence: repeat === "" ? null : repeat,
      },
      { note: text(data, "appt-note") },
    );
    form.reset();
    onScheduled();
    return "Scheduled. Everyone in this conversation can see it.";
  };
  return (
    <ActionForm
      label="Schedule a session"
      submitLabel="Schedule session"
      busyLabel="Scheduling…"
      action={schedule}
    >
      <div className="appointment-form__row">
        <div className="field">
          <label htmlFor="appt-date">Date</label>
          <input id="appt-date" name="appt-date" type="date" required defaultValue={tomorrow()} />
        </div>
        <div className="field">
          <label htmlFor="appt-time">Time</label>
          <input
            id="appt-time"
            name="appt-time"
            type="time"
            required
            defaultValue="10:00"
            aria-describedby="appt-zone"
          />
        </div>
      </div>
      <p id="appt-zone" className="field__hint">
        Your time zone: {zone}.
      </p>
      <div className="appointment-form__row">
        <div className="field">
          <label htmlFor="appt-duration">Length</label>
          <select id="appt-duration" name="appt-duration" defaultValue="50">
            {DURATIONS.map((m) => (
              <option key={m} value={m}>
                {m} minutes
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="appt-repeat">Repeat</label>
          <select id="appt-repeat" name="appt-repeat" defaultValue="">
            {REPEATS.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="field">
        <label htmlFor="appt-note">Note (optional)</label>
        <p id="appt-note-hint" className="field__hint">
          Sent as an encrypted message in this conversation; the server never sees it.
        </p>
        <textarea
          id="appt-note"
          name="appt-note"
          rows={2}
          maxLength={2000}
          aria-describedby="appt-note-hint"
        />
      </div>
    </ActionForm>
  );
}
