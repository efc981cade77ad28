import "./appointments.css";
import { Page } from "../../components/page.tsx";
import { useLiveSession } from "../../session/session-context.tsx";
import type { HearthSession } from "../../state/hearth-session.ts";
import { AppointmentItem } from "./appointment-item.tsx";
import { useAppointments } from "./use-appointments.ts";

/** "Upcoming": my sessions in every conversation, soonest first, each with a way to its conversation. */
export function UpcomingScreen({ session: s }: { session: HearthSession }) {
  const session = useLiveSession(s);
  const { appointments, failed, reload } = useAppointments(session);
  const nameOf = (userId: string) => {
    for (const c of session.conversations) {
      const m = c.members.find((x) => x.userId === userId);
      if (m) return m.displayName;
    }
    return "Someone";
  };
  const active = (appointments ?? []).filter((a) => a.status === "scheduled");
  const cancelled = (appointments ?? []).filter((a) => a.status === "cancelled");
  return (
    <Page title="Upcoming sessions" documentTitle="Upcoming">
      {failed ? <p role="status">Your sessions could not be loaded. Try again later.</p> : null}
      {appointments && active.length === 0 ? <p className="quiet">No sessions are scheduled.</p> : null}
      {active.length > 0 ? (
        <ul className="appointment-list" aria-label="Upcoming sessions">
          {active.map((a) => (
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
      {cancelled.length > 0 ? (
        <>
          <h2 className="appointments-bar__title">Cancelled</h2>
          <ul className="appointment-list" aria-label="Cancelled sessions">
            {cancelled.map((a) => (
              <AppointmentItem
                key={a.id}
                session={session}
                appointment={a}
                onChanged={reload}
                nameOf={nameOf}
              />
            ))}
          </ul>
        </>
      ) : null}
    </Page>
  );
}
