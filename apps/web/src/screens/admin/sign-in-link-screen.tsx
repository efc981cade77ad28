import type { SignInLinkInfoResponse } from "@hearth/protocol";
import { useEffect, useState } from "react";
import { ActionForm, describeError, Field } from "../../components/form.tsx";
import { Link } from "../../components/link.tsx";
import { PASSWORD_HINT } from "../../components/new-account-form.tsx";
import { Page } from "../../components/page.tsx";
import { forgetFragmentSecret, fragmentSecret } from "../../router/router.ts";
import { hearthApi } from "../../sdk/load-sdk.ts";

/** A refused link, in words: what happened and what to do. */
function linkProblem(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === "link_invalid") {
    return "This sign-in link no longer works: it was already used, has expired (links last 24 hours) or was withdrawn. Ask your therapist or your practice's admin for a new one.";
  }
  if (code === "account_deactivated") {
    return "This account has been deactivated. Ask your practice's admin to reactivate it.";
  }
  return describeError(err);
}

/**
 * The landing page of an issued sign-in link, `/sign-in-link#token` (the token rides in the fragment,
 * which browsers never send to a server). The person chooses a new password; their account,
 * conversations and devices stay. Their encrypted history comes back on a new device with the
 * recovery key or from another device.
 */
export function SignInLinkScreen() {
  const [token] = useState(() => fragmentSecret("/sign-in-link"));
  const [info, setInfo] = useState<SignInLinkInfoResponse | undefined>();
  const [problem, setProblem] = useState("");
  const [done, setDone] = useState<string | undefined>();

  useEffect(() => {
    if (!token) return;
    let live = true;
    hearthApi()
      .then((api) => api.call("signInLinkInfo", { params: { token } }))
      .then((r) => live && setInfo(r))
      .catch((err) => live && setProblem(linkProblem(err)));
    return () => {
      live = false;
    };
  }, [token]);

  const save = async (data: FormData) => {
    if (!token) return;
    const password = String(data.get("new-password") ?? "");
    try {
      const r = await (await hearthApi()).call("redeemSignInLink", { body: { token, password } });
      forgetFragmentSecret();
      setDone(r.login);
    } catch (err) {
      if ((err as { code?: unknown }).code === "link_invalid") setProblem(linkProblem(err));
      throw err;
    }
  };

  return (
    <Page title="Choose a new password">
      {!token ? (
        <p className="notice">
          This sign-in link looks incomplete. Open it again from the message you received, or ask for a new
          one.
        </p>
      ) : done ? (
        <>
          <p className="notice" role="status">
            Your new password is set. Sign in as <bdi>{done}</bdi> with it.
          </p>
          <p>
            <Link to="/">Sign in</Link>
          </p>
          <p className="quiet">
            Your account and conversations are as you left them. On a new device, your earlier messages come
            back with your recovery key, or from another device where you are still signed in.
          </p>
        </>
      ) : problem ? (
        <>
          <p className="notice">{problem}</p>
          <p>
            Remember your password? <Link to="/">Sign in</Link>
          </p>
        </>
      ) : !info ? (
        <p className="quiet">Checking your link…</p>
      ) : (
        <>
          <p className="lead">
            Hello <bdi>{info.displayName}</bdi>. Choose a new password for your Hearth account at{" "}
            <bdi>{info.practiceName}</bdi>. Your username is <bdi>{info.login}</bdi>.
          </p>
          <p className="quiet">
            This link works once. Your account and conversations stay. Your earlier messages are end-to-end
            encrypted: on a new device they come back with your recovery key, or from another device where you
            are still signed in.
          </p>
          <ActionForm
            label="Your new password"
            submitLabel="Set new password"
            busyLabel="Saving…"
            action={save}
          >
            <input type="hidden" name="username" autoComplete="username" value={info.login} readOnly />
            <Field
              id="new-password"
              label="New password"
              type="password"
              autoComplete="new-password"
              hint={PASSWORD_HINT}
              required
              minLength={10}
            />
          </ActionForm>
        </>
      )}
    </Page>
  );
}
