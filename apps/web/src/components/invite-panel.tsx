import "./invite-panel.css";
import type { CreateInviteResponse, Role } from "@hearth/protocol";
import { useEffect, useId, useRef, useState } from "react";
import type { HearthSession } from "../state/hearth-session.ts";
import { describeError } from "./form.tsx";
import { QrCode } from "./qr-code.tsx";

/** The invite link for a token: the token rides in the fragment, never sent to the server. */
export function inviteLink(token: string): string {
  return `${location.origin}/invite#${token}`;
}

function expiry(iso: string): string {
  return new Date(iso).toLocaleString(undefined, {
    weekday: "long",
    day: "numeric",
    month: "long",
    hour: "numeric",
    minute: "2-digit",
  });
}

/**
 * Creates an invite (a therapist invites a patient, an admin a therapist) and shows it as a link to
 * copy and a QR code to scan. The link works once.
 */
export function InvitePanel({ session, inviteRole: role }: { session: HearthSession; inviteRole: Role }) {
  const [invite, setInvite] = useState<CreateInviteResponse | undefined>();
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState("");
  const titleId = useId();
  const linkId = useId();
  const focusLink = useRef(false);
  useEffect(() => {
    if (!invite || !focusLink.current) return;
    focusLink.current = false;
    document.getElementById(linkId)?.focus();
  }, [invite, linkId]);
  const who = role === "patient" ? "a patient" : role === "therapist" ? "a therapist" : "an admin";

  const create = async () => {
    if (busy) return;
    setBusy(true);
    setStatus("");
    try {
      setInvite(await session.api.createInvite(role));
      setStatus("Invite link ready.");
      // The button gives way to the link: the focus goes to it (ready to copy), not to the page,
      // once the link is on screen (the effect below runs after React has rendered it).
      focusLink.current = true;
    } catch (err) {
      setStatus(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  const copy = async () => {
    if (!invite) return;
    try {
      await navigator.clipboard.writeText(inviteLink(invite.token));
      setStatus("Link copied.");
    } catch {
      (document.getElementById(linkId) as HTMLInputElement | null)?.select();
      setStatus("Select the link and copy it.");
    }
  };

  return (
    <section className="card invite" aria-labelledby={titleId}>
      <h2 id={titleId}>Invite {who}</h2>
      {invite ? (
        <div className="invite__body">
          <div className="invite__text">
            <div className="field">
              <label htmlFor={linkId}>Invite link</label>
              <input
                id={linkId}
                readOnly
                value={inviteLink(invite.token)}
                onFocus={(e) => e.currentTarget.select()}
              />
            </div>
            <div className="form__actions">
              <button type="button" className="button button--primary" onClick={copy}>
                Copy link
              </button>
              <button type="button" className="button button--quiet" onClick={create}>
                New link
              </button>
            </div>
            <p className="quiet">
              Send it privately, or let them scan the code. It works once, until {expiry(invite.expiresAt)}.
            </p>
          </div>
          <QrCode value={inviteLink(invite.token)} label={`QR code of the invite link for ${who}`} />
        </div>
      ) : (
        <>
          <p>
            {role === "patient"
              ? "Make a one-time link for a new patient. They choose their own name to show — a nickname is fine."
              : "Make a one-time link for a colleague to join your practice."}
          </p>
          <button type="button" className="button button--primary" onClick={create} aria-disabled={busy}>
            {busy ? "Making a link…" : "Make an invite link"}
          </button>
        </>
      )}
      <p className="form__status" role="status">
        {status}
      </p>
    </section>
  );
}
