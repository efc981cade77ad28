import { sql } from "kysely";
import type { LoginAttemptRecord } from "../../modules/auth/auth-store.ts";
import type { Db } from "./storage-dialect.ts";

/**
 * The failed-sign-in counters, keyed by an HMAC of the login (see `AuthService`): the same queries
 * whether or not an account has that login, so the counter, the lockout and the writes they make
 * never tell who has an account. Same SQL on SQLite and PostgreSQL.
 */
export const loginAttemptQueries = {
  async get(db: Db, key: string): Promise<LoginAttemptRecord | undefined> {
    const r = await db.selectFrom("login_attempts").selectAll().where("key", "=", key).executeTakeFirst();
    return (
      r && { key: r.key, failures: Number(r.failures), lockedUntil: r.locked_until, updatedAt: r.updated_at }
    );
  },

  /**
   * Counts one failure (one statement: N simultaneous failures add N). The failure that reaches
   * `maxFailures` locks the key until `lockUntil` and starts the count again. Rows untouched since
   * `forgetBefore` whose lock (if any) has passed are swept in the same call: unknown logins get a
   * row too, so the table would otherwise grow with every made-up name tried.
   */
  async countFailure(
    db: Db,
    key: string,
    maxFailures: number,
    lockUntil: string,
    at: string,
    forgetBefore: string,
  ): Promise<"counted" | "locked"> {
    await db
      .deleteFrom("login_attempts")
      .where("updated_at", "<", forgetBefore)
      .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<", at)]))
      .execute();
    const row = (
      await sql<{
        failures: number | string;
      }>`insert into login_attempts (key, failures, locked_until, updated_at)
        values (${key}, 1, null, ${at})
        on conflict (key) do update set failures = login_attempts.failures + 1, updated_at = ${at}
        returning failures`.execute(db)
    ).rows[0];
    if (!row || Number(row.failures) < maxFailures) return "counted";
    await db
      .updateTable("login_attempts")
      .set({ failures: 0, locked_until: lockUntil, updated_at: at })
      .where("key", "=", key)
      .execute();
    return "locked";
  },

  /** Forgets the key's failures (a successful sign-in or unlock); a lock in force stays. */
  async clear(db: Db, key: string): Promise<void> {
    await db.updateTable("login_attempts").set({ failures: 0 }).where("key", "=", key).execute();
  },
};
