import "./app-header.css";
import { quickExit } from "../quick-exit/quick-exit.ts";
import type { Route } from "../router/router.ts";
import { ExitIcon, HearthMark, LifebuoyIcon } from "./icons.tsx";
import { Link } from "./link.tsx";

/**
 * "Get help now": opens the crisis dialog. `compact` draws the icon alone (the conversation's own
 * header on a phone); the words stay in the button, visually hidden, for screen readers and voice
 * control.
 */
export function HelpButton({ onGetHelp, compact = false }: { onGetHelp: () => void; compact?: boolean }) {
  return (
    <button
      type="button"
      className={`button button--help${compact ? " button--icon" : ""}`}
      aria-haspopup="dialog"
      title={compact ? "Get help now" : undefined}
      onClick={onGetHelp}
    >
      <LifebuoyIcon />
      <span className="button__label">Get help now</span>
    </button>
  );
}

/** "Quick exit": leaves Hearth at once for a neutral page. `compact`: the icon alone. */
export function ExitButton({ compact = false }: { compact?: boolean }) {
  return (
    <button
      type="button"
      className={`button button--exit${compact ? " button--icon" : ""}`}
      title={compact ? "Quick exit" : undefined}
      onClick={() => quickExit()}
    >
      <ExitIcon />
      <span className="button__label">Quick exit</span>
    </button>
  );
}

/** Props of {@link AppHeader}. */
export interface AppHeaderProps {
  route: Route;
  /** Show the main navigation (signed-in screens). */
  showNav: boolean;
  /** The name of the list in the navigation ("Caseload" for a therapist); see `listNames`. */
  listLabel?: string;
  onGetHelp: () => void;
}

/**
 * The header on every screen but a conversation on a phone (which has its own, compact one): the
 * name, the navigation, "Get help now" and "Quick exit". One row on a wide screen; on a phone the
 * navigation takes a second row.
 */
export function AppHeader({ route, showNav, listLabel = "Conversations", onGetHelp }: AppHeaderProps) {
  const current = (name: Route["name"] | Route["name"][]) =>
    (Array.isArray(name) ? name : [name]).includes(route.name) ? "page" : undefined;
  return (
    <header className="app-header">
      <div className="app-header__bar">
        <Link to={showNav ? "/conversations" : "/"} className="brand">
          <HearthMark />
          <span className="brand__name">Hearth</span>
        </Link>
        {showNav ? (
          <nav className="app-nav" aria-label="Main">
            <Link to="/conversations" aria-current={current(["conversations", "chat", "upcoming"])}>
              {listLabel}
            </Link>
            <Link to="/search" aria-current={current("search")}>
              Search
            </Link>
            <Link to="/settings" aria-current={current("settings")}>
              Settings
            </Link>
          </nav>
        ) : null}
        <div className="app-header__actions">
          <HelpButton onGetHelp={onGetHelp} />
          <ExitButton />
        </div>
      </div>
    </header>
  );
}
