import { useState } from "react";
import { Page } from "../components/page.tsx";
import { Field, PreviewForm } from "../components/preview-form.tsx";
import { fragmentSecret } from "../router/router.ts";

/** First run: create the practice and its first admin account, from the one-time link `/setup#token`. */
export function SetupScreen() {
  const [token] = useState(() => fragmentSecret("/setup"));
  return (
    <Page title="Set up your practice">
      {token ? (
        <>
          <p className="lead">Create your practice and the first admin account. This link works once.</p>
          <section className="card" aria-label="Practice details">
            <PreviewForm label="Set up your practice" submitLabel="Create practice">
              <Field id="practice" label="Practice name" autoComplete="organization" />
              <Field id="name" label="Your name" autoComplete="name" />
              <Field id="email" label="Email" type="email" autoComplete="username" />
              <Field
                id="password"
                label="Password"
                type="password"
                autoComplete="new-password"
                hint="At least 12 characters. A few unrelated words work well."
              />
            </PreviewForm>
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
