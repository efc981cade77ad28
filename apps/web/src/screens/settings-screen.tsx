import { Page } from "../components/page.tsx";
import { ThemeSelect } from "../components/theme-select.tsx";
import { QUICK_EXIT_URL } from "../quick-exit/quick-exit.ts";

/** Settings (placeholder sections; appearance works). */
export function SettingsScreen() {
  const exitHost = new URL(QUICK_EXIT_URL).hostname;
  return (
    <Page title="Settings">
      <section className="card" aria-labelledby="appearance-title">
        <h2 id="appearance-title">Appearance</h2>
        <ThemeSelect label="Theme" />
      </section>
      <section className="card" aria-labelledby="exit-title">
        <h2 id="exit-title">Leaving quickly</h2>
        <p>
          Quick exit, or pressing <kbd>Esc</kbd> twice, opens a weather page ({exitHost}) in place of Hearth.
          The browser's Back button won't bring Hearth back.
        </p>
      </section>
      <section className="card" aria-labelledby="notifications-title">
        <h2 id="notifications-title">Notifications</h2>
        <p>Notifications say only "New message in Hearth": no names, no text.</p>
      </section>
    </Page>
  );
}
