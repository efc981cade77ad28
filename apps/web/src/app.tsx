import { lazy, type MouseEvent, Suspense, useEffect, useRef, useState, useSyncExternalStore } from "react";
import { AppFooter } from "./components/app-footer.tsx";
import { AppHeader } from "./components/app-header.tsx";
import { CrisisDialog } from "./components/crisis-dialog.tsx";
import { PAGE_HEADING_ID, Page } from "./components/page.tsx";
import { listNames } from "./layout/list-names.ts";
import { useWideScreen } from "./layout/use-wide-screen.ts";
import { useOpenFromPush } from "./push/open-from-push.ts";
import { navigate, type Route, SIGNED_IN_ROUTES, useRoute } from "./router/router.ts";
import { AdminScreen } from "./screens/admin/admin-screen.tsx";
import { AuditScreen } from "./screens/admin/audit-screen.tsx";
import { SignInLinkScreen } from "./screens/admin/sign-in-link-screen.tsx";
import { UpcomingScreen } from "./screens/appointments/upcoming-screen.tsx";
import { CallReturn } from "./screens/call/call-return.tsx";
import { IncomingCall } from "./screens/call/incoming-call.tsx";
import { ChatScreen } from "./screens/chat/chat-screen.tsx";
import { ConversationListScreen } from "./screens/conversation-list-screen.tsx";
import { ConversationPane } from "./screens/conversations/conversation-pane.tsx";
import { InviteScreen } from "./screens/invite-screen.tsx";
import { LockScreen } from "./screens/lock-screen.tsx";
import { NotFoundScreen } from "./screens/not-found-screen.tsx";
import { RecoveryKeyScreen } from "./screens/recovery-key-screen.tsx";
import { RestoreHistoryScreen } from "./screens/restore-history-screen.tsx";
import { SearchScreen } from "./screens/search-screen.tsx";
import { SettingsScreen } from "./screens/settings-screen.tsx";
import { SetupScreen } from "./screens/setup-screen.tsx";
import { WelcomeScreen } from "./screens/welcome-screen.tsx";
import { SessionProvider, useSession } from "./session/session-context.tsx";
import type { HearthSession } from "./state/hearth-session.ts";

// Check-ins use the SDK's instruments at run time: loaded with the screen, not in the first load.
const CheckinsScreen = lazy(() =>
  import("./screens/checkins/checkins-screen.tsx").then((m) => ({ default: m.CheckinsScreen })),
);

const SIGNED_OUT_NOTICE = "You were signed out on this device. Sign in again to continue.";

/**
 * Whether the signed-in screens are really shown (not the welcome, lock, recovery-key or restore
 * step that stands in for them).
 */
function showsSignedIn(route: Route, session: HearthSession | undefined, restoring: boolean): boolean {
  if (restoring || !session || !SIGNED_IN_ROUTES.has(route.name) || session.lock.locked) return false;
  const e = session.encryption;
  return !(e.kind === "new-identity" && !session.setup.recoveryKeySaved) && e.kind !== "needs-history";
}

function Screen({
  route,
  session,
  restoring,
  notice,
  listBeside,
  onGetHelp,
}: {
  route: Route;
  session: HearthSession | undefined;
  restoring: boolean;
  notice: string;
  /** The list of conversations is in a pane beside this screen (a wide screen). */
  listBeside: boolean;
  onGetHelp: () => void;
}) {
  if (restoring && (SIGNED_IN_ROUTES.has(route.name) || route.name === "welcome")) {
    return (
      <Page title="Opening Hearth…" documentTitle="Opening">
        <p className="quiet">Just a moment.</p>
      </Page>
    );
  }
  if (SIGNED_IN_ROUTES.has(route.name) && !session) return <WelcomeScreen notice={notice} />;
  // Locked after inactivity: nothing of the person's account is on screen until the password.
  if (session?.lock.locked && SIGNED_IN_ROUTES.has(route.name)) return <LockScreen session={session} />;
  // End-to-end encryption comes first: the recovery key once after sign-up; the keys on a new device.
  if (session && SIGNED_IN_ROUTES.has(route.name)) {
    const e = session.encryption;
    if (e.kind === "new-identity" && !session.setup.recoveryKeySaved) {
      return <RecoveryKeyScreen session={session} recoveryKey={e.recoveryKey} />;
    }
    if (e.kind === "needs-history") return <RestoreHistoryScreen session={session} />;
  }
  switch (route.name) {
    case "welcome":
      return <WelcomeScreen notice={notice} />;
    case "setup":
      return <SetupScreen />;
    case "invite":
      return <InviteScreen />;
    case "conversations":
      return session ? <ConversationListScreen session={session} listBeside={listBeside} /> : null;
    case "chat":
      return session ? (
        <ChatScreen
          session={session}
          id={route.id}
          focusMessageId={route.messageId}
          listBeside={listBeside}
          onGetHelp={onGetHelp}
        />
      ) : null;
    case "checkins":
      return session ? (
        <Suspense
          fallback={
            <Page title="Check-ins">
              <p className="quiet">Just a moment.</p>
            </Page>
          }
        >
          <CheckinsScreen session={session} id={route.id} />
        </Suspense>
      ) : null;
    case "search":
      return session ? <SearchScreen session={session} /> : null;
    case "upcoming":
      return session ? <UpcomingScreen session={session} /> : null;
    case "settings":
      return session ? <SettingsScreen session={session} /> : null;
    case "admin":
      return session ? <AdminScreen session={session} /> : null;
    case "admin-audit":
      return session ? <AuditScreen session={session} /> : null;
    case "sign-in-link":
      return <SignInLinkScreen />;
    case "not-found":
      return <NotFoundScreen />;
  }
}

