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
export type { BlobPutResult, BlobStore } from "./modules/blobs/blob-store.ts";
export { FsBlobStore, type FsBlobStoreOptions } from "./modules/blobs/fs/fs-blob-store.ts";
export { registerWeb, type WebOptions } from "./modules/web/web-routes.ts";
export { migrate, type SqlDialect } from "./storage/migrations.ts";
export { openPostgresStore, type PostgresStoreOptions } from "./storage/postgres/postgres-store.ts";
export { openSqliteStore, type SqliteStoreOptions } from "./storage/sqlite/sqlite-store.ts";
export type * from "./storage/store.ts";
