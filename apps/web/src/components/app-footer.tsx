import { ThemeSelect } from "./theme-select.tsx";

/** The footer on every screen: how to leave quickly, and the theme (except where Settings has it). */
export function AppFooter({ showTheme = true }: { showTheme?: boolean }) {
  return (
    <footer className="app-footer">
      <p className="app-footer__hint">
        To leave quickly, press <kbd>Esc</kbd> twice or use Quick exit.
      </p>
      {showTheme ? <ThemeSelect /> : null}
    </footer>
  );
}
