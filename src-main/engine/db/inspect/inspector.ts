import fs from 'node:fs';
import type { FoxConfig } from '../../config/resolve.js';
import { FoxError, throwIfAborted, type OpOptions } from '../../errors.js';
import type { StorePathOptions } from '../../registry/paths.js';
import { QueryHost } from '../query/query-host.js';
import { DEFAULT_QUERY_TIMEOUT_MS, MAX_QUERY_LIMIT, runReadOnlyQuery, type QueryOptions, type QueryResult } from '../query/run-query.js';
import { quoteIdent } from '../sqlite.js';
import { dbCheck, type CheckOptions, type CheckResult } from './check.js';
import { dbInfo, type DbInfo } from './info.js';
import { withReadOnly } from './read.js';
import { filteredPage, filteredSelect, isFiltered, type PageFilter } from './filtered-page.js';
import { exportRows, type RowsExportFormat, type RowsExportOptions, type RowStream } from '../export/rows-format.js';
import { sqliteRowStream } from '../export/sqlite-rows.js';
import { assertExportable } from './postgres-inspection.js';
import { assertReadOnlyQuery } from '../query/run-query.js';
import { assertSqliteFile } from '../sqlite.js';
import { dbSchema, type SchemaObject } from './schema.js';
import { dbTables, type TableInfo, type TablesOptions } from './tables.js';
import { openInspection, remoteStoreOf } from './open-inspection.js';
import { IN_PROCESS_MAX_LIMIT, PageReader, pageFitsInProcess } from './page-reader.js';
import { pageBounds, type StoreInspection } from './store-inspection.js';
import { fileExists, resolveDbTarget, type DbTarget } from './target.js';

/** Resolutions kept (one per store, key or file browsed): past this the memo starts again. */
const MAX_PLACES = 256;

/** The key of a target's resolution: the text as given, the key or repo, and the directory relative paths start from. */
function placeKey(target: string, opts: TargetOptions): string {
  return `${target}\0${opts.repo ?? ''}\0${opts.key ?? ''}\0${opts.cwd ?? process.cwd()}`;
}

/** Whether a page is one PageReader.page reads on this thread, with valid bounds (the full path checks and names bad ones). */
function isBoundedPage(opts: { limit?: number; offset?: number }): boolean {
  const offset = opts.offset ?? 0;
  const limit = opts.limit ?? 100;
  return Number.isInteger(offset) && offset >= 0 && Number.isInteger(limit) && limit >= 1 && pageFitsInProcess(limit, offset);
}

/** Time limit of a sorted or filtered page (a sort of a big table without an index reads it all). */
const DEFAULT_BROWSE_TIMEOUT_MS = 30_000;

/** What an export reads: a table in the browser's sort and filter, or a console statement's whole result. */
export type ExportWhat = ({ table: string } & PageFilter) | { sql: string };

