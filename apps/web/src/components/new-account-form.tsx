import "./new-account-form.css";
import { type ReactNode, useEffect, useState } from "react";
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

/** What a sign-in name may hold (the protocol's `LoginSchema`, before lowercasing). */
const LOGIN_PATTERN = /^[A-Za-z0-9._@+-]{3,254}$/;
/** Typing pauses this long before the name is checked with the server. */
const CHECK_AFTER_MS = 400;

/** Whether the sign-in name shown is free: checked with the server while the person types. */
function useLoginAvailability(
  login: string,
  check: ((login: string) => Promise<boolean>) | undefined,
): "idle" | "checking" | "free" | "taken" {
  const [state, setState] = useState<{ login: string; free: boolean } | undefined>();
  const valid = LOGIN_PATTERN.test(login);
  useEffect(() => {
    if (!check || !valid) return;
    let live = true;
    const timer = setTimeout(() => {
      check(login.toLowerCase()).then(
        (free) => live && setState({ login, free }),
        () => undefined, // Offline or refused: joining will say so if the name is taken.
      );
    }, CHECK_AFTER_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [login, check, valid]);
  if (!check || !valid) return "idle";
  if (state?.login !== login) return "checking";
  return state.free ? "free" : "taken";
}

/**
 * The form that makes an account, in a card: a name to show, a sign-in name and a password, after any
 * fields of the screen's own (`children`, e.g. the practice's name at setup). Used by the setup
 * screen (the first admin) and the invite screen (everyone else).
 *
 * @example
 * <NewAccountForm label="Join Hearth" submitLabel="Join" busyLabel="Joining…"
 *   nameField={{ id: "display-name", label: "Name to show", autoComplete: "nickname" }}
 *   suggestLogin checkLogin={(login) => api.loginAvailable(token, login).then((r) => r.available)}
 *   onCreate={(account) => api.acceptInvite({ token, ...account })} />
 */
export function NewAccountForm({
  label,
  cardLabel = label,
  submitLabel,
  busyLabel,
  nameField,
  suggestLogin: suggest = false,
  checkLogin,
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
  /** Suggest a sign-in name from the name (until the person edits it). */
  suggestLogin?: boolean;
  /** Whether a sign-in name is free (checked while the person types); no check without it. */
  checkLogin?: (login: string) => Promise<boolean>;
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
  const availability = useLoginAvailability(shownLogin.trim(), checkLogin);

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
          label="Sign-in name"
          autoComplete="username"
          hint={
            suggest
              ? "You sign in with this and your password; only you see it. Hearth suggests one from your name, and you can change it. Letters, digits, dots and dashes."
              : "You sign in with this and your password. Letters, digits, dots and dashes."
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
        {checkLogin ? (
          <p className={`login-check login-check--${availability}`} role="status" data-testid="login-check">
            {availability === "free"
              ? "This sign-in name is free."
              : availability === "taken"
                ? "Someone already has this sign-in name. Try another, for example with a few more letters or digits."
                : ""}
          </p>
        ) : null}
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
