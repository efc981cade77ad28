import type { Generated } from "kysely";

/**
 * The database as Kysely sees it. Times are ISO-8601 strings (portable between SQLite and
 * PostgreSQL); message bodies are opaque bytes that the server never parses.
 */
export interface Database {
  meta: { key: string; value: string };
  practices: { id: string; name: string; created_at: string };
  users: {
    id: string;
    practice_id: string;
    role: "admin" | "therapist" | "patient";
    /** The login (encrypted at rest when that is on: `storage/at-rest`). */
    login: string;
    /** What sign-in looks a login up by: the login itself, or its keyed blind index (migration 0020). */
    login_key: string | null;
    display_name: string;
    email: string | null;
    password_hash: string;
    show_presence: number;
    failed_logins: number;
    locked_until: string | null;
    created_at: string;
    identity_key: string | null;
    archive_key: string | null;
    deactivated_at: string | null;
  };
  devices: {
    id: string;
    user_id: string;
    name: string;
    token_hash: string;
    created_at: string;
    last_seen_at: string;
    revoked_at: string | null;
  };
  invites: {
    id: string;
    practice_id: string;
    inviter_id: string;
    role: "admin" | "therapist" | "patient";
    token_hash: string;
    expires_at: string;
    used_at: string | null;
    used_by: string | null;
    revoked_at: string | null;
  };
  sign_in_links: {
    id: string;
    practice_id: string;
    user_id: string;
    issuer_id: string;
    token_hash: string;
    created_at: string;
    expires_at: string;
    used_at: string | null;
    revoked_at: string | null;
  };
  conversations: {
    id: string;
    practice_id: string;
    kind: "direct" | "group";
    created_by: string;
    created_at: string;
    last_seq: number;
    last_activity_at: string;
    epoch: Generated<number>;
    group_info: Uint8Array | null;
  };
  members: {
    conversation_id: string;
    user_id: string;
    joined_at: string;
    delivered_seq: number;
    read_seq: number;
    shared_read_seq: Generated<number>;
  };
  entries: {
    conversation_id: string;
    seq: number;
    message_id: string;
    sender_id: string;
    sender_device_id: string;
    sent_at: string;
    kind: "message" | "delete" | "commit";
    body: Uint8Array | null;
    target: string | null;
    deleted: number;
    epoch: number | null;
  };
  key_packages: {
    id: Generated<number>;
    device_id: string;
    data: Uint8Array;
    last_resort: number;
    created_at: string;
  };
  welcomes: {
    id: Generated<number>;
    device_id: string;
    conversation_id: string;
    seq: number;
    data: Uint8Array;
    created_at: string;
  };
  transfers: {
    id: string;
    user_id: string;
    body: Uint8Array | null;
    created_at: string;
    expires_at: string;
  };
  blobs: {
    id: string;
    conversation_id: string;
    uploader_id: string;
    uploader_device_id: string;
    size: number | string;
    created_at: string;
  };
  message_blobs: {
    conversation_id: string;
    message_id: string;
    blob_id: string;
  };
  login_attempts: {
    key: string;
    failures: number;
    locked_until: string | null;
    updated_at: string;
  };
  jobs: {
    id: string;
    kind: string;
    payload: string;
    run_at: string;
    dedupe_key: string | null;
    status: "pending" | "failed";
    attempts: number;
    lease_owner: string | null;
    lease_until: string | null;
    last_error: string | null;
    created_at: string;
    updated_at: string;
  };
  notify_settings: {
    user_id: string;
    email: string | null;
    email_delay_minutes: number;
    email_digest: number;
    quiet_start: string | null;
    quiet_end: string | null;
    time_zone: string | null;
    updated_at: string;
  };
  notify_outbox: { user_id: string; conversation_id: string; added_at: string };
  notify_sent: { user_id: string; conversation_id: string; sent_at: string };
  unsubscribe_tokens: { token_hash: string; user_id: string; created_at: string };
  checkin_plans: {
    id: string;
    conversation_id: string;
    patient_id: string;
    created_by: string;
    time_zone: string;
    local_time: string;
    days: string | null;
    created_at: string;
  };
  checkin_reminders: { plan_id: string; due_at: string; sent_at: string };
  office_hours: { user_id: string; settings: string; updated_at: string };
  auto_replies: {
    id: string;
    conversation_id: string;
    therapist_id: string;
    period_key: string;
    after_seq: number;
    next_open_at: string | null;
    typical_reply_hours: number;
    away_text: string | null;
    created_at: string;
  };
  push_subscriptions: {
    device_id: string;
    user_id: string;
    endpoint: string;
    p256dh: string;
    auth: string;
    alias_key: string;
    show_sender: number;
    created_at: string;
  };
  appointments: {
    id: string;
    conversation_id: string;
    organizer_id: string;
    local_start: string;
    time_zone: string;
    duration_minutes: number;
    recurrence: string | null;
    status: "scheduled" | "cancelled";
    first_start_at: string;
    last_end_at: string | null;
    reschedule_by: string | null;
    reschedule_at: string | null;
    revision: number;
    created_at: string;
    updated_at: string;
  };
  appointment_settings: {
    user_id: string;
    reminder_minutes: string;
    push: number;
    email: number;
    show_time: number;
    feed_names: number;
    feed_token_hash: string | null;
    updated_at: string;
  };
  appointment_reminders: {
    appointment_id: string;
    user_id: string;
    occurrence_at: string;
    minutes_before: number;
    sent_at: string;
  };
  call_settings: { user_id: string; relay_only: number; updated_at: string };
  audit: {
    seq: Generated<number>;
    at: string;
    actor_id: string | null;
    action: string;
    subject: string | null;
    prev_hash: string;
    hash: string;
  };
}
