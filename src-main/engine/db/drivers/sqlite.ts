import type Database from 'better-sqlite3';
import { FoxError, throwIfAborted, toFoxError } from '../../errors.js';
import type { StoreDef } from '../../registry/stores.js';
import { applyMigrations, schemaVersion, type Migration } from '../migrate.js';
import { openSqlite, quoteIdent, type SqliteDb } from '../sqlite.js';
import { Mutex } from './mutex.js';
import type { DriverParams, DriverPing, DriverReadOptions, DriverReadTx, DriverRow, DriverRows, DriverTable, DriverTx, StoreDriver } from './types.js';
import { normalizeCell, normalizeParams, normalizeRow } from './values.js';

/** Why a write was refused on a read-only driver. */
export function readOnlyMessage(store: StoreDef, what: string): string {
  return store.readOnly ? `store ${store.name} is ${store.class}: read-only here, ${what} refused` : `store ${store.name} was opened read-only: ${what} refused`;
}

/** What the sqlite driver opens. */
export interface SqliteDriverOptions {
  store: StoreDef;
  file: string;
  wal: boolean;
  timeoutMs: number;
  migrations: readonly Migration[];
  /** Open read-only even when the store is writable (never creates the file). */
  readOnly?: boolean;
}

/**
 * The sqlite driver: one better-sqlite3 connection (read-only for external stores) behind the
 * async StoreDriver interface. Calls run one at a time; a transaction holds the connection until
 * its function settles, so no other call of this driver lands inside it.
 */
export class SqliteStoreDriver implements StoreDriver {
  readonly driver = 'sqlite' as const;
  readonly dialect = 'sqlite' as const;
  readonly schema = null;
  readonly vectors = false;
  readonly store: StoreDef;
  readonly location: string;
  readonly readOnly: boolean;
  private db: SqliteDb | null;
  private readonly subject: string;
  private readonly lock = new Mutex();

  constructor(private readonly opts: SqliteDriverOptions) {
    this.store = opts.store;
    this.location = opts.file;
    this.readOnly = opts.store.readOnly || opts.readOnly === true;
    this.subject = `store ${opts.store.name} (${opts.file})`;
    this.db = openSqlite(opts.file, { readonly: this.readOnly, wal: opts.wal, timeoutMs: opts.timeoutMs, subject: this.subject });
  }

  private conn(): SqliteDb {
    if (!this.db) throw new FoxError('UNAVAILABLE', `${this.subject} is closed`, { subject: `store ${this.store.name}` });
    return this.db;
  }

  private refuseWrite(what: string): void {
    if (this.readOnly) throw new FoxError('UNSUPPORTED', readOnlyMessage(this.store, what), { subject: `store ${this.store.name}` });
  }

  private fail(err: unknown): FoxError {
    return toFoxError(err, this.subject, 'INVALID_INPUT');
  }

  private stmt(sql: string): Database.Statement {
    const st = this.conn().prepare(sql);
    if (st.reader) st.safeIntegers(true);
    return st;
  }

  private doQuery<T extends DriverRow>(sql: string, params: DriverParams | undefined): T[] {
    try {
      const st = this.stmt(sql);
      if (!st.reader) {
        this.refuseWrite('writing');
        st.run(...normalizeParams(params));
        return [];
      }
      if (this.readOnly && !st.readonly) this.refuseWrite('writing');
      return (st.all(...normalizeParams(params)) as Record<string, unknown>[]).map((r) => normalizeRow(r) as T);
    } catch (err) {
      throw this.fail(err);
    }
  }

  private doRun(sql: string, params: DriverParams | undefined): { changes: number } {
    this.refuseWrite('writing');
    try {
      const st = this.stmt(sql);
      if (st.reader) {
        st.all(...normalizeParams(params));
        return { changes: this.conn().prepare('SELECT changes() AS n').pluck().get() as number };
      }
      return { changes: st.run(...normalizeParams(params)).changes };
    } catch (err) {
      throw this.fail(err);
    }
  }

  /** @inheritdoc */
  query<T extends DriverRow = DriverRow>(sql: string, params?: DriverParams): Promise<T[]> {
    return this.lock.run(async () => this.doQuery<T>(sql, params));
  }

  /** @inheritdoc */
  run(sql: string, params?: DriverParams): Promise<{ changes: number }> {
    return this.lock.run(async () => this.doRun(sql, params));
  }

