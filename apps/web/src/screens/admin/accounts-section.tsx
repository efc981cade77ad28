import type { AdminAccount, CreateSignInLinkResponse } from "@hearth/protocol";
import { useState } from "react";
import { describeError } from "../../components/form.tsx";
import type { HearthSession } from "../../state/hearth-session.ts";
import { when } from "./admin-format.ts";

const ROLE: Record<AdminAccount["role"], string> = {
  admin: "Admin",
  therapist: "Therapist",
  patient: "Patient",
};

/** A sign-in link as the person receives it (the token in the fragment, never sent to a server). */
export const signInLinkUrl = (token: string) =>
  `${location.origin}/sign-in-link#${encodeURIComponent(token)}`;

/**
 * The practice's accounts: name, role, last active and devices, with deactivate / reactivate and a
 * sign-in link for someone who forgot their password.
 */
export function AccountsSection({
  session,
  accounts,
  title,
  headingId,
  onChanged,
}: {
  session: HearthSession;
  accounts: AdminAccount[];
  title: string;
  headingId: string;
  onChanged: () => void;
}) {
  const [status, setStatus] = useState("");
  const [link, setLink] = useState<{ name: string; url: string; expiresAt: string } | undefined>();
  const me = session.saved.userId;

  const act = async (a: AdminAccount, what: "deactivate" | "reactivate" | "link") => {
    setStatus("");
    try {
      if (what === "link") {
        const r: CreateSignInLinkResponse = await session.api.call("createSignInLink", {
          body: { userId: a.userId },
        });
        setLink({ name: a.displayName, url: signInLinkUrl(r.token), expiresAt: r.expiresAt });
        setStatus(`Sign-in link ready for ${a.displayName}.`);
      } else {
        await session.api.call(what === "deactivate" ? "deactivateAccount" : "reactivateAccount", {
          params: { id: a.userId },
        });
        setStatus(
          what === "deactivate"
            ? `${a.displayName} is deactivated and signed out everywhere.`
            : `${a.displayName} can sign in again.`,
        );
      }
      onChanged();
    } catch (err) {
      setStatus(describeError(err));
    }
  };

  return (
    <section className="admin-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {accounts.length === 0 ? <p className="quiet">No one yet.</p> : null}
      <ul className="admin-list">
        {accounts.map((a) => (
          <li key={a.userId} className="admin-row" data-account={a.login}>
            <div className="admin-row__main">
              <p className="admin-row__name">
                <bdi>{a.displayName}</bdi>{" "}
                <span className="admin-row__meta">
                  {ROLE[a.role]} · <bdi>{a.login}</bdi>
                </span>
              </p>
              <p className="admin-row__meta">
                {a.deactivatedAt ? (
                  <strong>Deactivated {when(a.deactivatedAt)}</strong>
                ) : (
                  <>
                    Last active {when(a.lastActiveAt)} ·{" "}
                    {a.devices === 1 ? "1 device" : `${a.devices} devices`}
                  </>
                )}
              </p>
            </div>
            <div className="admin-row__actions">
              {a.deactivatedAt ? (
                <button type="button" className="button" onClick={() => void act(a, "reactivate")}>
                  Reactivate <span className="visually-hidden">{a.displayName}</span>
                </button>
              ) : (
                <>
                  <button type="button" className="button" onClick={() => void act(a, "link")}>
                    Sign-in link <span className="visually-hidden">for {a.displayName}</span>
                  </button>
                  {a.userId !== me ? (
                    <button type="button" className="button" onClick={() => void act(a, "deactivate")}>
                      Deactivate <span className="visually-hidden">{a.displayName}</span>
                    </button>
                  ) : null}
                </>
              )}
            </div>
          </li>
        ))}
      </ul>
      {link ? (
        <div className="admin-link card">
          <p>
            Send this link to <bdi>{link.name}</bdi> privately. It works once, until {when(link.expiresAt)},
            and lets them choose a new password.
          </p>
          <label htmlFor={`${headingId}-link`}>Sign-in link</label>
          <input
            id={`${headingId}-link`}
            readOnly
            value={link.url}
            onFocus={(e) => e.currentTarget.select()}
          />
        </div>
      ) : null}
      <p role="status" className="form__status">
        {status}
      </p>
    </section>
  );
}
