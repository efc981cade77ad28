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
    login: string;
    display_name: string;
    email: string | null;
    password_hash: string;
    show_presence: number;
    failed_logins: number;
    locked_until: string | null;
    created_at: string;
    identity_key: string | null;
    archive_key: string | null;
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
