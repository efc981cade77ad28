/**
 * @hearth/client/testing — helpers for tests of the SDK and of code built on it (the server's
 * integration tests, the web app's, the benchmarks). Not part of the runtime surface.
 */
/**
 * The encrypted payload's wire format, for tests that forge or inspect a payload as an attacker or a
 * server would (the SDK itself reads and writes it through its encryption).
 */
export {
  decodeE2eePayload,
  type E2eePayload,
  encodeE2eePayload,
  signedPart,
} from "./e2ee/e2ee-payload.ts";
export { CLIENT_EVENT_NAMES, EventRecorder } from "./testing/event-recorder.ts";
export { FakePeerConnection, fingerprint, sdpWithFingerprint } from "./testing/fake-peer-connection.ts";
export { ManualClock } from "./testing/manual-clock.ts";
