import { ActionForm, Field, text } from "../../components/form.tsx";
import { SignInName } from "../../components/sign-in-name.tsx";
import { ThemeSelect } from "../../components/theme-select.tsx";
import type { HearthSession } from "../../state/hearth-session.ts";

/** Profile: the name others see, the sign-in name, and how Hearth looks on this device. */
export function ProfileSection({ session }: { session: HearthSession }) {
  const save = async (data: FormData) => {
    const displayName = text(data, "display-name");
    session.me = await session.api.updateSettings({ displayName });
    void session.refreshConversations();
    return "Saved.";
  };
  return (
    <>
      <section className="card" aria-labelledby="profile-title">
        <h2 id="profile-title">Your name</h2>
        {session.me ? (
          <ActionForm label="Your name" submitLabel="Save name" busyLabel="Saving…" action={save}>
            <Field
              id="display-name"
              label="Name to show"
              hint="What the people you talk with see. A nickname is fine."
              required
              maxLength={64}
              defaultValue={session.me.displayName}
            />
          </ActionForm>
        ) : (
          <p className="quiet">Loading…</p>
        )}
      </section>
      <section className="card" aria-labelledby="sign-in-name-title">
        <h2 id="sign-in-name-title">Sign-in name</h2>
        {session.me ? (
          <>
            <p>
              You sign in with <SignInName login={session.me.login} testId="settings-sign-in-name" /> and your
              password. Only you see it; the people you talk with see your name to show.
            </p>
            <p className="quiet">Keep it with your password, for signing in on a new phone or computer.</p>
          </>
        ) : (
          <p className="quiet">Loading…</p>
        )}
      </section>
      <section className="card" aria-labelledby="appearance-title">
        <h2 id="appearance-title">Appearance</h2>
        <ThemeSelect label="Theme" />
      </section>
    </>
  );
}
