import type { InviteInfoResponse } from "@hearth/protocol";
import { useEffect, useState } from "react";
import { ActionForm, describeError, Field, text } from "../components/form.tsx";
import { Link } from "../components/link.tsx";
import { Page } from "../components/page.tsx";
import { forgetFragmentSecret, fragmentSecret, navigate } from "../router/router.ts";
import { hearthApi } from "../sdk/load-sdk.ts";
import { deviceName } from "../session/saved-session.ts";
import { useSession } from "../session/session-context.tsx";

/** Shared advice for new passwords (the server asks for 10 characters or more). */
export const PASSWORD_HINT = "At least 10 characters. A few unrelated words work well.";

/** A username suggested from a display name: lowercase, safe characters, a short random tail. */
function suggestLogin(name: string, tail: string): string {
  const base = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ".")
    .replace(/^\.+|\.+$/g, "")
    .slice(0, 24);
  return base ? `${base}.${tail}` : "";
}

/**
 * Accepting an invite from `/invite#token`. The token rides in the fragment, which browsers never
 * send to the server, so it cannot end up in access logs. Three fields, then straight into the
 * conversation.
 */
export function InviteScreen() {
  const [token] = useState(() => fragmentSecret("/invite"));
  const [info, setInfo] = useState<InviteInfoResponse | undefined>();
  const [problem, setProblem] = useState("");
  const [name, setName] = useState("");
  const [login, setLogin] = useState("");
  const [loginEdited, setLoginEdited] = useState(false);
  const [tail] = useState(() => Math.random().toString(36).slice(2, 6));
  const { signIn, session } = useSession();

  useEffect(() => {
    if (!token) return;
    let live = true;
    hearthApi()
      .then((api) => api.inviteInfo(token))
      .then((r) => live && setInfo(r))
      .catch((err) => live && setProblem(describeError(err)));
    return () => {
      live = false;
    };
  }, [token]);

  const join = async (data: FormData) => {
    if (!token) return;
    const r = await (await hearthApi()).acceptInvite({
      token,
      displayName: text(data, "display-name"),
      login: text(data, "login").toLowerCase(),
      password: String(data.get("password") ?? ""),
      deviceName: deviceName(),
    });
    forgetFragmentSecret();
    await signIn(r);
    navigate(r.conversationId ? `/conversations/${r.conversationId}` : "/conversations");
  };

  const shownLogin = loginEdited ? login : suggestLogin(name, tail);
  const who = info ? `${info.inviterName} at ${info.practiceName}` : "Your therapist";
  const isPatient = !info || info.role === "patient";

  return (
    <Page title="You're invited">
      {!token ? (
        <p className="notice">
          This invite link looks incomplete. Open it again from the message you received, or ask your
          therapist to send a new one.
        </p>
      ) : session ? (
        // Opening the invite again (from the text message) to "open the app": never a second account.
        <>
          <p className="notice">You've already joined: you're signed in on this device.</p>
          <p>
            <Link to="/conversations">Go to your conversations</Link>
          </p>
          <p className="quiet">To join as someone else on this device, sign out first, in Settings.</p>
        </>
      ) : problem ? (
        <>
          <p className="notice">{problem}</p>
          <p>
            Already joined? <Link to="/">Sign in</Link>
          </p>
        </>
      ) : (
        <>
          <p className="lead">
            {who} invited you to Hearth{isPatient ? "" : ` as a ${info?.role}`}. It takes a minute to join.
          </p>
          <section className="card" aria-label="Join Hearth">
            <ActionForm label="Join Hearth" submitLabel="Join" busyLabel="Joining…" action={join}>
              <Field
                id="display-name"
                label="Name to show"
                autoComplete="nickname"
                hint="A first name or a nickname is fine. It's what the people you talk with see."
                required
                maxLength={64}
                value={name}
                onChange={setName}
              />
              <Field
                id="login"
                label="Username"
                autoComplete="username"
                hint="You sign in with this. We suggested one; change it if you like."
                required
                minLength={3}
                pattern="[A-Za-z0-9._@+\-]+"
                value={shownLogin}
                onChange={(v) => {
                  setLoginEdited(true);
                  setLogin(v);
                }}
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
          <p className="quiet">No email address or phone number needed.</p>
        </>
      )}
    </Page>
  );
}
