/**
 * @hearth/client/testing — helpers for tests of the SDK and of code built on it (the server's
 * integration tests, the web app's, the benchmarks). Not part of the runtime surface.
 */
export { CLIENT_EVENT_NAMES, EventRecorder } from "./testing/event-recorder.ts";
export { ManualClock } from "./testing/manual-clock.ts";
