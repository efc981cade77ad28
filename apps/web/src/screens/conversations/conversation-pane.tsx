import { Link } from "../../components/link.tsx";
import type { ListNames } from "../../layout/list-names.ts";
import { useLiveSession } from "../../session/session-context.tsx";
import type { HearthSession } from "../../state/hearth-session.ts";
import { ConversationList } from "./conversation-list.tsx";

/**
 * On a wide screen, the list of conversations (the caseload) beside the open conversation, full
 * height, scrolling on its own: a therapist sees who else is waiting while answering one patient.
 */
export function ConversationPane({
  session: s,
  names,
  activeId,
}: {
  session: HearthSession;
  names: ListNames;
  activeId: string | undefined;
}) {
  const session = useLiveSession(s);
  return (
    <aside className="list-pane" aria-labelledby="list-pane-title">
      <h2 id="list-pane-title" className="list-pane__title">
        {names.nav}
      </h2>
      <p className="upcoming-link">
        <Link to="/upcoming">Upcoming sessions</Link>
      </p>
      <ConversationList session={session} names={names} activeId={activeId} />
    </aside>
  );
}
