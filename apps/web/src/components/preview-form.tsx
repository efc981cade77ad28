import { type FormEvent, type ReactNode, useState } from "react";

/** Props of {@link PreviewForm}. */
export interface PreviewFormProps {
  /** Accessible name of the form. */
  label: string;
  submitLabel: string;
  children: ReactNode;
}

/**
 * A form whose submit is not connected yet (this is the app shell): it says so politely in a
 * live region instead of pretending to work.
 */
export function PreviewForm({ label, submitLabel, children }: PreviewFormProps) {
  const [message, setMessage] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setMessage("This isn't connected yet. Nothing was sent.");
  };
  return (
    <form className="form" aria-label={label} onSubmit={submit} noValidate>
      {children}
      <div className="form__actions">
        <button type="submit" className="button button--primary">
          {submitLabel}
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
}

/** A labelled input with an optional hint (tied to it with `aria-describedby`). */
export function Field({ id, label, type = "text", autoComplete, hint }: FieldProps) {
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p id={hintId} className="field__hint">
          {hint}
        </p>
      ) : null}
      <input id={id} name={id} type={type} autoComplete={autoComplete} aria-describedby={hintId} />
    </div>
  );
}
