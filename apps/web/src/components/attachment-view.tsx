import "./attachment-view.css";
import type { AttachmentRef } from "@hearth/client";
import { useEffect, useRef, useState } from "react";
import { MAX_VIEW_BYTES, viewable } from "../state/decrypted-files.ts";
import type { HearthSession } from "../state/hearth-session.ts";
import { Name } from "./names.tsx";

export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** A voice note recorded in the app is named "Voice note …"; it is shown as one, not as a file. */
export function isVoiceNote(a: AttachmentRef): boolean {
  return viewable(a) === "audio" && a.name.startsWith("Voice note");
}

type Load = { state: "idle" } | { state: "busy" } | { state: "ready"; url: string } | { state: "failed" };

/** The decrypted file as an object URL, fetched when `wanted` turns true (cached by the session). */
function useDecrypted(session: HearthSession, attachment: AttachmentRef, wanted: boolean): Load {
  const [load, setLoad] = useState<Load>({ state: "idle" });
  useEffect(() => {
    if (!wanted) return;
    let live = true;
    setLoad({ state: "busy" });
    const lease = session.files.use(attachment);
    lease.url.then(
      (url) => live && setLoad({ state: "ready", url }),
      () => live && setLoad({ state: "failed" }),
    );
    return () => {
      live = false;
      lease.release();
    };
  }, [session, attachment, wanted]);
  return load;
}

/** Download: decrypts on this device and saves under the sender's file name. */
function DownloadButton({ session, attachment }: { session: HearthSession; attachment: AttachmentRef }) {
  const [state, setState] = useState<"idle" | "busy" | "failed">("idle");
  const download = async () => {
    setState("busy");
    try {
      const bytes = await session.downloadFile(attachment);
      // Saved as a download, never opened in this origin: the type is neutral on purpose.
      const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: "application/octet-stream" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = attachment.name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setState("idle");
    } catch {
      setState("failed");
    }
  };
  return (
    <>
      <button
        type="button"
        className="button button--small"
        onClick={download}
        aria-disabled={state === "busy"}
      >
        {state === "busy" ? "Opening…" : "Download"}
        <span className="visually-hidden"> {attachment.name}</span>
      </button>
      {state === "failed" ? (
        <span className="file__problem">This file couldn't be opened. Try again later.</span>
      ) : null}
    </>
  );
}

/** An image, decrypted and shown as soon as its bubble is on screen. */
function ImageView({
  session,
  attachment,
  onResize,
}: {
  session: HearthSession;
  attachment: AttachmentRef;
  onResize: () => void;
}) {
  const load = useDecrypted(session, attachment, true);
  // The bytes decrypted but aren't a picture the browser can draw (or the sender mislabelled them).
  const [broken, setBroken] = useState(false);
  const alt = attachment.caption ? `Image: ${attachment.caption}` : `Image: ${attachment.name}`;
  return (
    <figure className="media media--image">
      {load.state === "ready" && !broken ? (
        <img
          src={load.url}
          alt={alt}
          className="media__image"
          onLoad={onResize}
          onError={() => setBroken(true)}
        />
      ) : (
        <div className="media__placeholder">
          {broken
            ? "This image can't be shown here. Download it to look at it."
            : load.state === "failed"
              ? "This image couldn't be opened."
              : "Opening image…"}
        </div>
      )}
      <figcaption className="file">
        <span className="file__text">
          <span className="file__name">
            <Name>{attachment.name}</Name>
          </span>
          <span className="file__size">{fileSize(attachment.size)}</span>
        </span>
        <DownloadButton session={session} attachment={attachment} />
      </figcaption>
    </figure>
  );
}

