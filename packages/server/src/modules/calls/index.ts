/**
 * The calls module: WebRTC call control relayed between a conversation's devices (never stored),
 * TURN credentials (coturn's REST shared-secret scheme) and the relay-only preference.
 */
export { CallService, type CallServiceDeps, type TurnOptions } from "./call-service.ts";
export type { CallSettingsStore } from "./call-settings-store.ts";
export { callsPlugin } from "./calls-plugin.ts";
export { issueTurnCredentials, type TurnCredentials, turnUserHash } from "./turn-credentials.ts";
