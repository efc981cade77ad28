import { Page } from "../components/page.tsx";
import { Field, PreviewForm } from "../components/preview-form.tsx";

/** Welcome and sign-in. */
export function WelcomeScreen() {
  return (
    <Page title="Welcome to Hearth">
      <p className="lead">A private place to talk with your therapist between sessions.</p>
      <section className="card" aria-labelledby="sign-in-title">
        <h2 id="sign-in-title">Sign in</h2>
        <PreviewForm label="Sign in" submitLabel="Sign in">
          <Field id="email" label="Email" type="email" autoComplete="username" />
          <Field id="password" label="Password" type="password" autoComplete="current-password" />
        </PreviewForm>
      </section>
      <p className="quiet">
        New here? Open the invite link your therapist sent you. Messages are end-to-end encrypted: only you
        and the people in your conversation can read them.
      </p>
    </Page>
  );
}
