import { type Kysely, type Migration, sql } from "kysely";

/**
 * Migration `0020_at_rest_login_key` (issue 13, encryption at rest): `users.login_key`, what sign-in
 * looks an account up by, unique. It starts as the login itself; when encryption at rest is turned on
 * (`sealInPlace`), the login is encrypted and `login_key` becomes its keyed blind index.
 */
export const atRestLoginKeyMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable("users").addColumn("login_key", "text").execute();
    await sql`update users set login_key = login`.execute(db);
    await db.schema.createIndex("users_by_login_key").on("users").column("login_key").unique().execute();
  },
};
