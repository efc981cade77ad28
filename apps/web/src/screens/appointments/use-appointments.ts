import type { Appointment } from "@hearth/protocol";
import { useCallback, useEffect, useState } from "react";
import type { HearthSession } from "../../state/hearth-session.ts";

/**
 * The appointments of one conversation (or, without `conversationId`, all of mine), read again
 * whenever the server says one changed (the client's `appointment` event) or `reload` is called.
 */
export function useAppointments(session: HearthSession, conversationId?: string) {
  const [appointments, setAppointments] = useState<Appointment[] | undefined>();
  const [failed, setFailed] = useState(false);
  const [version, setVersion] = useState(0);
  const reload = useCallback(() => setVersion((v) => v + 1), []);

  useEffect(
    () =>
      session.client.on("appointment", (e) => {
        if (!conversationId || e.conversationId === conversationId) reload();
      }),
    [session, conversationId, reload],
  );

  useEffect(() => {
    let live = true;
    void version;
    const read = conversationId ? session.appointments.list(conversationId) : session.appointments.upcoming();
    read
      .then((list) => {
        if (!live) return;
        setAppointments(list);
        setFailed(false);
      })
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, [session, conversationId, version]);

  return { appointments, failed, reload };
}

/** This browser's time zone (sessions are scheduled in it; the server keeps them there across DST). */
export const localZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

/** A session's start as people read it, in this browser's zone: "Wednesday 10 June, 15:00". */
export function formatStart(iso: string): string {
  return new Intl.DateTimeFormat(undefined, {
    weekday: "long",
    day: "numeric",
    month: "long",
    hour: "2-digit",
    minute: "2-digit",
  }).format(new Date(iso));
}

/** "Every week", "Every 2 weeks", "Every day", "Every month", or "" for one session. */
export function describeRecurrence(rule: string | null): string {
  if (!rule) return "";
  const freq = /FREQ=(DAILY|WEEKLY|MONTHLY)/.exec(rule)?.[1];
  const interval = Number(/INTERVAL=(\d+)/.exec(rule)?.[1] ?? 1);
  const unit = freq === "DAILY" ? "day" : freq === "MONTHLY" ? "month" : "week";
  return interval > 1 ? `Every ${interval} ${unit}s` : `Every ${unit}`;
}
