import { FoxError, isFoxError, type OpOptions } from '../../errors.js';
import { MAX_QUERY_LIMIT, DEFAULT_QUERY_TIMEOUT_MS, type QueryCell, type QueryResult } from '../query/run-query.js';
import type { RowSink } from '../export/rows-format.js';
import type { CheckOptions, CheckResult } from './check.js';
import type { DbInfo } from './info.js';
import type { SchemaObject } from './schema.js';
import type { TableInfo, TablesOptions } from './tables.js';

/** Options of a page of the table browser. */
export interface BrowseOptions extends OpOptions {
  limit?: number;
  offset?: number;
  timeoutMs?: number;
}

/** Options of a console query on a store's driver. */
export interface DriverQueryOptions extends OpOptions {
  params?: readonly unknown[] | Readonly<Record<string, unknown>>;
  limit?: number;
  timeoutMs?: number;
}

/**
 * Read-only inspection of one store, whatever its driver: the same calls and result shapes as the
 * SQLite inspector (DbInfo, TableInfo, SchemaObject, QueryResult, CheckResult), so `foxctl db`,
 * `--json` and the Stores view do not care where the store lives.
 */
export interface StoreInspection {
  readonly driver: string;
  /** How errors name it: `store MEMORY (postgres://u:****@h/db (schema memory))`. */
  readonly subject: string;
  info(opts?: OpOptions): Promise<DbInfo>;
  tables(opts?: TablesOptions): Promise<TableInfo[]>;
  schema(opts?: OpOptions): Promise<SchemaObject[]>;
  /** A page of one table in a stable order (rowid / primary key). */
  browse(table: string, opts?: BrowseOptions): Promise<QueryResult>;
  /** One read-only statement, row-capped and time-limited. */
  query(sql: string, opts?: DriverQueryOptions): Promise<QueryResult>;
  check(opts?: CheckOptions): Promise<CheckResult>;
  /**
   * Every row of one read-only statement, whole values, into `sink` page by page (one snapshot,
   * no time limit: the signal stops it). Absent where the driver cannot export (UNSUPPORTED).
   */
  streamRows?(sql: string, sink: RowSink, opts?: OpOptions): Promise<void>;
}

/** Rows a table's count goes up to while the count budget lasts, and after it: then it says "N+". */
export const COUNT_CAP = 1_000_000;
/** The count cap once the budget is spent. */
export const COUNT_CAP_LATE = 50_000;

/** A driver's cell as the query result carries it: JSON-safe, as the SQLite query child makes it. */
export function toQueryCell(v: unknown): QueryCell {
  // The common kinds first: this runs for every cell of every page.
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') {
    // Exact below 2^53 in magnitude; beyond, Number() rounds to a value that is not a safe integer.
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : v.toString();
  }
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Buffer.isBuffer(v)) return { $blob: v.length, hex: v.subarray(0, 32).toString('hex') };
  if (v instanceof Uint8Array) return toQueryCell(Buffer.from(v.buffer, v.byteOffset, v.byteLength));
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? String(v) : v.toISOString();
  return JSON.stringify(v);
}

/** Checks a query's limit and time limit as the SQLite path does; returns them with defaults. */
export function queryBounds(opts: { limit?: number; timeoutMs?: number }, subject: string, defaultLimit = 1000): { limit: number; timeoutMs: number } {
  const limit = opts.limit ?? defaultLimit;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_QUERY_LIMIT) {
    throw new FoxError('INVALID_INPUT', `limit must be a whole number from 1 to ${MAX_QUERY_LIMIT} (got ${limit})`, { subject });
  }
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0) throw new FoxError('INVALID_INPUT', `timeout must be a positive duration or 0 for none (got ${timeoutMs})`, { subject });
  return { limit, timeoutMs };
}

/** Positional parameters only: named ones are a SQLite binding feature. */
export function positionalParams(params: DriverQueryOptions['params'], subject: string): readonly unknown[] {
  if (params === undefined) return [];
  if (Array.isArray(params)) return params;
  throw new FoxError('INVALID_INPUT', `${subject}: named parameters work on SQLite files only; write ? and pass the values in order`, { subject });
}

/** The message of a query refused because it is not read-only (the same words as on SQLite). */
export function notReadOnly(subject: string, why: string): FoxError {
  return new FoxError('INVALID_INPUT', `${subject}: only read-only queries can run here (SELECT, WITH, VALUES, EXPLAIN, SHOW); ${why}`, { subject });
}

/** A driver's time-limit error in the SQLite path's words (raise it with --timeout). */
export function timeLimitError(err: unknown, subject: string, timeoutMs: number): unknown {
  if (isFoxError(err, 'CANCELED') && /statement timeout|time limit/i.test(err.message)) {
    return new FoxError('CANCELED', `${subject}: query interrupted: it ran longer than its ${timeoutMs} ms time limit (raise it with --timeout)`, { subject });
  }
  return err;
}

/** A page's bounds, checked. */
export function pageBounds(opts: BrowseOptions, subject: string): { limit: number; offset: number } {
  const offset = opts.offset ?? 0;
  const limit = opts.limit ?? 100;
  if (!Number.isInteger(offset) || offset < 0) throw new FoxError('INVALID_INPUT', `offset must be a whole number (got ${offset})`, { subject });
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_QUERY_LIMIT) throw new FoxError('INVALID_INPUT', `limit must be a whole number from 1 to ${MAX_QUERY_LIMIT} (got ${limit})`, { subject });
  return { limit, offset };
}

/** SQLite's schema order: tables (each with its indexes, then triggers), then views; by byte order. */
export function sortSchema(objects: SchemaObject[]): SchemaObject[] {
  const rank = (t: SchemaObject['type']): number => (t === 'table' ? 0 : t === 'index' ? 1 : 2);
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return objects.sort((a, b) => Number(a.type === 'view') - Number(b.type === 'view') || cmp(a.table, b.table) || rank(a.type) - rank(b.type) || cmp(a.name, b.name));
}
