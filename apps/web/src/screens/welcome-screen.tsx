import { useEffect, useState } from "react";
import { ActionForm, Field, text } from "../components/form.tsx";
import { Page } from "../components/page.tsx";
import { navigate } from "../router/router.ts";
import { hearthApi } from "../sdk/load-sdk.ts";
import { deviceName } from "../session/saved-session.ts";
import { useSession } from "../session/session-context.tsx";

/** Welcome and sign-in. */
export function WelcomeScreen({ notice }: { notice?: string }) {
  const { signIn } = useSession();
  const [setupNeeded, setSetupNeeded] = useState(false);
  useEffect(() => {
    let live = true;
    hearthApi()
      .then((api) => api.setupNeeded())
      .then((r) => live && setSetupNeeded(r.needed))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);

  const login = async (data: FormData) => {
    const api = await hearthApi();
    const r = await api.login({
      login: text(data, "login").toLowerCase(),
      password: String(data.get("password") ?? ""),
      deviceName: deviceName(),
    });
    await signIn(r);
    navigate("/conversations");
  };

  return (
    <Page title="Welcome to Hearth">
      <p className="lead">A private place to talk with your therapist between sessions.</p>
      {notice ? <p className="notice">{notice}</p> : null}
      {setupNeeded ? (
        <p className="notice">
          This Hearth server isn't set up yet. Open the one-time setup link that the server printed when it
          started.
        </p>
      ) : null}
      <section className="card" aria-labelledby="sign-in-title">
        <h2 id="sign-in-title">Sign in</h2>
        <ActionForm label="Sign in" submitLabel="Sign in" busyLabel="Signing in…" action={login}>
          <Field
            id="login"
            label="Sign-in name"
            hint="The name you chose when you joined, such as sky.7wzr (not an email address). It's in Settings › Profile on a device where you're signed in."
            autoComplete="username"
            required
          />
          <Field id="password" label="Password" type="password" autoComplete="current-password" required />
        </ActionForm>
      </section>
      <p className="quiet">New here? Your therapist will send you an invite link. Open it to join.</p>
    </Page>
  );
}