function skipToMain(event: MouseEvent<HTMLAnchorElement>) {
  // Move focus without changing the URL fragment: a fragment change would add a history entry.
  event.preventDefault();
  document.getElementById("main")?.focus();
}

const noop = () => () => undefined;
const zero = () => 0;

function Shell() {
  const route = useRoute();
  const { session, restoring, signOut } = useSession();
  const [helpOpen, setHelpOpen] = useState(false);
  const [notice, setNotice] = useState("");
  // Locking or unlocking is a new screen too: the focus goes to its heading, and it is announced.
  const routeKey =
    (session?.lock.locked ? "locked:" : "") + (route.name === "chat" ? `chat:${route.id}` : route.name);
  const firstRender = useRef(true);
  useSyncExternalStore(session?.subscribe ?? noop, session?.getVersion ?? zero);
  const signedIn = session !== undefined;
  const wide = useWideScreen();
  const names = listNames(session?.saved.role);
  const inApp = showsSignedIn(route, session, restoring);
  // A wide screen: the list beside the conversation (not for an admin, who has no conversations).
  const panes =
    inApp &&
    wide &&
    session?.saved.role !== "admin" &&
    (route.name === "conversations" || route.name === "chat");
  // A conversation on a phone fills the screen, under its own compact header.
  const chatAlone = inApp && !wide && route.name === "chat";
  const onGetHelp = () => setHelpOpen(true);
  const signedOutRemotely = session?.signedOutRemotely ?? false;
  // The recovery key after sign-up is a step with no way around it: no links past it.
  const inKeyStep = session?.encryption.kind === "new-identity" && !session.setup.recoveryKeySaved;
  useOpenFromPush(session?.api, signedIn && !restoring && !session?.lock.locked);

  useEffect(() => {
    // After an in-app navigation, start the screen reader and the keyboard at the new heading.
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    // A screen that put focus in itself on purpose (the search field) keeps it.
    const main = document.getElementById("main");
    const active = document.activeElement;
    if (active && active !== main && main?.contains(active)) return;
    if (routeKey) document.getElementById(PAGE_HEADING_ID)?.focus();
  }, [routeKey]);

  // Signed in: the start page is the conversation list. Signed out: the start page is sign-in.
  useEffect(() => {
    if (restoring) return;
    if (signedIn && route.name === "welcome") navigate("/conversations");
    else if (!signedIn && SIGNED_IN_ROUTES.has(route.name)) navigate("/");
  }, [signedIn, restoring, route.name]);

  // The server refused this device's token (signed out from another device, or expired).
  useEffect(() => {
    if (!signedOutRemotely) return;
    setNotice(SIGNED_OUT_NOTICE);
    void signOut().then(() => navigate("/"));
  }, [signedOutRemotely, signOut]);

  const screen = (
    <Screen
      key={routeKey}
      route={route}
      session={session}
      restoring={restoring}
      notice={notice}
      listBeside={panes}
      onGetHelp={onGetHelp}
    />
  );
  // Full height: the page itself never scrolls; the list and the conversation scroll inside.
  const fixed = panes || chatAlone;
  return (
    <div className={`shell${fixed ? " shell--fixed" : ""}${panes ? " shell--panes" : ""}`}>
      {/* biome-ignore lint/a11y/useValidAnchor: a skip link is a link by convention (and for screen
          readers); the click handler only keeps the URL fragment, and so the history, unchanged. */}
      <a className="skip-link" href="#main" onClick={skipToMain}>
        Skip to main content
      </a>
      {chatAlone ? null : (
        <AppHeader
          route={route}
          showNav={signedIn && !session?.lock.locked && !inKeyStep && SIGNED_IN_ROUTES.has(route.name)}
          listLabel={names.nav}
          onGetHelp={onGetHelp}
        />
      )}
      {/* Always in the page (a live region); says something only while offline. */}
      <p className="connection-banner" role="status">
        {session?.offline && !session.lock.locked && SIGNED_IN_ROUTES.has(route.name)
          ? "You're offline. What you write stays on this device and is sent when the connection is back."
          : ""}
      </p>
      {inApp && session ? (
        <>
          <IncomingCall session={session} />
          <CallReturn session={session} currentId={route.name === "chat" ? route.id : undefined} />
        </>
      ) : null}
      {panes && session ? (
        <div className="panes">
          <ConversationPane
            session={session}
            names={names}
            activeId={route.name === "chat" ? route.id : undefined}
          />
          {screen}
        </div>
      ) : (
        screen
      )}
      {fixed ? null : <AppFooter showTheme={route.name !== "settings"} />}
      <CrisisDialog open={helpOpen} onClose={() => setHelpOpen(false)} />
    </div>
  );
}

/**
 * The app shell: skip link, header (help + quick exit), the current screen (on a wide screen the
 * list of conversations beside it), footer, crisis dialog.
 */
export function App() {
  return (
    <SessionProvider>
      <Shell />
    </SessionProvider>
  );
}
