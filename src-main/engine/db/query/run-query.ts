import fs from 'node:fs';
import { createRequire } from 'node:module';
import { canceled, FoxError, toFoxError, type OpOptions } from '../../errors.js';
import { assertSqliteFile, openSqlite, sqliteNativeBinding } from '../sqlite.js';
import { runQueryInProcess, type InProcessQuery } from './in-process.js';
import { QueryHost } from './query-host.js';
import { formatDuration } from '../../util/duration.js';

/** A value of a result cell: JSON-safe (big integers as strings, BLOBs as a size and a hex preview). */
export type QueryCell = string | number | null | { $blob: number; hex: string };

/** Rows of a read-only query. */
export interface QueryResult {
  columns: string[];
  rows: QueryCell[][];
  /** More rows existed than `limit`. */
  truncated: boolean;
  /** Wall time of the whole call (child start included), in ms. */
  duration_ms: number;
}

/** How to run a read-only query. */
export interface QueryOptions extends OpOptions {
  /** Positional (`?`) or named (`@name`) parameters. */
  params?: readonly unknown[] | Readonly<Record<string, unknown>>;
  /** Row cap (default 1000, at most MAX_QUERY_LIMIT). */
  limit?: number;
  /** Time limit in ms after which the query is killed (default 5000; 0 = none, only the signal). */
  timeoutMs?: number;
  /** SQLite busy timeout in ms (default 5000). */
  busyTimeoutMs?: number;
  /** Human name of the database for errors (default: the path). */
  subject?: string;
  /** The pool of query children to use (default: one shared by the process). */
  host?: QueryHost;
  /**
   * Run on this thread instead of a query child (the CLI: a process start costs more than the
   * query). A query past its time limit then ends the process, see in-process.ts.
   */
  inProcess?: InProcessQuery;
  /**
   * The engine built the statement and has just read the file as SQLite (the table browser):
   * skip the probe and the prepare-here check. The child still refuses anything but a read.
   */
  engineStatement?: boolean;
  /**
   * `libsql`: the file is a local libSQL database, read in the child through the libsql package
   * (query_only, libSQL's read mode, only statements that return rows). The checks here use
   * better-sqlite3, so they are left to the child.
   */
  engine?: 'sqlite' | 'libsql';
}

/** The largest row cap a query accepts. */
export const MAX_QUERY_LIMIT = 100_000;
/** The default time limit of a query, in ms. */
export const DEFAULT_QUERY_TIMEOUT_MS = 5000;
/** Results larger than this are refused rather than buffered (lower the limit). */
const MAX_OUTPUT_BYTES = 128 * 1024 * 1024;

let shared: QueryHost | undefined;

/** The host of callers that bring none (its idle children never keep the process alive). */
function sharedHost(): QueryHost {
  return (shared ??= new QueryHost());
}

const requireHere = createRequire(import.meta.url);

/** The libsql package @libsql/client runs on (its dependency, resolved from it so that both match). */
export function libsqlModulePath(): string {
  return createRequire(requireHere.resolve('@libsql/client')).resolve('libsql');
}

/** Why a prepared statement may not run here, or null when it is a read-only query. Same rule as the child's. */
export function refusalOf(stmt: { readonly: boolean; reader: boolean }): string | null {
  if (stmt.readonly && stmt.reader) return null;
  return (
    'only read-only queries can run here (SELECT, WITH, VALUES, EXPLAIN or a PRAGMA that only reads); ' +
    (stmt.readonly
      ? 'this statement returns no rows (ATTACH, DETACH, BEGIN and PRAGMA settings are refused)'
      : 'this statement would write or change the database')
  );
}

/**
 * Prepares (never runs) the statement on a short read-only connection, so a write, a syntax error
 * or a missing table is refused at once without starting a child. The child checks again.
 */
