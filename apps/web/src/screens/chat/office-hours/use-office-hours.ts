import type { AutomaticEntry, ConversationRow, OfficeHoursView, TherapistHours } from "@hearth/client";
import type { ConversationId } from "@hearth/protocol";
import { useEffect, useState } from "react";
import type { HearthSession } from "../../../state/hearth-session.ts";

/** What the chat shows of a conversation's office hours: each therapist's, and the automatic entries. */
export interface OfficeHoursState {
  therapists: TherapistHours[];
  entries: readonly AutomaticEntry[];
  /** Messages with the automatic entries placed among them (the SDK's placement). */
  place<M extends { seq: number | undefined }>(messages: readonly M[]): ConversationRow<M>[];
}

const NONE: OfficeHoursState = {
  therapists: [],
  entries: [],
  place: (messages) => messages.map((message) => ({ kind: "message", message })),
};

/**
 * The SDK's office-hours view of a conversation (`client.officeHours(id)`), kept current: its
 * automatic replies as they come, and "in" / "out now" once a minute. Offline, or when the hours
 * cannot be read, there is simply nothing to show.
 */
export function useOfficeHours(session: HearthSession, id: string): OfficeHoursState {
  const [state, setState] = useState<OfficeHoursState>(NONE);
  useEffect(() => {
    let view: OfficeHoursView | undefined;
    try {
      view = session.client.officeHours(id as ConversationId);
    } catch {
      return;
    }
    const v = view;
    const update = () =>
      setState({ therapists: v.therapists(), entries: v.entries, place: (messages) => v.place(messages) });
    const off = v.on("change", update);
    v.load().catch(() => undefined);
    const timer = setInterval(update, 60_000);
    return () => {
      off();
      clearInterval(timer);
      v.close();
      setState(NONE);
    };
  }, [session, id]);
  return state;
}