/** A PDF: opened inline (the browser's own viewer) on request. */
function PdfView({
  session,
  attachment,
  onResize,
}: {
  session: HearthSession;
  attachment: AttachmentRef;
  onResize: () => void;
}) {
  const [open, setOpen] = useState(false);
  const load = useDecrypted(session, attachment, open);
  useEffect(() => {
    if (load.state === "ready" || !open) onResize();
  }, [load.state, open, onResize]);
  return (
    <div className="media media--pdf">
      <div className="file">
        <span className="file__icon" aria-hidden="true">
          ▤
        </span>
        <span className="file__text">
          <span className="file__name">
            <Name>{attachment.name}</Name>
          </span>
          <span className="file__size">PDF · {fileSize(attachment.size)}</span>
        </span>
        <button
          type="button"
          className="button button--small"
          aria-expanded={open}
          onClick={() => setOpen((o) => !o)}
        >
          {open ? "Close" : "View"}
          <span className="visually-hidden"> {attachment.name}</span>
        </button>
        <DownloadButton session={session} attachment={attachment} />
      </div>
      {open && load.state === "ready" ? (
        <iframe className="media__pdf" src={load.url} title={`PDF: ${attachment.name}`} />
      ) : open ? (
        <p className="file__problem">
          {load.state === "failed" ? "This file couldn't be opened. Try again later." : "Opening…"}
        </p>
      ) : null}
    </div>
  );
}

/** A voice note or other sound: decrypted when the person asks to play it. */
function AudioView({
  session,
  attachment,
  onResize,
  onPlaying,
}: {
  session: HearthSession;
  attachment: AttachmentRef;
  onResize: () => void;
  onPlaying?: (playing: boolean) => void;
}) {
  const [wanted, setWanted] = useState(false);
  const load = useDecrypted(session, attachment, wanted);
  const label = isVoiceNote(attachment) ? "Voice note" : attachment.name;
  const player = useRef<HTMLAudioElement>(null);
  // The Play button gives way to the player: the focus moves to it rather than to the page.
  useEffect(() => {
    if (load.state !== "ready") return;
    onResize();
    player.current?.focus();
  }, [load.state, onResize]);
  return (
    <div className="media media--audio">
      <div className="file">
        <span className="file__icon" aria-hidden="true">
          ♪
        </span>
        <span className="file__text">
          <span className="file__name">
            <Name>{label}</Name>
          </span>
          <span className="file__size">{fileSize(attachment.size)}</span>
        </span>
        {load.state === "ready" ? null : (
          <button
            type="button"
            className="button button--small"
            onClick={() => setWanted(true)}
            aria-disabled={load.state === "busy"}
          >
            {load.state === "busy" ? "Opening…" : "Play"}
            <span className="visually-hidden"> {label}</span>
          </button>
        )}
      </div>
      {load.state === "ready" ? (
        // biome-ignore lint/a11y/useMediaCaption: a voice note between two people has no captions to offer.
        <audio
          ref={player}
          className="media__audio"
          src={load.url}
          controls
          autoPlay
          aria-label={label}
          onPlay={() => onPlaying?.(true)}
          onPause={() => onPlaying?.(false)}
          onEnded={() => onPlaying?.(false)}
        />
      ) : load.state === "failed" ? (
        <p className="file__problem">This voice note couldn't be opened. Try again later.</p>
      ) : null}
    </div>
  );
}

/**
 * A shared file inside a message: images shown inline, PDFs viewable inline, voice notes playable,
 * anything else (or anything too large to hold in memory) offered as a download. Everything is
 * decrypted on this device; see {@link DecryptedFiles} for why only known types are shown inline.
 */
export function AttachmentView({
  session,
  attachment,
  onResize,
  onPlaying,
}: {
  session: HearthSession;
  attachment: AttachmentRef;
  /** The bubble changed height (an image loaded, a viewer opened). */
  onResize: () => void;
  /** A voice note started or stopped playing (the list keeps a playing one mounted). */
  onPlaying?: (playing: boolean) => void;
}) {
  const kind = attachment.size <= MAX_VIEW_BYTES ? viewable(attachment) : undefined;
  if (kind === "image") return <ImageView session={session} attachment={attachment} onResize={onResize} />;
  if (kind === "pdf") return <PdfView session={session} attachment={attachment} onResize={onResize} />;
  if (kind === "audio") {
    return <AudioView session={session} attachment={attachment} onResize={onResize} onPlaying={onPlaying} />;
  }
  return (
    <div className="file">
      <span className="file__icon" aria-hidden="true">
        ▤
      </span>
      <span className="file__text">
        <span className="file__name">
          <Name>{attachment.name}</Name>
        </span>
        <span className="file__size">{fileSize(attachment.size)}</span>
      </span>
      <DownloadButton session={session} attachment={attachment} />
    </div>
  );
}
