import { type MouseEvent, useEffect, useRef, useState, useSyncExternalStore } from "react";
import { AppFooter } from "./components/app-footer.tsx";
import { AppHeader } from "./components/app-header.tsx";
import { CrisisDialog } from "./components/crisis-dialog.tsx";
import { PAGE_HEADING_ID, Page } from "./components/page.tsx";
import { navigate, type Route, SIGNED_IN_ROUTES, useRoute } from "./router/router.ts";
import { ChatScreen } from "./screens/chat/chat-screen.tsx";
import { ConversationListScreen } from "./screens/conversation-list-screen.tsx";
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

const SIGNED_OUT_NOTICE = "You were signed out on this device. Sign in again to continue.";

function Screen({
  route,
  session,
  restoring,
  notice,
}: {
  route: Route;
  session: HearthSession | undefined;
  restoring: boolean;
  notice: string;
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
    if (e.kind === "new-identity" && !session.recoveryKeySaved) {
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
      return session ? <ConversationListScreen session={session} /> : null;
    case "chat":
      return session ? <ChatScreen session={session} id={route.id} focusMessageId={route.messageId} /> : null;
    case "search":
      return session ? <SearchScreen session={session} /> : null;
    case "settings":
      return session ? <SettingsScreen session={session} /> : null;
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
  const signedOutRemotely = session?.signedOutRemotely ?? false;

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

  return (
    <>
      {/* biome-ignore lint/a11y/useValidAnchor: a skip link is a link by convention (and for screen
          readers); the click handler only keeps the URL fragment, and so the history, unchanged. */}
      <a className="skip-link" href="#main" onClick={skipToMain}>
        Skip to main content
      </a>
      <AppHeader
        route={route}
        showNav={signedIn && !session?.lock.locked && SIGNED_IN_ROUTES.has(route.name)}
        listLabel={
          session?.saved.role === "therapist"
            ? "Caseload"
            : session?.saved.role === "admin"
              ? "Practice"
              : "Conversations"
        }
        onGetHelp={() => setHelpOpen(true)}
      />
      {/* Always in the page (a live region); says something only while offline. */}
      <p className="connection-banner" role="status">
        {session?.offline && !session.lock.locked && SIGNED_IN_ROUTES.has(route.name)
          ? "You're offline. What you write stays on this device and is sent when the connection is back."
          : ""}
      </p>
      <Screen key={routeKey} route={route} session={session} restoring={restoring} notice={notice} />
      <AppFooter showTheme={route.name !== "settings"} />
      <CrisisDialog open={helpOpen} onClose={() => setHelpOpen(false)} />
    </>
  );
}

/** The app shell: skip link, header (help + quick exit), the current screen, footer, crisis dialog. */
export function App() {
  return (
    <SessionProvider>
      <Shell />
    </SessionProvider>
  );
}
