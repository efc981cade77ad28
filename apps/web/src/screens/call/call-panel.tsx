import "./call.css";
import { type ReactNode, useEffect, useRef, useState } from "react";
import type { HearthSession } from "../../state/hearth-session.ts";
import { type MeshStats, qualityHint, readMeshStats } from "./call-stats.ts";
import { callStatusText } from "./call-text.ts";
import type { CallView } from "./use-call.ts";

/** Shows a MediaStream in a `<video>` (kept across re-renders; nothing when there is none). */
function StreamVideo({ stream, muted, label }: { stream: unknown; muted: boolean; label: string }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const v = ref.current;
    if (v && v.srcObject !== stream) v.srcObject = (stream as MediaStream | undefined) ?? null;
  }, [stream]);
  return <video ref={ref} className="call__video" autoPlay playsInline muted={muted} aria-label={label} />;
}

/** Polls getStats once a second while connected: the quality hint, and numbers for tests. */
function useCallStats(session: HearthSession, connected: boolean): MeshStats | undefined {
  const [stats, setStats] = useState<MeshStats | undefined>();
  useEffect(() => {
    if (!connected) return;
    let live = true;
    const tick = async () => {
      if (!live) return;
      const s = await readMeshStats(session.client.calls.participants).catch(() => undefined);
      if (live && s) setStats(s);
    };
    void tick();
    const timer = setInterval(() => void tick(), 1000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [session, connected]);
  return connected ? stats : undefined;
}

/**
 * The call screen: the other side's video (or their name on a voice call), a small self view, the
 * state (announced), a quality hint, and the controls: mute, camera off, leave. Keyboard operable;
 * every control is a button with its state in `aria-pressed`.
 */
export function CallPanel({
  session,
  call,
  name,
  extra,
  onClose,
}: {
  session: HearthSession;
  call: CallView;
  name: string;
  /** More controls (on a phone: the switch to the chat). */
  extra?: ReactNode;
  onClose: () => void;
}) {
  const calls = session.client.calls;
  const s = call.state;
  const connected = s.phase === "connected";
  const stats = useCallStats(session, connected);
  const status = callStatusText(s, name, call.message, call.reconnecting);
  const ended = s.phase === "ended";
  const video = s.media === "video";
  const [, setTick] = useState(0);
  const toggle = (fn: () => void) => {
    fn();
    setTick((n) => n + 1);
  };

  return (
    <section
      className={`call${ended ? " call--ended" : ""}`}
      aria-label={video ? "Video call" : "Voice call"}
      data-testid="call-panel"
      data-phase={s.phase}
      data-reason={s.reason ?? ""}
      data-failure={s.failure ?? ""}
      data-inbound-bytes={stats?.inboundBytes ?? 0}
      data-outbound-audio-bytes={stats?.outboundAudioBytes ?? 0}
      data-candidate-type={stats?.localCandidateType ?? ""}
      data-connected-links={stats?.connectedLinks ?? 0}
      data-min-inbound-bytes={stats?.minInboundBytes ?? 0}
      data-peer={calls.peerConnection ? "open" : "closed"}
      data-local-tracks={call.local?.getTracks().filter((t) => t.readyState === "live").length ?? 0}
    >
      <div className="call__stage">
        {call.remotes.length > 1 ? (
          // A group call: one tile per other device (its sound plays from the same element).
          <ul className="call__grid" aria-label="Participants">
            {call.remotes.map((r) => {
              const who = s.conversationId ? session.nameOf(s.conversationId, r.userId) : "Someone";
              return (
                <li key={r.deviceId} className="call__tile">
                  <StreamVideo
                    stream={r.stream}
                    muted={false}
                    label={video ? `${who}'s video` : `${who}'s audio`}
                  />
                  {video ? null : (
                    <span className="call__avatar" aria-hidden="true">
                      {who.slice(0, 1).toUpperCase()}
                    </span>
                  )}
                  <span className="call__tile-name">{who}</span>
                </li>
              );
            })}
          </ul>
        ) : video && call.remote ? (
          <StreamVideo stream={call.remote} muted={false} label={`${name}'s video`} />
        ) : (
          <div className="call__avatar" aria-hidden="true">
            {name.slice(0, 1).toUpperCase()}
          </div>
        )}
        {/* A voice call's sound plays through an element too; it has nothing to show. */}
        {!video && call.remote && call.remotes.length <= 1 ? (
          <StreamVideo stream={call.remote} muted={false} label={`${name}'s audio`} />
        ) : null}
        {video && call.local ? (
          <div className="call__self">
            <StreamVideo stream={call.local} muted label="Your camera" />
          </div>
        ) : null}
      </div>
      <p className="call__status" role="status" aria-live="polite" data-testid="call-status">
        {status}
      </p>
      {connected && !call.reconnecting ? <p className="call__quality">{qualityHint(stats)}</p> : null}
      <div className="call__controls">
        {ended ? (
          <button type="button" className="button button--primary" onClick={onClose}>
            Close
          </button>
        ) : (
          <>
            <button
              type="button"
              className="button button--quiet"
              aria-pressed={calls.muted}
              onClick={() => toggle(() => calls.setMuted(!calls.muted))}
            >
              {calls.muted ? "Unmute" : "Mute"}
            </button>
            {video ? (
              <button
                type="button"
                className="button button--quiet"
                aria-pressed={calls.cameraOff}
                onClick={() => toggle(() => calls.setCameraOff(!calls.cameraOff))}
              >
                {calls.cameraOff ? "Turn camera on" : "Turn camera off"}
              </button>
            ) : null}
            <button type="button" className="button button--leave" onClick={() => void calls.hangup()}>
              Leave call
            </button>
          </>
        )}
        {extra}
      </div>
    </section>
  );
}
