import { ActionForm, Field } from "../components/form.tsx";
import { Page } from "../components/page.tsx";
import { SignOutButton } from "../components/sign-out-button.tsx";
import type { HearthSession } from "../state/hearth-session.ts";

/**
 * Shown instead of every signed-in screen while Hearth is locked (see session/app-lock.ts): no
 * name, no conversation, nothing of the person's messages. The password lifts it; signing out is
 * always possible; help and quick exit stay in the header.
 */
export function LockScreen({ session }: { session: HearthSession }) {
  const unlock = async (data: FormData) => {
    try {
      await session.unlock(String(data.get("unlock-password") ?? ""));
    } catch (err) {
      // The same lockout as signing in: after a few wrong tries, a pause.
      const code = (err as { code?: unknown } | null)?.code;
      if (code === "login_failed") return "That password isn't right. Try again.";
      if (code === "locked_out") {
        return "Too many wrong passwords, so Hearth is pausing sign-in for a while to keep your account safe. Try again later, or sign out below.";
      }
      throw err;
    }
    return undefined;
  };
  return (
    <Page title="Hearth is locked" documentTitle="Locked">
      <p className="lead">
        Hearth is locked, so nobody else can read your conversations here. Enter your password to go on.
      </p>
      <section className="card" aria-label="Unlock">
        <ActionForm label="Unlock Hearth" submitLabel="Unlock" busyLabel="Checking…" action={unlock}>
          <Field
            id="unlock-password"
            label="Your password"
            type="password"
            autoComplete="current-password"
            required
            minLength={10}
          />
        </ActionForm>
      </section>
      <section className="card" aria-labelledby="lock-sign-out-title">
        <h2 id="lock-sign-out-title">Not you, or forgot the password?</h2>
        <p>Signing out removes your messages from this device. They stay safe on the server.</p>
        <SignOutButton />
      </section>
    </Page>
  );
}
