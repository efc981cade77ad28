import { type ReactNode, useState } from "react";
import { deviceName } from "../session/saved-session.ts";
import { ActionForm, Field, text } from "./form.tsx";

/** Shared advice for new passwords (the server asks for 10 characters or more). */
export const PASSWORD_HINT = "At least 10 characters. A few unrelated words work well.";

/** What a new account is made of, as the setup and invite requests take it. */
export interface NewAccount {
  displayName: string;
  /** Lowercased. */
  login: string;
  password: string;
  /** This browser's name, for the list of devices. */
  deviceName: string;
}

/** A username suggested from a display name: lowercase, safe characters, a short random tail. */
export function suggestLogin(name: string, tail: string): string {
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
 * The form that makes an account, in a card: a name to show, a username and a password, after any
 * fields of the screen's own (`children`, e.g. the practice's name at setup). Used by the setup
 * screen (the first admin) and the invite screen (everyone else).
 *
 * @example
 * <NewAccountForm label="Join Hearth" submitLabel="Join" busyLabel="Joining…"
 *   nameField={{ id: "display-name", label: "Name to show", autoComplete: "nickname" }}
 *   suggestLogin onCreate={(account) => api.acceptInvite({ token, ...account })} />
 */
export function NewAccountForm({
  label,
  cardLabel = label,
  submitLabel,
  busyLabel,
  nameField,
  suggestLogin: suggest = false,
  onCreate,
  children,
}: {
  /** The form's accessible name. */
  label: string;
  /** The card's accessible name (the form's unless given). */
  cardLabel?: string;
  submitLabel: string;
  busyLabel: string;
  /** How the name field is named and explained on this screen. */
  nameField: { id: string; label: string; autoComplete: string; hint?: string };
  /** Suggest a username from the name (until the person edits it). */
  suggestLogin?: boolean;
  /** Makes the account (a coded error is shown in the form); `data` holds the screen's own fields. */
  onCreate: (account: NewAccount, data: FormData) => Promise<void>;
  /** The screen's own fields, before the name. */
  children?: ReactNode;
}) {
  const [name, setName] = useState("");
  const [login, setLogin] = useState("");
  const [loginEdited, setLoginEdited] = useState(false);
  const [tail] = useState(() => Math.random().toString(36).slice(2, 6));
  const shownLogin = loginEdited ? login : suggestLogin(name, tail);

  const create = (data: FormData) =>
    onCreate(
      {
        displayName: text(data, nameField.id),
        login: text(data, "login").toLowerCase(),
        password: String(data.get("password") ?? ""),
        deviceName: deviceName(),
      },
      data,
    );

  return (
    <section className="card" aria-label={cardLabel}>
      <ActionForm label={label} submitLabel={submitLabel} busyLabel={busyLabel} action={create}>
        {children}
        <Field
          id={nameField.id}
          label={nameField.label}
          autoComplete={nameField.autoComplete}
          hint={nameField.hint}
          required
          maxLength={64}
          {...(suggest ? { value: name, onChange: setName } : {})}
        />
        <Field
          id="login"
          label="Username"
          autoComplete="username"
          hint={
            suggest
              ? "You sign in with this. We suggested one; change it if you like."
              : "You sign in with this. Letters, digits, dots and dashes."
          }
          required
          minLength={3}
          pattern="[A-Za-z0-9._@+\-]+"
          {...(suggest
            ? {
                value: shownLogin,
                onChange: (v: string) => {
                  setLoginEdited(true);
                  setLogin(v);
                },
              }
            : {})}
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
  );
}
