import { type Kysely, sql } from "kysely";
import type { Db, StorageDialect } from "../kysely/storage-dialect.ts";
import type { Database } from "../schema.ts";
import type { FieldCodec, SealedField } from "./field-codec.ts";

/** The `meta` row that says the database is encrypted at rest, holding a sealed check value. */
export const AT_REST_META_KEY = "at_rest";
const CHECK_VALUE = "hearth-at-rest-check";

/** Each table with sealed fields: the primary key that binds them, and those fields' columns. */
const SEALED_TABLES: readonly { table: string; id: string; columns: readonly string[] }[] = [
  { table: "practices", id: "id", columns: ["name"] },
  { table: "users", id: "id", columns: ["login", "display_name", "email"] },
  { table: "devices", id: "id", columns: ["name"] },
  { table: "notify_settings", id: "user_id", columns: ["email"] },
  { table: "push_subscriptions", id: "device_id", columns: ["endpoint", "p256dh", "auth"] },
];

/** Thrown when the database and the configured key do not go together; the server must not start. */
export class AtRestKeyError extends Error {
  override readonly name = "AtRestKeyError";
}

/**
 * Brings the database in line with the codec when a storage opens, after the migrations:
 *
 * - encryption on, database plaintext (no `meta.at_rest` row): every sealed field of every row is
 *   encrypted in place and `users.login_key` rewritten as the blind index, in one transaction, and the
 *   check value stored; on SQLite the WAL is then checkpointed and truncated so no plaintext page
 *   version stays on disk (`secure_delete` zeroes the freed cells).
 * - encryption on, database encrypted: the check value must open with the key, else
 *   {@link AtRestKeyError} (a wrong key would make every name unreadable, and new rows unreadable
 *   under the right one).
 * - encryption off, database encrypted: {@link AtRestKeyError}; turning it off is not supported yet.
 *
 * Several nodes starting at once on PostgreSQL take turns (the dialect's lock); the later ones find
 * the check value and only verify it.
 */
export async function sealInPlace(db: Kysely<Database>, codec: FieldCodec, dialect: StorageDialect) {
  const marker = await readMarker(db);
  if (marker !== undefined || !codec.encrypted) {
    verifyMarker(codec, marker);
    return;
  }
  await db.transaction().execute(async (trx) => {
    await dialect.lockSchemaChange(trx);
    const again = await readMarker(trx);
    if (again !== undefined) {
      verifyMarker(codec, again);
      return;
    }
    for (const { table, id, columns } of SEALED_TABLES) {
      const rows = await sql<Record<string, string | null>>`select ${sql.ref(id)} as row_id, ${sql.join(
        columns.map((c) => sql.ref(c)),
      )} from ${sql.table(table)}`.execute(trx);
      for (const row of rows.rows) {
        const rowId = String(row.row_id);
        const sets = columns.map((c) => {
          const v = row[c];
          const sealed =
            v === null || v === undefined ? null : codec.seal(`${table}.${c}` as SealedField, rowId, v);
          return sql`${sql.ref(c)} = ${sealed}`;
        });
        if (table === "users") sets.push(sql`login_key = ${codec.loginKey(String(row.login))}`);
        await sql`update ${sql.table(table)} set ${sql.join(sets)} where ${sql.ref(id)} = ${rowId}`.execute(
          trx,
        );
      }
    }
    await trx
      .insertInto("meta")
      .values({ key: AT_REST_META_KEY, value: codec.seal("meta.value", AT_REST_META_KEY, CHECK_VALUE) })
      .execute();
  });
  // The plaintext page versions in SQLite's WAL leave the disk now, not at the next checkpoint.
  await dialect.afterErase(db);
}

async function readMarker(db: Db) {
  const r = await db
    .selectFrom("meta")
    .select("value")
    .where("key", "=", AT_REST_META_KEY)
    .executeTakeFirst();
  return r?.value;
}

function verifyMarker(codec: FieldCodec, marker: string | undefined) {
  if (marker === undefined) return;
  if (!codec.encrypted) {
    throw new AtRestKeyError(
      "the database is encrypted at rest, but no at-rest key is configured: set HEARTH_AT_REST_KEY or put its key file at <data dir>/at-rest.key (docs/operations.md, Encryption at rest)",
    );
  }
  let check: string | undefined;
  try {
    check = codec.open("meta.value", AT_REST_META_KEY, marker);
  } catch {
    check = undefined;
  }
  if (check !== CHECK_VALUE) {
    throw new AtRestKeyError(
      "the configured at-rest key is not the one this database was encrypted with; the server will not start with it",
    );
  }
}
