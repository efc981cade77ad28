import "./conversation-list-screen.css";
import { InvitePanel } from "../components/invite-panel.tsx";
import { Link } from "../components/link.tsx";
import { Page } from "../components/page.tsx";
import { listNames } from "../layout/list-names.ts";
import { useLiveSession } from "../session/session-context.tsx";
import type { HearthSession } from "../state/hearth-session.ts";
import { ConversationList } from "./conversations/conversation-list.tsx";
import { GroupCreator } from "./conversations/group-creator.tsx";

/**
 * The conversation list; for a therapist, their caseload; for an admin, inviting therapists. With
 * `listBeside` (a wide screen) the list itself is in the pane beside this screen, and the screen
 * keeps the rest: inviting, groups.
 */
export function ConversationListScreen({
  session: s,
  listBeside = false,
}: {
  session: HearthSession;
  listBeside?: boolean;
}) {
  const session = useLiveSession(s);
  const role = session.saved.role;
  const names = listNames(role);
  const caseload = role === "therapist";

  return (
    <Page
      title={names.title}
      documentTitle={names.nav}
      className={listBeside ? "page--beside-list" : undefined}
    >
      {role === "admin" ? (
        <>
          <p className="lead">
            Invite the therapists of your practice. As an admin you can't read any messages.
          </p>
          <p>
            <Link to="/admin">Manage accounts, invites and the audit log</Link>
          </p>
          <InvitePanel session={session} inviteRole="therapist" />
        </>
      ) : null}
      {role === "admin" || listBeside ? null : (
        <p className="upcoming-link">
          <Link to="/upcoming">Upcoming sessions</Link>
        </p>
      )}
      {role === "admin" ? null : listBeside ? (
        session.conversations.length > 0 ? (
          <p className="lead">Choose a conversation from the list to open it here.</p>
        ) : null
      ) : (
        <ConversationList session={session} names={names} />
      )}
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
