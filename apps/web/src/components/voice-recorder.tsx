import "./voice-recorder.css";
import { useCallback, useEffect, useId, useRef, useState } from "react";
import { fileTimestamp } from "../format/time.ts";
import { RecordedAudio } from "../state/session/file-sending.ts";

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

type Phase =
  | { kind: "idle" }
  | { kind: "starting" }
  | { kind: "recording"; seconds: number }
  /** Recording ended without the person choosing to send (time limit, microphone gone): ask. */
  | { kind: "review"; file: File; reason: string };

/**
 * Records a voice note with the microphone (MediaRecorder) and hands the file over when the person
 * chooses "Stop and send"; "Cancel" throws the recording away. Nothing is kept or sent before
 * that, and the microphone is released as soon as recording ends. If recording ends on its own (the
 * five-minute limit, the microphone unplugged or its permission withdrawn), nothing is sent
 * without asking. Leaving the screen at any point, even while the browser asks for the
 * microphone, discards everything and releases the microphone.
 */
export function VoiceRecorder({
  onRecorded,
  onProblem,
  onActive,
}: {
  onRecorded: (file: File) => void;
  onProblem: (message: string) => void;
  /** Called while recording: speaking counts as being there (the screen lock waits). */
  onActive?: () => void;
}) {
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const recorder = useRef<MediaRecorder | undefined>(undefined);
  /** What ending the recording means: send it, throw it away, or ask (ended by itself). */
  const outcome = useRef<"send" | "discard" | "ask">("discard");
  const endReason = useRef("");
  const starting = useRef(false);
  const mounted = useRef(true);
  const timer = useRef<ReturnType<typeof setInterval> | undefined>(undefined);
  const stopButton = useRef<HTMLButtonElement>(null);
  const recordButton = useRef<HTMLButtonElement>(null);
  const sendButton = useRef<HTMLButtonElement>(null);
  const recording = phase.kind === "recording";
  const wasRecording = useRef(false);
  const reasonId = useId();

  // Focus follows the controls: to "Stop and send" when recording starts, to the question when it
  // ended by itself, back to "Record" after.
  useEffect(() => {
    if (recording) stopButton.current?.focus();
    else if (phase.kind === "review") sendButton.current?.focus();
    else if (wasRecording.current && phase.kind === "idle") recordButton.current?.focus();
    wasRecording.current = recording || phase.kind === "review";
  }, [recording, phase.kind]);

  const release = useCallback(() => {
    clearInterval(timer.current);
    timer.current = undefined;
    for (const track of recorder.current?.stream.getTracks() ?? []) track.stop();
    recorder.current = undefined;
  }, []);

  // Leaving the conversation (or quick exit) mid-recording discards it and frees the microphone.
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      outcome.current = "discard";
      if (recorder.current?.state === "recording") recorder.current.stop();
      release();
    };
  }, [release]);

  const stop = (how: "send" | "discard" | "ask", reason = "") => {
    outcome.current = how;
    endReason.current = reason;
    if (recorder.current?.state === "recording") recorder.current.stop();
  };

  const start = async () => {
    if (starting.current || recorder.current) return;
    const type = typeof MediaRecorder === "undefined" ? undefined : recorderType();
    if (!type || !navigator.mediaDevices?.getUserMedia) {
      onProblem("This browser can't record voice notes.");
      return;
    }
    starting.current = true;
    setPhase({ kind: "starting" });
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch {
      starting.current = false;
      if (!mounted.current) return;
      setPhase({ kind: "idle" });
      onProblem("The microphone isn't available. Check that Hearth may use it, then try again.");
      return;
    }
    starting.current = false;
    const freeMicrophone = () => {
      for (const track of stream.getTracks()) track.stop();
    };
    // The person left while the browser was asking: never record without the controls on screen.
    if (!mounted.current) {
      freeMicrophone();
      return;
    }
    let r: MediaRecorder;
    try {
      r = new MediaRecorder(stream, { mimeType: type });
      r.start(1000);
    } catch {
      freeMicrophone();
      setPhase({ kind: "idle" });
      onProblem("Recording couldn't start. Try again, or send a written message instead.");
      return;
    }
    const chunks: Blob[] = [];
    const startedAt = performance.now();
    r.ondataavailable = (e) => {
      if (e.data.size > 0) chunks.push(e.data);
    };
    r.onstop = () => {
      release();
      if (!mounted.current) return;
      const how = outcome.current;
      outcome.current = "discard";
      if (how === "discard" || chunks.length === 0) {
        setPhase({ kind: "idle" });
        if (how === "ask") onProblem(endReason.current);
        return;
      }
      const bare = type.split(";")[0] ?? "audio/webm";
      // Its length, measured here: a recorder's WebM has no duration in its header to read later.
      const file = new RecordedAudio(
        chunks,
        voiceNoteName(type),
        { type: bare },
        performance.now() - startedAt,
      );
      if (how === "send") {
        setPhase({ kind: "idle" });
        onRecorded(file);
      } else {
        setPhase({ kind: "review", file, reason: endReason.current });
      }
    };
    // The microphone went away (unplugged, permission withdrawn): keep what there is, and ask.
    for (const track of stream.getAudioTracks()) {
      track.onended = () => stop("ask", "The microphone stopped, so recording ended.");
    }
    recorder.current = r;
    // Until the person chooses, an end (however it comes) keeps the recording and asks.
    outcome.current = "ask";
    endReason.current = "Recording stopped.";
    const started = Date.now();
    setPhase({ kind: "recording", seconds: 0 });
    timer.current = setInterval(() => {
      const seconds = Math.floor((Date.now() - started) / 1000);
      setPhase({ kind: "recording", seconds });
      onActive?.();
      if (seconds >= MAX_SECONDS) {
        stop("ask", `Voice notes can be up to ${MAX_SECONDS / 60} minutes, so recording stopped there.`);
      }
    }, 500);
  };

  if (phase.kind === "review") {
    return (
      <fieldset className="recorder">
        <legend className="visually-hidden">Your voice note</legend>
        <span className="recorder__time" role="status" id={reasonId}>
          {phase.reason} Send it?
        </span>
        <button type="button" className="button button--small" onClick={() => setPhase({ kind: "idle" })}>
          Discard
        </button>
        <button
          ref={sendButton}
          aria-describedby={reasonId}
          type="button"
          className="button button--small button--primary"
          onClick={() => {
            const file = phase.file;
            setPhase({ kind: "idle" });
            onRecorded(file);
          }}
        >
          Send
        </button>
      </fieldset>
    );
  }
  if (phase.kind === "recording") {
    return (
      <fieldset className="recorder">
        <legend className="visually-hidden">Recording a voice note</legend>
        <span className="recorder__dot" aria-hidden="true" />
        <span className="recorder__time">
          Recording <time>{clock(phase.seconds)}</time>
        </span>
        <button type="button" className="button button--small" onClick={() => stop("discard")}>
          Cancel
        </button>
        <button
          ref={stopButton}
          type="button"
          className="button button--small button--primary"
          onClick={() => stop("send")}
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
