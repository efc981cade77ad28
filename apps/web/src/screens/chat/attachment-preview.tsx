import "./attachment-preview.css";
import { type KeyboardEvent, useEffect, useId, useMemo, useRef, useState } from "react";
import { fileSize } from "../../components/attachment-view.tsx";
import { Name } from "../../components/names.tsx";

/** Image types previewed from the picked file (the same ones a message shows inline). */
const PREVIEWED = new Set(["image/png", "image/jpeg", "image/gif", "image/webp", "image/avif"]);

/** A picked image as a local object URL of a whitelisted type, for the preview; revoked when it goes. */
function useLocalPreview(file: File): string | undefined {
  const type = file.type.toLowerCase();
  const url = useMemo(
    () => (PREVIEWED.has(type) ? URL.createObjectURL(new Blob([file], { type })) : undefined),
    [file, type],
  );
  useEffect(() => () => (url ? URL.revokeObjectURL(url) : undefined), [url]);
  return url;
}

function FileRow({ file }: { file: File }) {
  const url = useLocalPreview(file);
  const pdf = file.type.toLowerCase() === "application/pdf";
  return (
    <li className="preview__file">
      {url ? (
        <img className="preview__image" src={url} alt="" />
      ) : (
        <span className="preview__icon" aria-hidden="true">
          {file.type.startsWith("audio/") ? "♪" : "▤"}
        </span>
      )}
      <span className="file__text">
        <span className="file__name">
          <Name>{file.name || "file"}</Name>
        </span>
        <span className="file__size">
          {pdf ? "PDF · " : ""}
          {fileSize(file.size)}
        </span>
      </span>
    </li>
  );
}

/**
 * Files picked, dropped or pasted, before they go: what they are (a picture shows), an optional
 * caption, and an explicit Send; Cancel throws the choice away. Nothing is encrypted or uploaded
 * before Send. A native modal `<dialog>` (focus kept inside, Escape cancels, focus goes back).
 */
export function AttachmentPreviewDialog({
  offered,
  onCancel,
  onSend,
}: {
  offered: readonly File[] | undefined;
  onCancel: () => void;
  /** Send these files; the caption (trimmed, maybe empty) goes with the first. */
  onSend: (files: readonly File[], caption: string) => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const captionBox = useRef<HTMLTextAreaElement>(null);
  const [caption, setCaption] = useState("");
  const titleId = useId();
  const captionId = useId();
  const open = offered !== undefined && offered.length > 0;

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) {
      setCaption("");
      d.showModal();
      captionBox.current?.focus();
    } else if (!open && d.open) {
      d.close();
    }
  }, [open]);

  const send = () => {
    if (offered) onSend(offered, caption.trim());
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      if (!e.repeat) send();
    }
  };

  return (
    <dialog ref={dialog} className="confirm-dialog preview" aria-labelledby={titleId} onClose={onCancel}>
      {open ? (
        <form
          method="dialog"
          onSubmit={(e) => {
            e.preventDefault();
            send();
          }}
        >
          <h2 id={titleId}>
            {offered.length === 1
              ? `Send ${offered[0]?.name || "this file"}?`
              : `Send these ${offered.length} files?`}
          </h2>
          <ul className="preview__files">
            {offered.map((f, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the list is fixed while the dialog is open.
              <FileRow key={i} file={f} />
            ))}
          </ul>
          <div className="field">
            <label htmlFor={captionId}>
              Caption <span className="preview__optional">(optional)</span>
            </label>
            <textarea
              ref={captionBox}
              id={captionId}
              rows={2}
              maxLength={4096}
              value={caption}
              onChange={(e) => setCaption(e.currentTarget.value)}
              onKeyDown={onKeyDown}
              aria-describedby={`${captionId}-hint`}
            />
            <p className="field__hint" id={`${captionId}-hint`}>
              {offered.length > 1 ? "It goes with the first file. " : ""}The file and its caption are
              encrypted on this device; only the people in this conversation can open them.
            </p>
          </div>
          <div className="form__actions">
            <button type="button" className="button button--quiet" onClick={onCancel}>
              Cancel
            </button>
            <button type="submit" className="button button--primary">
              Send
            </button>
          </div>
        </form>
      ) : null}
    </dialog>
  );
}