  /** @inheritdoc */
  transaction<T>(fn: (tx: DriverTx) => Promise<T>): Promise<T> {
    return this.lock.run(async () => {
      this.refuseWrite('a write transaction');
      const db = this.conn();
      try {
        db.exec('BEGIN IMMEDIATE');
      } catch (err) {
        throw this.fail(err);
      }
      const tx: DriverTx = {
        query: async <R extends DriverRow = DriverRow>(sql: string, params?: DriverParams) => this.doQuery<R>(sql, params),
        run: async (sql, params) => this.doRun(sql, params),
      };
      let out: T;
      try {
        out = await fn(tx);
      } catch (err) {
        // The caller's own error comes back as it was thrown, after the rollback.
        if (db.inTransaction) db.exec('ROLLBACK');
        throw err;
      }
      try {
        db.exec('COMMIT');
      } catch (err) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw this.fail(err);
      }
      return out;
    });
  }

  /** @inheritdoc */
  migrate(): Promise<{ applied: number[]; version: number }> {
    return this.lock.run(async () => {
      this.refuseWrite('migrating');
      return applyMigrations(this.conn(), `store ${this.store.name}`, this.opts.migrations);
    });
  }

  /** @inheritdoc */
  tables(): Promise<DriverTable[]> {
    return this.lock.run(async () => {
      try {
        const db = this.conn();
        const names = db
          .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> 'schema_migrations' ORDER BY name")
          .pluck()
          .all() as string[];
        const out: DriverTable[] = [];
        for (const name of names) {
          // Virtual tables of a module this build lacks cannot be counted: skip them, not the rest.
          try {
            out.push({ name, rows: Number(db.prepare(`SELECT count(*) FROM ${quoteIdent(name)}`).pluck().get()) });
          } catch {
            /* an FTS shadow or foreign virtual table */
          }
        }
        return out;
      } catch (err) {
        throw this.fail(err);
      }
    });
  }

  /** @inheritdoc SQLite's `query_only` refuses every write on this connection until the read ends. */
  read<T>(fn: (tx: DriverReadTx) => Promise<T>, opts: DriverReadOptions = {}): Promise<T> {
    return this.lock.run(async () => {
      throwIfAborted(opts.signal, 'read');
      const db = this.conn();
      const reading = (sql: string): Database.Statement => {
        throwIfAborted(opts.signal, 'query');
        const st = this.stmt(sql);
        if (!st.reader) throw new FoxError('INVALID_INPUT', `${this.subject}: only read-only queries can run here`, { subject: `store ${this.store.name}` });
        return st;
      };
      const tx: DriverReadTx = {
        query: async <R extends DriverRow = DriverRow>(sql: string, params?: DriverParams) => {
          try {
            return (reading(sql).all(...normalizeParams(params)) as Record<string, unknown>[]).map((r) => normalizeRow(r) as R);
          } catch (err) {
            throw this.fail(err);
          }
        },
        rows: async (sql, params, limit): Promise<DriverRows> => {
          try {
            const st = reading(sql).raw(true);
            const rows: unknown[][] = [];
            let truncated = false;
            for (const r of st.iterate(...normalizeParams(params)) as Iterable<unknown[]>) {
              if (rows.length >= limit) {
                truncated = true;
                break;
              }
              rows.push(r.map(normalizeCell));
            }
            return { columns: st.columns().map((c) => c.name), rows, truncated };
          } catch (err) {
            throw this.fail(err);
          }
        },
      };
      db.pragma('query_only = ON');
      try {
        db.exec('BEGIN');
        return await fn(tx);
      } finally {
        if (db.inTransaction) db.exec('ROLLBACK');
        db.pragma('query_only = OFF');
      }
    });
  }

  /** @inheritdoc */
  ping(): Promise<DriverPing> {
    return this.lock.run(async () => {
      const t0 = performance.now();
      try {
        const v = this.conn().prepare('SELECT sqlite_version()').pluck().get() as string;
        return { latencyMs: performance.now() - t0, version: `SQLite ${v}` };
      } catch (err) {
        throw this.fail(err);
      }
    });
  }

  /** The highest applied migration, or null (no schema_migrations). */
  version(): Promise<number | null> {
    return this.lock.run(async () => schemaVersion(this.conn()));
  }

  /** @inheritdoc */
  close(): Promise<void> {
    return this.lock.run(async () => {
      this.db?.close();
      this.db = null;
    });
  }
}
