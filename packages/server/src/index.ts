/**
 * @hearth/server — the Hearth server: Fastify HTTP + WebSocket delivery over a storage port and a
 * fan-out port. Assemble it with {@link buildServer}.
 */
export { type BuildServerInput, buildServer, type HearthServer } from "./build-server.ts";
export { type Bus, type BusEvent, conversationTopic, type Subscription, userTopic } from "./bus/bus.ts";
export { MemoryBus } from "./bus/memory/memory-bus.ts";
export { RedisBus, type RedisBusOptions } from "./bus/redis/redis-bus.ts";
export { RedisCounter, type RedisCounterOptions } from "./bus/redis/redis-counter.ts";
export { type Clock, systemClock, type TimerHandle } from "./clock.ts";
export { DEFAULTS, type ServerOptions } from "./config.ts";
export { cspDirectives, securityHeaders } from "./http/security-headers.ts";
export { createLogger, type LoggerOptions, shortId } from "./logger.ts";
export type * from "./modules/audit/audit-store.ts";
export type * from "./modules/auth/auth-store.ts";
export type * from "./modules/blobs/blob-meta-store.ts";
export type { BlobPutResult, BlobStore } from "./modules/blobs/blob-store.ts";
export { FsBlobStore, type FsBlobStoreOptions } from "./modules/blobs/fs/fs-blob-store.ts";
export {
  type OpenPostgresBlobStoreOptions,
  openPostgresBlobStore,
  PostgresBlobStore,
  type PostgresBlobStoreOptions,
} from "./modules/blobs/postgres/postgres-blob-store.ts";
export type * from "./modules/conversations/conversation-store.ts";
export type * from "./modules/delivery/delivery-store.ts";
export type * from "./modules/keys/keys-store.ts";
export { EMAIL_SUBJECT, EmailNotifier, type EmailNotifierOptions } from "./modules/notify/email-notifier.ts";
export type { Mailer, OutgoingMail } from "./modules/notify/mailer.ts";
export type * from "./modules/notify/notify-store.ts";
export { SmtpMailer, type SmtpMailerOptions } from "./modules/notify/smtp/smtp-mailer.ts";
export * from "./modules/schedule/index.ts";
export { registerWeb, type WebOptions } from "./modules/web/web-routes.ts";
export { AT_REST_KEY_FILE, loadAtRestKey, parseAtRestKey } from "./storage/at-rest/at-rest-key.ts";
export {
  AtRestCipher,
  type FieldCodec,
  SEALED_FIELDS,
  type SealedField,
} from "./storage/at-rest/field-codec.ts";
export { AtRestKeyError } from "./storage/at-rest/seal-in-place.ts";
export type { StorageDialect } from "./storage/kysely/storage-dialect.ts";
export { migrate, type SqlDialect } from "./storage/migrations.ts";
export { openPostgresStorage, type PostgresStorageOptions } from "./storage/postgres/postgres-storage.ts";
export { openSqliteStorage, type SqliteStorageOptions } from "./storage/sqlite/sqlite-storage.ts";
export type { RunInTransaction, Storage, StoragePorts, TransactionalPorts } from "./storage/storage.ts";
