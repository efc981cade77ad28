import type { UserId } from "@hearth/protocol";

/**
 * The calls module's port (table `call_settings`): each user's call preferences, stored only once
 * the user changed them (until then the role's default applies). Implemented over SQL in
 * `storage/kysely/call-settings-store.ts`.
 */
export interface CallSettingsStore {
  /** The user's stored relay-only choice, or undefined when the user never chose. */
  getRelayOnly(userId: UserId): Promise<boolean | undefined>;
  /** Stores the user's relay-only choice. */
  setRelayOnly(userId: UserId, relayOnly: boolean, at: string): Promise<void>;
}
