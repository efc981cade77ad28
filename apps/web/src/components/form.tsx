import { type FormEvent, type ReactNode, useState } from "react";

/** A calm sentence for an API refusal; never the raw code. */
export function describeError(err: unknown): string {
  // Duck-typed (not `instanceof HearthApiError`) so this module does not pull the SDK into the first load.
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === "string") {
    switch (code) {
      case "network_error":
        return "Hearth can't reach the server right now. Check your connection and try again.";
      case "login_failed":
        return "That sign-in name and password don't match. Check them and try again.";
      case "locked_out":
      case "rate_limited":
        return "Too many tries in a short time. Wait a minute, then try again.";
      case "login_taken":
        return "That sign-in name is already taken. Try another one.";
      case "password_wrong":
        return "Your current password isn't right, so nothing was changed. Try again.";
      case "invite_invalid":
        return "This invite link has expired or was already used. Ask for a new one.";
      case "setup_token_invalid":
        return "This setup link isn't valid. Use the newest link the server printed.";
      case "setup_done":
        return "This server is already set up. Sign in instead.";
      case "bad_request":
        return "Something in the form isn't right yet. Check each field and try again.";
      case "account_deactivated":
        return "This account has been deactivated. Ask your practice's admin to reactivate it.";
      case "link_invalid":
        return "This sign-in link no longer works. Ask for a new one.";
      case "forbidden":
        return "Your account can't do that.";
      default:
        return "Something went wrong. Please try again.";
    }
  }
  return "Something went wrong. Please try again.";
}

/** Props of {@link ActionForm}. */
export interface ActionFormProps {
  /** Accessible name of the form. */
  label: string;
  submitLabel: string;
  busyLabel?: string;
  /**
   * Runs on submit with the form's fields (and the form, e.g. to clear it); a thrown error is shown
   * in the status line. May return a short confirmation to show there ("Saved.").
   */
  action: (data: FormData, form: HTMLFormElement) => Promise<unknown>;
  children: ReactNode;
}

/** A form that runs an async action, shows that it is busy, and says calmly what went wrong. */
export function ActionForm({ label, submitLabel, busyLabel, action, children }: ActionFormProps) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState("");
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (busy) return;
    const form = event.currentTarget;
    if (!form.reportValidity()) return;
    setBusy(true);
    setMessage("");
    try {
      const done = await action(new FormData(form), form);
      if (typeof done === "string") setMessage(done);
    } catch (err) {
      setMessage(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="form" aria-label={label} onSubmit={submit}>
      {children}
      <div className="form__actions">
        <button type="submit" className="button button--primary" aria-disabled={busy}>
          {busy ? (busyLabel ?? submitLabel) : submitLabel}
        </button>
      </div>
      <p className="form__status" role="status">
        {message}
      </p>
    </form>
  );
}

/** Props of {@link Field}. */
export interface FieldProps {
  id: string;
  label: string;
  type?: "text" | "email" | "password";
  autoComplete?: string;
  hint?: string;
  required?: boolean;
  minLength?: number;
  maxLength?: number;
  defaultValue?: string;
  value?: string;
  onChange?: (value: string) => void;
  pattern?: string;
  /** The on-screen keyboard to offer ("numeric" for a PIN). */
  inputMode?: "text" | "numeric";
}

/** A labelled input with an optional hint (tied to it with `aria-describedby`). */
export function Field({ id, label, type = "text", autoComplete, hint, onChange, ...rest }: FieldProps) {
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p id={hintId} className="field__hint">
          {hint}
        </p>
      ) : null}
      <input
        id={id}
        name={id}
        type={type}
        autoComplete={autoComplete}
        aria-describedby={hintId}
        spellCheck={false}
        {...(onChange ? { onChange: (e) => onChange(e.currentTarget.value) } : {})}
        {...rest}
      />
    </div>
  );
}

/** A string field of a submitted form. */
export function text(data: FormData, name: string): string {
  const v = data.get(name);
  return typeof v === "string" ? v.trim() : "";
}
