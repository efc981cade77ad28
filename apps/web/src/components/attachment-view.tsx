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

/** Can this browser show a PDF inside the page? (Headless and some mobile browsers cannot.) */
function inlinePdf(): boolean {
  return typeof navigator === "undefined" || navigator.pdfViewerEnabled !== false;
}

/** Opens a decrypted file in a new tab (from a click: the browser allows it). */
function openInNewTab(url: string): void {
  const a = document.createElement("a");
  a.href = url;
  a.target = "_blank";
  a.rel = "noopener";
  a.click();
}

/**
 * A PDF: opened inline (the browser's own viewer) on request; where the browser has no PDF viewer
 * (an inline frame would stay an empty box), "Open" in a new tab and "Download" instead.
 */
function PdfView({
  session,
  attachment,
  onResize,
}: {
  session: HearthSession;
  attachment: AttachmentRef;
  onResize: () => void;
}) {
  const inline = inlinePdf();
  const [open, setOpen] = useState(false);
  const load = useDecrypted(session, attachment, open);
  const [opening, setOpening] = useState(false);
  useEffect(() => {
    if (load.state === "ready" || !open) onResize();
  }, [load.state, open, onResize]);
  // Without a viewer: the file opens in a new tab once decrypted (the lease keeps its URL alive).
  useEffect(() => {
    if (inline || !opening || load.state !== "ready") return;
    setOpening(false);
    openInNewTab(load.url);
  }, [inline, opening, load]);
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
        {inline ? (
          <button
            type="button"
            className="button button--small"
            aria-expanded={open}
            onClick={() => setOpen((o) => !o)}
          >
            {open ? "Close" : "View"}
            <span className="visually-hidden"> {attachment.name}</span>
          </button>
        ) : (
          <button
            type="button"
            className="button button--small"
            onClick={() => {
              setOpen(true);
              setOpening(true);
            }}
            aria-disabled={load.state === "busy"}
          >
            {load.state === "busy" ? "Opening…" : "Open"}
            <span className="visually-hidden"> {attachment.name} in a new tab</span>
          </button>
        )}
        <DownloadButton session={session} attachment={attachment} />
      </div>
      {!inline ? (
        <p className="file__problem file__note">
          This browser can't show PDFs inside Hearth: open it in a new tab or download it.
          {load.state === "ready" ? (
            <>
              {" "}
              <a href={load.url} target="_blank" rel="noopener">
                Open {attachment.name} again
              </a>
            </>
          ) : null}
        </p>
      ) : open && load.state === "ready" ? (
        <iframe className="media__pdf" src={load.url} title={`PDF: ${attachment.name}`} />
      ) : open ? (
        <p className="file__problem">
          {load.state === "failed" ? "This file couldn't be opened. Try again later." : "Opening…"}
        </p>
      ) : null}
      {!inline && load.state === "failed" ? (
        <p className="file__problem">This file couldn't be opened. Try again later.</p>
      ) : null}
    </div>
  );
}

/** "1:21", "0:04": minutes and seconds. */
export function playTime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/**
 * A voice note or other sound: its length (recorded by the sender's device) shown before anything
 * is downloaded; decrypted when the person asks to play it. Our own controls (Play/Pause, a
 * position slider, the time) wrap onto two lines on a narrow screen or at 200% text, where the
 * browser's built-in player would squeeze its controls away.
 */
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
  const voice = isVoiceNote(attachment);
  const label = voice ? "Voice note" : attachment.name;
  const player = useRef<HTMLAudioElement>(null);
  const [playing, setPlaying] = useState(false);
  const [position, setPosition] = useState(0);
  const recorded = attachment.durationMs !== undefined ? attachment.durationMs / 1000 : undefined;
  const [length, setLength] = useState(recorded);
  // The first Play downloads and decrypts; it plays as soon as it is ready.
  useEffect(() => {
    if (load.state !== "ready") return;
    onResize();
    void player.current?.play().catch(() => undefined);
  }, [load.state, onResize]);
  const toggle = () => {
    const a = player.current;
    if (!wanted || !a) return setWanted(true);
    if (a.paused) void a.play().catch(() => undefined);
    else a.pause();
  };
  const now = (on: boolean) => {
    setPlaying(on);
    onPlaying?.(on);
  };
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
          <span className="file__size">
            {length !== undefined ? (
              <>
                <span className="visually-hidden">Length </span>
                {playTime(length)}
              </>
            ) : (
              fileSize(attachment.size)
            )}
          </span>
        </span>
      </div>
      <div className="player">
        <button
          type="button"
          className="button button--small player__play"
          onClick={toggle}
          aria-disabled={load.state === "busy"}
        >
          {load.state === "busy" ? "Opening…" : playing ? "Pause" : "Play"}
          <span className="visually-hidden"> {label}</span>
        </button>
        {load.state === "ready" ? (
          <>
            <input
              type="range"
              className="player__seek"
              min={0}
              max={length ?? 0}
              step={0.1}
              value={Math.min(position, length ?? 0)}
              onChange={(e) => {
                const a = player.current;
                if (a) a.currentTime = Number(e.currentTarget.value);
              }}
              aria-label={`Position in the ${voice ? "voice note" : "recording"}`}
              aria-valuetext={`${playTime(position)} of ${playTime(length ?? 0)}`}
            />
            <span className="player__time" aria-hidden="true">
              {playTime(position)} / {playTime(length ?? 0)}
            </span>
            {/* biome-ignore lint/a11y/useMediaCaption: a voice note between two people has no captions to offer. */}
            <audio
              ref={player}
              src={load.url}
              preload="auto"
              onLoadedMetadata={(e) => {
                const d = e.currentTarget.duration;
                // A recorder's WebM says Infinity: the length recorded by the sender stands.
                if (Number.isFinite(d) && d > 0) setLength(d);
              }}
              onTimeUpdate={(e) => setPosition(e.currentTarget.currentTime)}
              onPlay={() => now(true)}
              onPause={() => now(false)}
              onEnded={() => now(false)}
            />
          </>
        ) : null}
      </div>
      {load.state === "failed" ? (
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
