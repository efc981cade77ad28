import { type MouseEvent, useEffect, useRef, useState } from "react";
import { AppFooter } from "./components/app-footer.tsx";
import { AppHeader } from "./components/app-header.tsx";
import { CrisisDialog } from "./components/crisis-dialog.tsx";
import { PAGE_HEADING_ID } from "./components/page.tsx";
import { type Route, SIGNED_IN_ROUTES, useRoute } from "./router/router.ts";
import { ChatScreen } from "./screens/chat-screen.tsx";
import { ConversationListScreen } from "./screens/conversation-list-screen.tsx";
import { InviteScreen } from "./screens/invite-screen.tsx";
import { NotFoundScreen } from "./screens/not-found-screen.tsx";
import { SettingsScreen } from "./screens/settings-screen.tsx";
import { SetupScreen } from "./screens/setup-screen.tsx";
import { WelcomeScreen } from "./screens/welcome-screen.tsx";

function Screen({ route }: { route: Route }) {
  switch (route.name) {
    case "welcome":
      return <WelcomeScreen />;
    case "setup":
      return <SetupScreen />;
    case "invite":
      return <InviteScreen />;
    case "conversations":
      return <ConversationListScreen />;
    case "chat":
      return <ChatScreen id={route.id} />;
    case "settings":
      return <SettingsScreen />;
    case "not-found":
      return <NotFoundScreen />;
  }
}

function skipToMain(event: MouseEvent<HTMLAnchorElement>) {
  // Move focus without changing the URL fragment: a fragment change would add a history entry.
  event.preventDefault();
  document.getElementById("main")?.focus();
}

/** The app shell: skip link, header (help + quick exit), the current screen, footer, crisis dialog. */
export function App() {
  const route = useRoute();
  const [helpOpen, setHelpOpen] = useState(false);
  const routeKey = route.name === "chat" ? `chat:${route.id}` : route.name;
  const firstRender = useRef(true);

  useEffect(() => {
    // After an in-app navigation, start the screen reader and the keyboard at the new heading.
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    if (routeKey) document.getElementById(PAGE_HEADING_ID)?.focus();
  }, [routeKey]);

  return (
    <>
      {/* biome-ignore lint/a11y/useValidAnchor: a skip link is a link by convention (and for screen
          readers); the click handler only keeps the URL fragment, and so the history, unchanged. */}
      <a className="skip-link" href="#main" onClick={skipToMain}>
        Skip to main content
      </a>
      <AppHeader
        route={route}
        showNav={SIGNED_IN_ROUTES.has(route.name)}
        onGetHelp={() => setHelpOpen(true)}
      />
      <Screen key={routeKey} route={route} />
      <AppFooter showTheme={route.name !== "settings"} />
      <CrisisDialog open={helpOpen} onClose={() => setHelpOpen(false)} />
    </>
  );
}
