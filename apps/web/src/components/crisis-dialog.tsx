import "./crisis-help.css";
import { useEffect, useRef } from "react";
import { CrisisHelp } from "./crisis-help.tsx";

/** Props of {@link CrisisDialog}. */
export interface CrisisDialogProps {
  open: boolean;
  onClose: () => void;
}

/**
 * "Get help now" as a modal dialog over whatever screen is open, so nothing the person was doing
 * is lost. The native `<dialog>` traps focus, closes on Escape and returns focus to the button.
 */
export function CrisisDialog({ open, onClose }: CrisisDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) {
      d.showModal();
      // Start at the title so a screen reader announces where the person is.
      heading.current?.focus();
    } else if (!open && d.open) {
      d.close();
    }
  }, [open]);

  return (
    <dialog ref={dialog} className="crisis-dialog" aria-labelledby="crisis-title" onClose={onClose}>
      {open ? (
        <div className="crisis-dialog__body">
          <div className="crisis-dialog__header">
            <h2 id="crisis-title" ref={heading} tabIndex={-1}>
              Get help now
            </h2>
            <button type="button" className="button button--quiet" onClick={onClose}>
              Close
            </button>
          </div>
          <CrisisHelp />
        </div>
      ) : null}
    </dialog>
  );
}
