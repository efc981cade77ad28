import { useState } from "react";
import { ActionForm, Field, text } from "../components/form.tsx";
import { Page } from "../components/page.tsx";
import { forgetFragmentSecret, fragmentSecret, navigate } from "../router/router.ts";
import { hearthApi } from "../sdk/load-sdk.ts";
import { deviceName } from "../session/saved-session.ts";
import { useSession } from "../session/session-context.tsx";
import { PASSWORD_HINT } from "./invite-screen.tsx";

/** First run: create the practice and its first admin account, from the one-time link `/setup#token`. */
export function SetupScreen() {
  const [token] = useState(() => fragmentSecret("/setup"));
  const { signIn } = useSession();

  const create = async (data: FormData) => {
    if (!token) return;
    const r = await (await hearthApi()).setup({
      setupToken: token,
      practiceName: text(data, "practice"),
      displayName: text(data, "name"),
      login: text(data, "login").toLowerCase(),
      password: String(data.get("password") ?? ""),
      deviceName: deviceName(),
    });
    forgetFragmentSecret();
    await signIn(r);
    navigate("/conversations");
  };

  return (
    <Page title="Set up your practice">
      {token ? (
        <>
          <p className="lead">Create your practice and the first admin account. This link works once.</p>
          <section className="card" aria-label="Practice details">
            <ActionForm
              label="Set up your practice"
              submitLabel="Create practice"
              busyLabel="Creating…"
              action={create}
            >
              <Field
                id="practice"
                label="Practice name"
                autoComplete="organization"
                required
                maxLength={120}
              />
              <Field id="name" label="Your name" autoComplete="name" required maxLength={64} />
              <Field
                id="login"
                label="Username"
                autoComplete="username"
                hint="You sign in with this. Letters, digits, dots and dashes."
                required
                minLength={3}
                pattern="[A-Za-z0-9._@+\-]+"
              />
              <Field
                id="password"
                label="Password"
                type="password"
                autoComplete="new-password"
                hint={PASSWORD_HINT}
                required
                minLength={10}
              />
            </ActionForm>
          </section>
        </>
      ) : (
        <p className="notice">
          This page needs the one-time setup link that the server printed when it first started. Open that
          link exactly as printed.
        </p>
      )}
    </Page>
  );
}