export function assertReadOnlyQuery(file: string, sql: string, subject: string, busyTimeoutMs: number): void {
  const db = openSqlite(file, { readonly: true, timeoutMs: busyTimeoutMs, subject });
  try {
    let stmt;
    try {
      stmt = db.prepare(sql);
    } catch (err) {
      const e = err as Error;
      if (e.name === 'RangeError') throw new FoxError('INVALID_INPUT', `${subject}: only one statement can run at a time: ${e.message}`, { subject, cause: err });
      if (e.name === 'TypeError') throw new FoxError('INVALID_INPUT', `${subject}: ${e.message}`, { subject, cause: err });
      throw toFoxError(err, subject, 'INVALID_INPUT');
    }
    const why = refusalOf(stmt);
    if (why) throw new FoxError('INVALID_INPUT', `${subject}: ${why}`, { subject });
  } finally {
    db.close();
  }
}

/**
 * Runs one read-only SQL statement against a SQLite file in a (warm) child process and returns at most
 * `limit` rows. Anything that is not a read-only query (INSERT, DROP, ATTACH, PRAGMA writes,
 * BEGIN, ...) is refused with INVALID_INPUT; past `timeoutMs` or on abort the child is SIGKILLed,
 * which harms nothing because its connection is read-only. The file is checked to be SQLite
 * first, so a foreign file is refused untouched.
 */
export async function runReadOnlyQuery(file: string, sql: string, opts: QueryOptions = {}): Promise<QueryResult> {
  const subject = opts.subject ?? file;
  const limit = opts.limit ?? 1000;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_QUERY_LIMIT) {
    throw new FoxError('INVALID_INPUT', `limit must be a whole number from 1 to ${MAX_QUERY_LIMIT} (got ${limit})`, { subject });
  }
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0) {
    throw new FoxError('INVALID_INPUT', `timeout must be a positive duration or 0 for none (got ${timeoutMs})`, { subject });
  }
  if (sql.trim().length === 0) throw new FoxError('INVALID_INPUT', 'the SQL statement is empty', { subject });
  if (opts.signal?.aborted) throw canceled(opts.signal, 'query');
  if (opts.inProcess) {
    const started = Date.now();
    const timeoutError = new FoxError('CANCELED', `${subject}: query interrupted: it ran longer than its ${formatDuration(timeoutMs)} time limit (raise it with --timeout)`, { subject });
    const res = runQueryInProcess(file, sql, { subject, params: opts.params, limit, busyTimeoutMs: opts.busyTimeoutMs ?? 5000, timeoutMs, timeoutError, inProcess: opts.inProcess });
    return { ...res, duration_ms: Date.now() - started };
  }
  const host = opts.host ?? sharedHost();
  host.assertCapacity(subject);
  const libsql = opts.engine === 'libsql';
  if (libsql) {
    // A stat, not an open: libsql would create a missing file.
    if (!fs.existsSync(file)) throw new FoxError('NOT_FOUND', `${file} does not exist`, { subject });
  } else if (!opts.engineStatement) {
    if (!assertSqliteFile(file, subject)) throw new FoxError('NOT_FOUND', `${file} does not exist`, { subject });
    assertReadOnlyQuery(file, sql, subject, opts.busyTimeoutMs ?? 5000);
  }

  const request = JSON.stringify({
    ...(libsql ? { engine: 'libsql', module: libsqlModulePath() } : { module: requireHere.resolve('better-sqlite3'), nativeBinding: sqliteNativeBinding() }),
    file,
    sql,
    params: opts.params,
    limit,
    busyTimeoutMs: opts.busyTimeoutMs ?? 5000,
  });
  const started = Date.now();
  const reply = await host.run(request, { timeoutMs, signal: opts.signal, subject, maxReplyBytes: MAX_OUTPUT_BYTES });
  if (!reply.ok) {
    const message = reply.message ?? 'query failed';
    if (reply.fox) throw new FoxError(reply.fox, `${subject}: ${message}`, { subject });
    throw toFoxError(Object.assign(new Error(message), { code: reply.code }), subject, 'INVALID_INPUT');
  }
  return {
    columns: reply.columns ?? [],
    rows: (reply.rows ?? []) as QueryCell[][],
    truncated: reply.truncated ?? false,
    duration_ms: Date.now() - started,
  };
}
