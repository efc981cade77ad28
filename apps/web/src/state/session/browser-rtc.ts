import type { CallsRtc, MediaStreamLike, PeerConnectionLike } from "@hearth/client";

/**
 * The browser's WebRTC for the SDK's calls, or undefined where there is none (the call buttons then
 * say calls are not available in this browser).
 */
export function browserRtc(): CallsRtc | undefined {
  if (typeof RTCPeerConnection === "undefined" || !navigator.mediaDevices?.getUserMedia) return undefined;
  return {
    createPeerConnection: (config) => new RTCPeerConnection(config) as unknown as PeerConnectionLike,
    getUserMedia: (constraints) =>
      navigator.mediaDevices.getUserMedia(constraints) as Promise<unknown> as Promise<MediaStreamLike>,
  };
}
