import "./confirm-dialog.css";
import { useEffect, useId, useRef } from "react";

/** Props of {@link ConfirmDialog}. */
export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  body: string;
  confirmLabel: string;
  cancelLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * A calm yes/no question as a native modal `<dialog>` (focus trapped, Escape cancels, focus goes
 * back). The safe choice comes first and has the focus.
 */
export function ConfirmDialog({
  open,
  title,
  body,
  confirmLabel,
  cancelLabel,
  onConfirm,
  onCancel,
}: ConfirmDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const bodyId = useId();

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) {
      d.showModal();
      cancel.current?.focus();
    } else if (!open && d.open) {
      d.close();
    }
  }, [open]);

  return (
    <dialog
      ref={dialog}
      className="confirm-dialog"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      onClose={onCancel}
    >
      {open ? (
        <>
          <h2 id={titleId}>{title}</h2>
          <p id={bodyId}>{body}</p>
          <div className="form__actions">
            <button ref={cancel} type="button" className="button button--quiet" onClick={onCancel}>
              {cancelLabel}
            </button>
            <button type="button" className="button button--primary" onClick={onConfirm}>
              {confirmLabel}
            </button>
          </div>
        </>
      ) : null}
    </dialog>
  );
}
