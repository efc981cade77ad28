import { ActionForm, Field } from "../../components/form.tsx";
import { PASSWORD_HINT } from "../../components/new-account-form.tsx";
import type { HearthSession } from "../../state/hearth-session.ts";

/**
 * Changing the password: the current one proves it is the person; on success every other device
 * of theirs is signed out (the server does that) and this one stays.
 */
export function ChangePassword({ session }: { session: HearthSession }) {
  const change = async (data: FormData, form: HTMLFormElement) => {
    const current = String(data.get("current-password") ?? "");
    const next = String(data.get("new-password") ?? "");
    if (next !== String(data.get("repeat-password") ?? ""))
      return "The two new passwords aren't the same yet.";
    if (next === current) return "Choose a new password that is different from the current one.";
    await session.api.changePassword(current, next);
    form.reset();
    return "Password changed. Your other devices are signed out; sign in there with the new password.";
  };
  return (
    <section className="card" aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      <ActionForm label="Change password" submitLabel="Change password" busyLabel="Changing…" action={change}>
        <Field
          id="current-password"
          label="Current password"
          type="password"
          autoComplete="current-password"
          required
          minLength={10}
        />
        <Field
          id="new-password"
          label="New password"
          type="password"
          autoComplete="new-password"
          hint={PASSWORD_HINT}
          required
          minLength={10}
        />
        <Field
          id="repeat-password"
          label="New password again"
          type="password"
          autoComplete="new-password"
          required
          minLength={10}
        />
      </ActionForm>
    </section>
  );
}
