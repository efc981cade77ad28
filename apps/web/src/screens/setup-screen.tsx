import { useState } from "react";
import { Field, text } from "../components/form.tsx";
import { type NewAccount, NewAccountForm } from "../components/new-account-form.tsx";
import { Page } from "../components/page.tsx";
import { forgetFragmentSecret, fragmentSecret, navigate } from "../router/router.ts";
import { hearthApi } from "../sdk/load-sdk.ts";
import { useSession } from "../session/session-context.tsx";

/** First run: create the practice and its first admin account, from the one-time link `/setup#token`. */
export function SetupScreen() {
  const [token] = useState(() => fragmentSecret("/setup"));
  const { signIn } = useSession();

  const create = async (account: NewAccount, data: FormData) => {
    if (!token) return;
    const r = await (await hearthApi()).setup({
      setupToken: token,
      practiceName: text(data, "practice"),
      ...account,
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
          <NewAccountForm
            label="Set up your practice"
            cardLabel="Practice details"
            submitLabel="Create practice"
            busyLabel="Creating…"
            nameField={{ id: "name", label: "Your name", autoComplete: "name" }}
            onCreate={create}
          >
            <Field id="practice" label="Practice name" autoComplete="organization" required maxLength={120} />
          </NewAccountForm>
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
