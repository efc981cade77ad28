import { CompiledQuery, type QueryResult, sql } from "kysely";
import type { Db } from "./storage-dialect.ts";

/**
 * One SQL statement of a hot path, written with `?` for its parameters and compiled by Kysely once
 * per database (each has its own placeholder syntax: `?` on SQLite, `$1` on PostgreSQL), then run
 * through Kysely with fresh parameters. A `sql` template builds and compiles a query tree on every
 * call, which costs more CPU than SQLite takes to run these statements (bench/messaging.ts profile,
 * docs/benchmarks.md).
 *
 * @example
 * const bump = new HotStatement<{ last_seq: number }>("update conversations set last_seq = last_seq + 1 where id = ? returning last_seq");
 * const { rows } = await bump.run(db, [conversationId]);
 */
export class HotStatement<R> {
  /** The SQL as written, with `?` placeholders (as SQLite takes it; see `SyncBatch`). */
  readonly text: string;
  readonly #parts: readonly string[];
  /** The compiled text per database adapter (a database and its transactions share one). */
  readonly #text = new WeakMap<object, string>();

  constructor(text: string) {
    this.text = text;
    this.#parts = text.split("?");
  }

  /**
   * Runs the statement on `db` (a connection or a transaction) with one value per `?`, in order.
   * `parameters` is handed to Kysely, which freezes it: pass a fresh array.
   */
  run(db: Db, parameters: unknown[]): Promise<QueryResult<R>> {
    if (parameters.length !== this.#parts.length - 1) {
      throw new RangeError(`expected ${this.#parts.length - 1} parameters, got ${parameters.length}`);
    }
    const adapter = db.getExecutor().adapter;
    let text = this.#text.get(adapter);
    if (text === undefined) {
      const strings = Object.assign([...this.#parts], { raw: [...this.#parts] });
      text = sql(strings as unknown as TemplateStringsArray, ...parameters).compile(db).sql;
      this.#text.set(adapter, text);
    }
    return db.executeQuery<R>(CompiledQuery.raw(text, parameters));
  }
}
