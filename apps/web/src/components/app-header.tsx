import "./app-header.css";
import { quickExit } from "../quick-exit/quick-exit.ts";
import type { Route } from "../router/router.ts";
import { ExitIcon, HearthMark, LifebuoyIcon } from "./icons.tsx";
import { Link } from "./link.tsx";

/** Props of {@link AppHeader}. */
export interface AppHeaderProps {
  route: Route;
  /** Show the main navigation (signed-in screens). */
  showNav: boolean;
  /** The name of the list in the navigation ("Caseload" for a therapist). */
  listLabel?: string;
  onGetHelp: () => void;
}

/** The header on every screen: the name, "Get help now" and "Quick exit", then the navigation. */
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
        <div className="app-header__actions">
          <button type="button" className="button button--help" aria-haspopup="dialog" onClick={onGetHelp}>
            <LifebuoyIcon />
            Get help now
          </button>
          <button type="button" className="button button--exit" onClick={() => quickExit()}>
            <ExitIcon />
            Quick exit
          </button>
        </div>
      </div>
      {showNav ? (
        <nav className="app-nav" aria-label="Main">
          <Link to="/conversations" aria-current={current(["conversations", "chat"])}>
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
    </header>
  );
}
