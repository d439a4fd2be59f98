import type { FoxConfig } from '../../config/resolve.js';
import { FoxError, type OpOptions } from '../../errors.js';
import type { StorePathOptions } from '../../registry/paths.js';
import { QueryHost } from '../query/query-host.js';
import { runReadOnlyQuery, type QueryOptions, type QueryResult } from '../query/run-query.js';
import { quoteIdent } from '../sqlite.js';
import { dbCheck, type CheckOptions, type CheckResult } from './check.js';
import { dbInfo, type DbInfo } from './info.js';
import { withReadOnly } from './read.js';
import { dbSchema, type SchemaObject } from './schema.js';
import { dbTables, type TableInfo, type TablesOptions } from './tables.js';
import { resolveDbTarget, type DbTarget } from './target.js';

/** Which database: a store name or a path, plus the key of a keyed store and the base of relative paths. */
export type TargetOptions = StorePathOptions & { cwd?: string };

/**
 * Read-only inspection of any store or SQLite file: what `foxctl db` and the GUI's table browser
 * and SQL console use. Every call opens, reads and closes (no read transaction outlives it);
 * queries and checks run in a child process that a timeout or the signal kills.
 */
export class DbInspector {
  /** Aborted by close(): every running query and check is killed with it. */
  private readonly closing = new AbortController();
  /** Warm query children of this inspector, killed by close(). */
  private readonly host = new QueryHost();

  constructor(private readonly config: FoxConfig) {}

  /** The caller's signal joined with the inspector's own, so close() stops everything. */
  private signal(opts: OpOptions): AbortSignal {
    return opts.signal ? AbortSignal.any([opts.signal, this.closing.signal]) : this.closing.signal;
  }

  /** Resolves a store name or path to an existing SQLite file. */
  resolve(target: string, opts: TargetOptions = {}): DbTarget {
    return resolveDbTarget(this.config, target, opts);
  }

  /** Size, pages, journal mode, schema version and object counts. */
  async info(target: string, opts: TargetOptions & OpOptions = {}): Promise<DbInfo> {
    return dbInfo(this.resolve(target, opts), opts);
  }

  /** Tables with row counts bounded in time. */
  async tables(target: string, opts: TargetOptions & TablesOptions = {}): Promise<TableInfo[]> {
    return dbTables(this.resolve(target, opts), { ...opts, signal: this.signal(opts) });
  }

  /** The CREATE statements. */
  async schema(target: string, opts: TargetOptions & OpOptions = {}): Promise<SchemaObject[]> {
    return dbSchema(this.resolve(target, opts), opts);
  }

  /** One read-only statement, row-capped and time-limited. */
  async query(target: string, sql: string, opts: TargetOptions & QueryOptions = {}): Promise<QueryResult> {
    // Refused before the file is even looked at when every query process is taken: a burst stays cheap.
    this.host.assertCapacity(target);
    const t = this.resolve(target, opts);
    return runReadOnlyQuery(t.file, sql, { busyTimeoutMs: t.busyTimeoutMs, ...opts, subject: t.subject, signal: this.signal(opts), host: this.host });
  }

  /** A page of one table's rows in rowid order where it has one (the table browser). */
  async browse(target: string, table: string, opts: TargetOptions & OpOptions & { limit?: number; offset?: number; timeoutMs?: number } = {}): Promise<QueryResult> {
    this.host.assertCapacity(target);
    const t = this.resolve(target, opts);
    const offset = opts.offset ?? 0;
    if (!Number.isInteger(offset) || offset < 0) throw new FoxError('INVALID_INPUT', `offset must be a whole number (got ${offset})`, { subject: t.subject });
    const found = withReadOnly(t, (db) => db.prepare("SELECT type, wr FROM pragma_table_list WHERE schema = 'main' AND name = ?").get(table)) as
      | { type: string; wr: number }
      | undefined;
    if (!found) throw new FoxError('NOT_FOUND', `${t.subject} has no table or view named "${table}"`, { subject: t.subject });
    const order = found.type === 'table' && found.wr === 0 ? ' ORDER BY rowid' : '';
    return runReadOnlyQuery(t.file, `SELECT * FROM ${quoteIdent(table)}${order} LIMIT ? OFFSET ?`, {
      params: [opts.limit ?? 100, offset],
      limit: opts.limit ?? 100,
      timeoutMs: opts.timeoutMs,
      busyTimeoutMs: t.busyTimeoutMs,
      subject: t.subject,
      signal: this.signal(opts),
      host: this.host,
    });
  }

  /** PRAGMA integrity_check (or quick_check). */
  async check(target: string, opts: TargetOptions & CheckOptions = {}): Promise<CheckResult> {
    return dbCheck(this.resolve(target, opts), { ...opts, signal: this.signal(opts), host: this.host });
  }

  /** Kills queries still running (engine shutdown). */
  close(): void {
    this.closing.abort(new FoxError('CANCELED', 'the engine is closing'));
    this.host.close();
  }
}
