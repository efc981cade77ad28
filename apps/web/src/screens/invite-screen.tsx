import { useState } from "react";
import { Page } from "../components/page.tsx";
import { Field, PreviewForm } from "../components/preview-form.tsx";
import { fragmentSecret } from "../router/router.ts";

/**
 * Accepting an invite from `/invite#token`. The token rides in the fragment, which browsers never
 * send to the server, so it cannot end up in access logs.
 */
export function InviteScreen() {
  const [token] = useState(() => fragmentSecret("/invite"));
  return (
    <Page title="You're invited">
      {token ? (
        <>
          <p className="lead">Your therapist invited you to Hearth. It takes a minute to join.</p>
          <section className="card" aria-label="Join Hearth">
            <PreviewForm label="Join Hearth" submitLabel="Join">
              <Field
                id="display-name"
                label="Name to show"
                autoComplete="nickname"
                hint="A first name or a nickname is fine."
              />
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
          This invite link looks incomplete. Open it again from the message you received, or ask your
          therapist to send a new one.
        </p>
      )}
    </Page>
  );
}
