import { useCallback, useEffect, useRef, useState } from "react";
import { fileTimestamp } from "../format/time.ts";

/** Longest voice note: long enough for a thought, short enough to stay well under the file limit. */
const MAX_SECONDS = 5 * 60;

/** The recorder's container type, preferring Opus in WebM (Chromium, Firefox), then MP4 (Safari). */
function recorderType(): string | undefined {
  for (const t of ["audio/webm;codecs=opus", "audio/webm", "audio/mp4", "audio/ogg;codecs=opus"]) {
    if (MediaRecorder.isTypeSupported(t)) return t;
  }
  return undefined;
}

function clock(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

/** A file name for a voice note recorded now, e.g. "Voice note 2026-11-29 14.05.webm". */
function voiceNoteName(type: string): string {
  const ext = type.startsWith("audio/mp4") ? "m4a" : type.startsWith("audio/ogg") ? "ogg" : "webm";
  return `Voice note ${fileTimestamp()}.${ext}`;
}

type Phase = { kind: "idle" } | { kind: "starting" } | { kind: "recording"; seconds: number };

/**
 * Records a voice note with the microphone (MediaRecorder) and hands the file over when the person
 * chooses "Stop and send"; "Cancel" throws the recording away. Nothing is kept or sent before
 * that, and the microphone is released as soon as recording ends.
 */
export function VoiceRecorder({
  onRecorded,
  onProblem,
}: {
  onRecorded: (file: File) => void;
  onProblem: (message: string) => void;
}) {
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const recorder = useRef<MediaRecorder | undefined>(undefined);
  const keep = useRef(false);
  const timer = useRef<ReturnType<typeof setInterval> | undefined>(undefined);
  const stopButton = useRef<HTMLButtonElement>(null);
  const recordButton = useRef<HTMLButtonElement>(null);
  const recording = phase.kind === "recording";
  const wasRecording = useRef(false);

  // Focus follows the controls: to "Stop and send" when recording starts, back to "Record" after.
  useEffect(() => {
    if (recording) stopButton.current?.focus();
    else if (wasRecording.current) recordButton.current?.focus();
    wasRecording.current = recording;
  }, [recording]);

  const release = useCallback(() => {
    clearInterval(timer.current);
    timer.current = undefined;
    for (const track of recorder.current?.stream.getTracks() ?? []) track.stop();
    recorder.current = undefined;
  }, []);

  // Leaving the conversation (or quick exit) mid-recording discards it and frees the microphone.
  useEffect(
    () => () => {
      keep.current = false;
      if (recorder.current?.state === "recording") recorder.current.stop();
      release();
    },
    [release],
  );

  const start = async () => {
    const type = typeof MediaRecorder === "undefined" ? undefined : recorderType();
    if (!type || !navigator.mediaDevices?.getUserMedia) {
      onProblem("This browser can't record voice notes.");
      return;
    }
    setPhase({ kind: "starting" });
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch {
      setPhase({ kind: "idle" });
      onProblem("The microphone isn't available. Check that Hearth may use it, then try again.");
      return;
    }
    const r = new MediaRecorder(stream, { mimeType: type });
    const chunks: Blob[] = [];
    r.ondataavailable = (e) => {
      if (e.data.size > 0) chunks.push(e.data);
    };
    r.onstop = () => {
      release();
      setPhase({ kind: "idle" });
      if (!keep.current || chunks.length === 0) return;
      const bare = type.split(";")[0] ?? "audio/webm";
      onRecorded(new File(chunks, voiceNoteName(type), { type: bare }));
    };
    recorder.current = r;
    keep.current = false;
    r.start(1000);
    const started = Date.now();
    setPhase({ kind: "recording", seconds: 0 });
    timer.current = setInterval(() => {
      const seconds = Math.floor((Date.now() - started) / 1000);
      setPhase({ kind: "recording", seconds });
      if (seconds >= MAX_SECONDS) stop(true);
    }, 500);
  };

  const stop = (send: boolean) => {
    keep.current = send;
    if (recorder.current?.state === "recording") recorder.current.stop();
  };

  if (phase.kind === "recording") {
    return (
      <fieldset className="recorder">
        <legend className="visually-hidden">Recording a voice note</legend>
        <span className="recorder__dot" aria-hidden="true" />
        <span className="recorder__time">
          Recording <time>{clock(phase.seconds)}</time>
        </span>
        <button type="button" className="button button--small" onClick={() => stop(false)}>
          Cancel
        </button>
        <button
          ref={stopButton}
          type="button"
          className="button button--small button--primary"
          onClick={() => stop(true)}
        >
          Stop and send
        </button>
      </fieldset>
    );
  }
  return (
    <button
      ref={recordButton}
      type="button"
      className="button button--quiet composer__voice"
      onClick={() => void start()}
      aria-disabled={phase.kind === "starting"}
    >
      Record<span className="visually-hidden"> a voice note</span>
    </button>
  );
}
