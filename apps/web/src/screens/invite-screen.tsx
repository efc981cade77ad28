import type { InviteInfoResponse } from "@hearth/protocol";
import { useCallback, useEffect, useState } from "react";
import { describeError } from "../components/form.tsx";
import { Link } from "../components/link.tsx";
import { Name } from "../components/names.tsx";
import { type NewAccount, NewAccountForm } from "../components/new-account-form.tsx";
import { Page } from "../components/page.tsx";
import { forgetFragmentSecret, fragmentSecret, navigate } from "../router/router.ts";
import { hearthApi } from "../sdk/load-sdk.ts";
import { useSession } from "../session/session-context.tsx";

/**
 * Accepting an invite from `/invite#token`. The token rides in the fragment, which browsers never
 * send to the server, so it cannot end up in access logs. Three fields, then straight into the
 * conversation.
 */
export function InviteScreen() {
  const [token] = useState(() => fragmentSecret("/invite"));
  const [info, setInfo] = useState<InviteInfoResponse | undefined>();
  const [problem, setProblem] = useState("");
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

  const join = async (account: NewAccount) => {
    if (!token) return;
    const r = await (await hearthApi()).acceptInvite({ token, ...account });
    forgetFragmentSecret();
    await signIn(r);
    navigate(r.conversationId ? `/conversations/${r.conversationId}` : "/conversations");
  };

  const checkLogin = useCallback(
    async (login: string) =>
      token ? (await (await hearthApi()).loginAvailable(token, login)).available : true,
    [token],
  );

  const who = info ? (
    <>
      <Name>{info.inviterName}</Name> at <Name>{info.practiceName}</Name>
    </>
  ) : (
    "Your therapist"
  );
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
          <NewAccountForm
            label="Join Hearth"
            submitLabel="Join"
            busyLabel="Joining…"
            nameField={{
              id: "display-name",
              label: "Name to show",
              autoComplete: "nickname",
              hint: "A first name or a nickname is fine. It's what the people you talk with see.",
            }}
            suggestLogin
            checkLogin={checkLogin}
            onCreate={join}
          />
          <p className="quiet">No email address or phone number needed.</p>
        </>
      )}
    </Page>
  );
}
