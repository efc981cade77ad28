import { type DragEvent, useState } from "react";
import { fileTimestamp } from "../../format/time.ts";
import type { HearthSession } from "../../state/hearth-session.ts";
import { AttachmentPreviewDialog } from "./attachment-preview.tsx";

/** A pasted screenshot arrives as "image.png": name it so the other person can tell files apart. */
export function pastedName(file: File): File {
  if (file.name && file.name !== "image.png") return file;
  const ext = file.type.split("/")[1]?.split(";")[0] ?? "png";
  return new File([file], `Pasted image ${fileTimestamp()}.${ext}`, { type: file.type });
}

/**
 * Sends files one after another (each encrypted on this device first); every file is tried, and
 * the ones that failed are named together in the answer ("" when all went). A caption goes with the
 * first file, inside its encrypted message.
 */
export async function sendEach(
  session: HearthSession,
  conversationId: string,
  files: readonly File[],
  beforeEach: () => void,
  caption = "",
): Promise<string> {
  const problems: string[] = [];
  for (const [i, file] of files.entries()) {
    try {
      beforeEach();
      await session.sendFile(conversationId, file, i === 0 && caption ? caption : undefined);
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

/**
 * Files attached, dropped or pasted wait for a Send, with a preview and an optional caption: a stray
 * drop must not send the wrong file to someone (see {@link AttachmentPreviewDialog}).
 */
export function SendFilesDialog({
  offered,
  onCancel,
  onConfirm,
}: {
  offered: readonly File[] | undefined;
  onCancel: () => void;
  onConfirm: (files: readonly File[], caption: string) => void;
}) {
  return <AttachmentPreviewDialog offered={offered} onCancel={onCancel} onSend={onConfirm} />;
}
