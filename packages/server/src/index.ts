/**
 * @hearth/server — the Hearth server: Fastify HTTP + WebSocket delivery over a storage port and a
 * fan-out port. Assemble it with {@link buildServer}.
 */
export { type BuildServerInput, buildServer, type HearthServer } from "./build-server.ts";
export { type Bus, type BusEvent, conversationTopic, type Subscription, userTopic } from "./bus/bus.ts";
export { MemoryBus } from "./bus/memory/memory-bus.ts";
export { RedisBus, type RedisBusOptions } from "./bus/redis/redis-bus.ts";
export { type Clock, systemClock, type TimerHandle } from "./clock.ts";
export { DEFAULTS, type ServerOptions } from "./config.ts";
export { cspDirectives, securityHeaders } from "./http/security-headers.ts";
export { createLogger, type LoggerOptions, shortId } from "./logger.ts";
export type * from "./modules/audit/audit-store.ts";
export type * from "./modules/auth/auth-store.ts";
export type * from "./modules/blobs/blob-meta-store.ts";
export type { BlobPutResult, BlobStore } from "./modules/blobs/blob-store.ts";
export { FsBlobStore, type FsBlobStoreOptions } from "./modules/blobs/fs/fs-blob-store.ts";
export type * from "./modules/conversations/conversation-store.ts";
export type * from "./modules/delivery/delivery-store.ts";
export type * from "./modules/keys/keys-store.ts";
export { registerWeb, type WebOptions } from "./modules/web/web-routes.ts";
export type { StorageDialect } from "./storage/kysely/storage-dialect.ts";
export { migrate, type SqlDialect } from "./storage/migrations.ts";
export { openPostgresStorage, type PostgresStorageOptions } from "./storage/postgres/postgres-storage.ts";
export { openSqliteStorage, type SqliteStorageOptions } from "./storage/sqlite/sqlite-storage.ts";
export type { RunInTransaction, Storage, StoragePorts, TransactionalPorts } from "./storage/storage.ts";
