import type { AdminPendingResponse } from "@hearth/protocol";
import { useState } from "react";
import { describeError } from "../../components/form.tsx";
import type { HearthSession } from "../../state/hearth-session.ts";
import { when } from "./admin-format.ts";

/** Invites and sign-in links that are still waiting to be used, each with a way to withdraw it. */
export function PendingSection({
  session,
  pending,
  onChanged,
}: {
  session: HearthSession;
  pending: AdminPendingResponse;
  onChanged: () => void;
}) {
  const [status, setStatus] = useState("");
  const withdraw = async (kind: "invite" | "link", id: string, label: string) => {
    setStatus("");
    try {
      if (kind === "invite") await session.api.call("revokeInvite", { params: { id } });
      else await session.api.call("revokeSignInLink", { params: { id } });
      setStatus(`${label} withdrawn. Its link no longer works.`);
      onChanged();
    } catch (err) {
      setStatus(describeError(err));
    }
  };
  const empty = pending.invites.length === 0 && pending.signInLinks.length === 0;
  return (
    <section className="admin-section" aria-labelledby="admin-pending">
      <h2 id="admin-pending">Pending invites and links</h2>
      {empty ? <p className="quiet">Nothing is waiting to be used.</p> : null}
      <ul className="admin-list">
        {pending.invites.map((i) => (
          <li key={i.inviteId} className="admin-row">
            <div className="admin-row__main">
              <p className="admin-row__name">Invite for a {i.role}</p>
              <p className="admin-row__meta">
                From <bdi>{i.inviterName}</bdi> · expires {when(i.expiresAt)}
              </p>
            </div>
            <div className="admin-row__actions">
              <button
                type="button"
                className="button"
                onClick={() => void withdraw("invite", i.inviteId, "Invite")}
              >
                Withdraw invite{" "}
                <span className="visually-hidden">
                  for a {i.role}, expires {when(i.expiresAt)}
                </span>
              </button>
            </div>
          </li>
        ))}
        {pending.signInLinks.map((l) => (
          <li key={l.linkId} className="admin-row">
            <div className="admin-row__main">
              <p className="admin-row__name">
                Sign-in link for <bdi>{l.userName}</bdi>
              </p>
              <p className="admin-row__meta">
                From <bdi>{l.issuerName}</bdi> · expires {when(l.expiresAt)}
              </p>
            </div>
            <div className="admin-row__actions">
              <button
                type="button"
                className="button"
                onClick={() => void withdraw("link", l.linkId, "Sign-in link")}
              >
                Withdraw link <span className="visually-hidden">for {l.userName}</span>
              </button>
            </div>
          </li>
        ))}
      </ul>
      <p role="status" className="form__status">
        {status}
      </p>
    </section>
  );
}