/** An export checked and ready: its statement, and a run that writes every row in a format. */
export interface ExportPlan {
  subject: string;
  /** The statement it reads (the table browser's SELECT without its bounds, or the console's). */
  sql: string;
  run(format: RowsExportFormat, write: (text: string) => Promise<void> | void, opts?: RowsExportOptions): Promise<{ rows: number; columns: string[] }>;
}

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
  /** Cached read-only connections for the table browser's bounded pages (read on this thread). */
  private readonly pages = new PageReader();

  /** Open drivers of stores on remote drivers (turso, libsql, postgres), by store name: a pool is reused across calls. */
  private readonly remotes = new Map<string, Promise<{ inspection: StoreInspection; close(): Promise<void> }>>();

  /**
   * Where SQLite targets browsed before resolved (store name, key, cwd → file): the config is
   * fixed for the inspector's life, so a page after the first costs a stat of the file, not a
   * resolution. A target on a remote driver never lands here.
   */
  private readonly places = new Map<string, DbTarget>();
  /** The same for targets on a remote driver: their open inspection (kept until close()). */
  private readonly remotePlaces = new Map<string, StoreInspection>();

  constructor(private readonly config: FoxConfig) {}

  /**
   * The driver inspection of a target that names a store on a driver other than sqlite, or null
   * (a SQLite file: the file-based path below). Opened read-only once and kept until close().
   */
  private async remote(target: string, opts: TargetOptions): Promise<StoreInspection | null> {
    if (this.closing.signal.aborted) throw new FoxError('CANCELED', 'the engine is closing');
    const store = remoteStoreOf(this.config, target, opts);
    if (store === null) return null;
    let entry = this.remotes.get(store.name);
    if (!entry) {
      entry = openInspection(this.config, store, this.host);
      this.remotes.set(store.name, entry);
      // A failed open (bad settings) is not kept: the next call tries again.
      entry.catch(() => this.remotes.delete(store.name));
    }
    return (await entry).inspection;
  }

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
    const r = await this.remote(target, opts);
    if (r) return r.info({ signal: this.signal(opts) });
    return dbInfo(this.resolve(target, opts), opts);
  }

  /** Tables with row counts bounded in time. */
  async tables(target: string, opts: TargetOptions & TablesOptions = {}): Promise<TableInfo[]> {
    const r = await this.remote(target, opts);
    if (r) return r.tables({ ...opts, signal: this.signal(opts) });
    return dbTables(this.resolve(target, opts), { ...opts, signal: this.signal(opts) });
  }

  /** The CREATE statements. */
  async schema(target: string, opts: TargetOptions & OpOptions = {}): Promise<SchemaObject[]> {
    const r = await this.remote(target, opts);
    if (r) return r.schema({ signal: this.signal(opts) });
    return dbSchema(this.resolve(target, opts), opts);
  }

  /** One read-only statement, row-capped and time-limited. */
  async query(target: string, sql: string, opts: TargetOptions & QueryOptions = {}): Promise<QueryResult> {
    const r = await this.remote(target, opts);
    if (r) {
      const { params, limit, timeoutMs } = opts;
      return r.query(sql, { signal: this.signal(opts), ...(params !== undefined ? { params } : {}), ...(limit !== undefined ? { limit } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
    }
    // Refused before the file is even looked at when every query process is taken: a burst stays cheap.
    this.host.assertCapacity(target);
    const t = this.resolve(target, opts);
    return runReadOnlyQuery(t.file, sql, { busyTimeoutMs: t.busyTimeoutMs, ...opts, subject: t.subject, signal: this.signal(opts), host: this.host });
  }

  /**
   * A page of one table's rows in rowid order where it has one (the table browser); sorted by a
   * column and/or filtered by a WHERE expression when asked, as a console query (filtered-page.ts),
   * with the statement it ran.
   */
  async browse(target: string, table: string, opts: TargetOptions & OpOptions & PageFilter & { limit?: number; offset?: number; timeoutMs?: number } = {}): Promise<QueryResult & { sql?: string }> {
    // The next page of a SQLite file browsed before: only the file is looked at again (a stat).
    const key = placeKey(target, opts);
    const known = this.remotePlaces.get(key);
    // The next page of a remote store browsed before: its inspection, without resolving the target again.
    if (known && !isFiltered(opts) && !this.closing.signal.aborted) {
      return known.browse(table, { limit: opts.limit, offset: opts.offset, timeoutMs: opts.timeoutMs, signal: this.signal(opts) });
    }
    const place = this.places.get(key);
    if (place && !isFiltered(opts) && isBoundedPage(opts) && !this.signal(opts).aborted) {
      const st = fs.statSync(place.file, { throwIfNoEntry: false });
      // Gone or no longer a file: the full path below says what is wrong.
      if (st?.isFile()) return this.pages.page(place, table, opts.limit ?? 100, opts.offset ?? 0, `${st.dev}:${st.ino}`);
      this.places.delete(key);
    }
    const r = await this.remote(target, opts);
    if (r) {
      if (this.remotePlaces.size >= MAX_PLACES) this.remotePlaces.clear();
      this.remotePlaces.set(key, r);
    }
    if (isFiltered(opts)) {
      const subject = r ? r.subject : this.resolve(target, opts).subject;
      const { limit, offset } = pageBounds(opts, subject);
      const timeoutMs = opts.timeoutMs ?? DEFAULT_BROWSE_TIMEOUT_MS;
      const { cwd, repo, key } = opts;
      const at = { ...(cwd !== undefined ? { cwd } : {}), ...(repo !== undefined ? { repo } : {}), ...(key !== undefined ? { key } : {}) };
      return filteredPage(r?.driver === 'postgres' ? 'postgres' : 'sqlite', table, opts, { limit, offset, timeoutMs, signal: this.signal(opts) }, (sql, q) => this.query(target, sql, { ...at, ...q }), subject);
    }
    // The page's own keys, no spread of the caller's object (one shape down the driver's hot path).
    if (r) return r.browse(table, { limit: opts.limit, offset: opts.offset, timeoutMs: opts.timeoutMs, signal: this.signal(opts) });
    // Existence only: the page reader's connection opens the file through SQLite (the deep path probes below).
    let id = '';
    const near = resolveDbTarget(this.config, target, opts, fileExists((st) => (id = `${st.dev}:${st.ino}`)));
    if (this.places.size >= MAX_PLACES) this.places.clear();
    this.places.set(placeKey(target, opts), near);
    const offset = opts.offset ?? 0;
    const limit = opts.limit ?? 100;
    if (!Number.isInteger(offset) || offset < 0) throw new FoxError('INVALID_INPUT', `offset must be a whole number (got ${offset})`, { subject: near.subject });
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_QUERY_LIMIT) throw new FoxError('INVALID_INPUT', `limit must be a whole number from 1 to ${MAX_QUERY_LIMIT} (got ${limit})`, { subject: near.subject });
    throwIfAborted(this.signal(opts), 'browse');
    // A bounded page (a short walk over at most IN_PROCESS_MAX_OFFSET rows) costs less here than the hop to a child.
    if (pageFitsInProcess(limit, offset)) return this.pages.page(near, table, limit, offset, id);
    // Deeper, by rowid: walked here in chunks of a few ms between which the studio serves the window.
    if (limit <= IN_PROCESS_MAX_LIMIT) {
      const walked = await this.pages.walk(near, table, limit, offset, id, { signal: this.signal(opts), timeoutMs: opts.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS });
      if (walked) return walked;
    }
    this.host.assertCapacity(target);
    const t = this.resolve(target, opts);
    const found = withReadOnly(t, (db) => db.prepare("SELECT type, wr FROM pragma_table_list WHERE schema = 'main' AND name = ?").get(table)) as
      | { type: string; wr: number }
      | undefined;
    if (!found) throw new FoxError('NOT_FOUND', `${t.subject} has no table or view named "${table}"`, { subject: t.subject });
    const order = found.type === 'table' && found.wr === 0 ? ' ORDER BY rowid' : '';
    return runReadOnlyQuery(t.file, `SELECT * FROM ${quoteIdent(table)}${order} LIMIT ? OFFSET ?`, {
      params: [limit, offset],
      limit,
      timeoutMs: opts.timeoutMs,
      busyTimeoutMs: t.busyTimeoutMs,
      subject: t.subject,
      signal: this.signal(opts),
      host: this.host,
      // Our own SELECT on a file just read through SQLite (the table lookup above).
      engineStatement: true,
    });
  }

  /**
   * Plans an export of a table (its sort and filter, as browse reads it) or of a console query,
   * checked now: an unknown table or column, a bad filter, a syntax error or a statement that
   * writes fails here, before a file or a download exists. Runs read whole values, a page at a
   * time, from one snapshot (rows-format.ts): a query child on SQLite, a cursor in a READ ONLY
   * transaction on PostgreSQL. Other drivers are UNSUPPORTED.
   */
  async planExport(target: string, what: ExportWhat, opts: TargetOptions & OpOptions = {}): Promise<ExportPlan> {
    const r = await this.remote(target, opts);
    const { cwd, repo, key } = opts;
    const at = { ...(cwd !== undefined ? { cwd } : {}), ...(repo !== undefined ? { repo } : {}), ...(key !== undefined ? { key } : {}) };
    const signal = this.signal(opts);
    if (r && !r.streamRows) throw new FoxError('UNSUPPORTED', `${r.subject}: exports read SQLite and PostgreSQL stores; the ${r.driver} driver cannot export yet`, { subject: r.subject });
    const t = r ? null : this.resolve(target, opts);
    const subject = r ? r.subject : (t as DbTarget).subject;
    const sql =
      'sql' in what
        ? what.sql
        : await filteredSelect(r?.driver === 'postgres' ? 'postgres' : 'sqlite', what.table, what, (q, o) => this.query(target, q, { ...at, timeoutMs: DEFAULT_BROWSE_TIMEOUT_MS, signal, ...o }), subject);
    if (sql.trim().length === 0) throw new FoxError('INVALID_INPUT', 'the SQL statement is empty', { subject });
    let stream: RowStream;
    if (r) {
      if (r.driver === 'postgres') {
        assertExportable(sql, subject);
        // EXPLAIN plans without running: a syntax error or a missing table is named now.
        await this.query(target, `EXPLAIN ${sql}`, { ...at, signal, timeoutMs: DEFAULT_BROWSE_TIMEOUT_MS });
      }
      const inspection = r as Required<StoreInspection>;
      stream = (sink, o) => inspection.streamRows(sql, sink, o);
    } else {
      const file = t as DbTarget;
      if (!assertSqliteFile(file.file, file.subject)) throw new FoxError('NOT_FOUND', `${file.file} does not exist`, { subject });
      assertReadOnlyQuery(file.file, sql, subject, file.busyTimeoutMs);
      stream = sqliteRowStream(file.file, sql, { subject, busyTimeoutMs: file.busyTimeoutMs });
    }
    return {
      subject,
      sql,
      run: (format, write, o = {}) => exportRows(stream, format, write, { ...o, signal: o.signal ? AbortSignal.any([o.signal, this.closing.signal]) : this.closing.signal }),
    };
  }

  /** PRAGMA integrity_check (or quick_check). */
  async check(target: string, opts: TargetOptions & CheckOptions = {}): Promise<CheckResult> {
    const r = await this.remote(target, opts);
    if (r) return r.check({ ...opts, signal: this.signal(opts) });
    return dbCheck(this.resolve(target, opts), { ...opts, signal: this.signal(opts), host: this.host });
  }

  /** Kills queries still running and closes the remote stores' drivers (engine shutdown). */
  async close(): Promise<void> {
    this.closing.abort(new FoxError('CANCELED', 'the engine is closing'));
    this.host.close();
    this.pages.close();
    const open = [...this.remotes.values()];
    this.remotes.clear();
    this.remotePlaces.clear();
    await Promise.all(open.map((p) => p.then((e) => e.close(), () => undefined).catch(() => undefined)));
  }
}
