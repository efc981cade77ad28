import type { OutboxItem, StoredMessage } from "@hearth/client";
import {
  type DBSchema,
  deleteDB,
  type IDBPDatabase,
  type IDBPTransaction,
  openDB,
  type StoreNames,
} from "idb";

/**
 * Every IndexedDB database the web app keeps, opened in one place through `idb`. Each user has
 * three, kept apart so each can be deleted or read on its own:
 *
 * - `hearth.<userId>` ({@link MessagesDb}): cursors, outbox, delivered messages and app values;
 * - `hearth.keys.<userId>` ({@link KeysDb}): the device's end-to-end encryption secrets;
 * - `hearth-search.<userId>` ({@link SearchDb}): the sealed search index and its key.
 *
 * A database's version is the number of its upgrade steps. To change a schema, append a step
 * (never edit or remove one): a database at version N runs steps N+1… in order, inside the upgrade
 * transaction, so the stores and data existing users already have are kept.
 */

/** The message database (`hearth.<userId>`). */
export interface MessagesDb extends DBSchema {
  messages: { key: [string, number]; value: StoredMessage; indexes: { messageId: string } };
  /** Per conversation id, the last seq stored. */
  cursors: { key: string; value: number };
  outbox: { key: string; value: OutboxItem };
  /** The app's own values (receipt watermarks, private labels). */
  meta: { key: string; value: unknown };
}

/** The device-secret database (`hearth.keys.<userId>`); values are opaque bytes. */
export interface KeysDb extends DBSchema {
  keys: { key: string; value: Uint8Array };
}

/** The search database (`hearth-search.<userId>`): a `CryptoKey` under `key`, the sealed index under `index`. */
export interface SearchDb extends DBSchema {
  search: { key: string; value: unknown };
}

/** The databases by kind. */
export interface HearthDatabases {
  messages: MessagesDb;
  keys: KeysDb;
  search: SearchDb;
}

/** The kinds of database the app keeps per user. */
export type DatabaseKind = keyof HearthDatabases;

/** One upgrade step: runs inside the upgrade transaction, so it may read and move existing data. */
export type Upgrade<S extends DBSchema> = (
  db: IDBPDatabase<S>,
  tx: IDBPTransaction<S, StoreNames<S>[], "versionchange">,
) => void;

interface DatabaseDefinition<S extends DBSchema> {
  name(userId: string): string;
  /** Step i brings the database from version i to i + 1. */
  upgrades: readonly Upgrade<S>[];
}

const DATABASES: { readonly [K in DatabaseKind]: DatabaseDefinition<HearthDatabases[K]> } = {
  messages: {
    name: (userId) => `hearth.${userId}`,
    upgrades: [
      (db) => {
        const messages = db.createObjectStore("messages", { keyPath: ["conversationId", "seq"] });
        messages.createIndex("messageId", "messageId");
        db.createObjectStore("cursors");
        db.createObjectStore("outbox", { keyPath: "messageId" });
        db.createObjectStore("meta");
      },
    ],
  },
  keys: {
    name: (userId) => `hearth.keys.${userId}`,
    upgrades: [(db) => db.createObjectStore("keys")],
  },
  search: {
    // Not named `hearth.<…>`: tests and tools look for the message store as the one `hearth.`
    // database that is not `hearth.keys.`.
    name: (userId) => `hearth-search.${userId}`,
    upgrades: [(db) => db.createObjectStore("search")],
  },
};

/** The IndexedDB name of one user's database of a kind. */
export function databaseNameOf(kind: DatabaseKind, userId: string): string {
  return DATABASES[kind].name(userId);
}

/** The version the app opens a kind of database at (its number of upgrade steps). */
export function databaseVersion(kind: DatabaseKind): number {
  return DATABASES[kind].upgrades.length;
}

/** What to do when another tab wants this connection gone (a newer version, or a delete at sign-out). */
export interface OpenDatabaseOptions {
  onVersionChange?: () => void;
}

/**
 * Opens (creating or upgrading as needed) one user's database of a kind. Rejects when an older
 * version held open by another tab blocks the upgrade, rather than waiting without end.
 */
export function openDatabase<K extends DatabaseKind>(
  kind: K,
  userId: string,
  options: OpenDatabaseOptions = {},
): Promise<IDBPDatabase<HearthDatabases[K]>> {
  const def: DatabaseDefinition<HearthDatabases[K]> = DATABASES[kind];
  return openVersioned(def.name(userId), def.upgrades, options);
}

/**
 * Opens `name` at version `upgrades.length`, running the steps it has not had yet, in order (a new
 * database runs them all). The opener behind {@link openDatabase}, exported for its tests.
 */
export function openVersioned<S extends DBSchema>(
  name: string,
  upgrades: readonly Upgrade<S>[],
  options: OpenDatabaseOptions = {},
): Promise<IDBPDatabase<S>> {
  const version = upgrades.length;
  return new Promise((resolve, reject) => {
    openDB<S>(name, version, {
      upgrade(db, oldVersion, _newVersion, tx) {
        for (let v = oldVersion; v < version; v++) upgrades[v]?.(db, tx);
      },
      blocked: () => reject(new Error("IndexedDB is blocked by another tab")),
      ...(options.onVersionChange ? { blocking: options.onVersionChange } : {}),
    }).then(resolve, reject);
  });
}

/** Deletes one user's database of a kind; resolves even if blocked (it goes once the last connection closes). */
export function deleteDatabase(kind: DatabaseKind, userId: string): Promise<void> {
  return new Promise((resolve) => {
    deleteDB(databaseNameOf(kind, userId), { blocked: () => resolve() }).then(resolve, () => resolve());
  });
}
