import type { ConversationId, DeviceId, UserId } from "@hearth/protocol";

/** One device's Web Push subscription, as the server keeps it. */
export interface PushSubscriptionRecord {
  deviceId: DeviceId;
  userId: UserId;
  /** The push service's URL for this subscription (a capability: whoever has it can push). */
  endpoint: string;
  /** The device's ECDH public key and auth secret (base64url), for RFC 8291 encryption. */
  p256dh: string;
  auth: string;
  /** Random key (base64url) under which conversations get this subscription's opaque references. */
  aliasKey: string;
  /** The device chose to see who wrote (pushes carry the sender's user id). */
  showSender: boolean;
  createdAt: string;
}

/**
 * The push module's port (table `push_subscriptions`; the VAPID key pair is in the auth module's
 * `meta`). Implemented over SQL in `storage/kysely/push-store.ts`; `test/stores/push-suite.ts` is
 * its conformance suite.
 */
export interface PushStore {
  /** Sets the device's subscription, replacing any earlier one of that device. */
  putSubscription(s: PushSubscriptionRecord): Promise<void>;
  getSubscription(deviceId: DeviceId): Promise<PushSubscriptionRecord | undefined>;
  /** Removes the device's subscription; whether there was one. */
  deleteSubscription(deviceId: DeviceId): Promise<boolean>;
  /**
   * Removes the subscription only if it still has this endpoint (a push service said it is gone,
   * but the device may have subscribed anew meanwhile).
   */
  deleteSubscriptionIfEndpoint(deviceId: DeviceId, endpoint: string): Promise<void>;
  /**
   * The subscriptions of the conversation's members other than `exceptUserId`, of devices that are
   * not signed out: whom a new message there may be pushed to.
   */
  subscriptionsForConversation(
    conversationId: ConversationId,
    exceptUserId: UserId,
  ): Promise<PushSubscriptionRecord[]>;
  /** The subscriptions of the user's devices that are not signed out (appointment and check-in reminders). */
  subscriptionsForUser(userId: UserId): Promise<PushSubscriptionRecord[]>;
  /** Is there any subscription at all? (Lets a server with none skip every lookup.) */
  anySubscriptions(): Promise<boolean>;
}
