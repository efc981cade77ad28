import { type DragEvent, useState } from "react";
import { ConfirmDialog } from "../../components/confirm-dialog.tsx";
import { fileTimestamp } from "../../format/time.ts";
import type { HearthSession } from "../../state/hearth-session.ts";

/** A pasted screenshot arrives as "image.png": name it so the other person can tell files apart. */
export function pastedName(file: File): File {
  if (file.name && file.name !== "image.png") return file;
  const ext = file.type.split("/")[1]?.split(";")[0] ?? "png";
  return new File([file], `Pasted image ${fileTimestamp()}.${ext}`, { type: file.type });
}

/**
 * Sends files one after another (each encrypted on this device first); every file is tried, and
 * the ones that failed are named together in the answer ("" when all went).
 */
export async function sendEach(
  session: HearthSession,
  conversationId: string,
  files: readonly File[],
  beforeEach: () => void,
): Promise<string> {
  const problems: string[] = [];
  for (const file of files) {
    try {
      beforeEach();
      await session.sendFile(conversationId, file);
    } catch (err) {
      const code = (err as { code?: string }).code;
      problems.push(
        code === "blob_too_large"
          ? `${file.name || "That file"} is too large to send.`
          : code === "blob_quota_exceeded"
            ? `${file.name || "That file"} couldn't be sent: your attachments have used all the space this server allows.`
            : `${file.name || "That file"} couldn't be sent. Please try again.`,
      );
    }
  }
  return problems.join(" ");
}

/**
 * Files dragged over the conversation: whether something is being dragged (for the drop hint) and
 * the handlers; a drop offers the files (see {@link SendFilesDialog}), it never sends them.
 */
export function useFileDrop(onOffer: (files: File[]) => void) {
  const [dragging, setDragging] = useState(false);
  const hasFiles = (e: DragEvent) => e.dataTransfer.types.includes("Files");
  const onDragOver = (e: DragEvent<HTMLElement>) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
    setDragging(true);
  };
  const onDragLeave = (e: DragEvent<HTMLElement>) => {
    if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
  };
  const onDrop = (e: DragEvent<HTMLElement>) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    setDragging(false);
    const files = [...e.dataTransfer.files];
    if (files.length > 0) onOffer(files);
  };
  return { dragging, dropHandlers: { onDragOver, onDragLeave, onDrop } };
}

/** Files dropped or pasted wait for a yes: a stray drop must not send the wrong file to someone. */
export function SendFilesDialog({
  offered,
  onCancel,
  onConfirm,
}: {
  offered: readonly File[] | undefined;
  onCancel: () => void;
  onConfirm: (files: readonly File[]) => void;
}) {
  return (
    <ConfirmDialog
      open={offered !== undefined}
      title={
        offered?.length === 1
          ? `Send ${offered[0]?.name ?? "this file"}?`
          : `Send these ${offered?.length ?? 0} files?`
      }
      body={`It is encrypted on this device first; only the people in this conversation can open it.${
        offered && offered.length > 1 ? ` ${offered.map((f) => f.name).join(", ")}.` : ""
      }`}
      confirmLabel="Send"
      cancelLabel="Don't send"
      onCancel={onCancel}
      onConfirm={() => onConfirm(offered ?? [])}
    />
  );
}
