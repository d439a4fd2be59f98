import { FoxError } from '../../errors.js';
import type { QueryOptions, QueryResult } from '../query/run-query.js';
import { quoteIdent } from '../sqlite.js';

/** A sort and a filter of the table browser (Beekeeper's header click and WHERE box). */
export interface PageFilter {
  /** Sorted by this column, ascending unless `desc`; the table's own order breaks ties. */
  sort?: { column: string; desc?: boolean | undefined } | undefined;
  /** An SQL expression rows must match (what follows WHERE), as in the SQL console. */
  where?: string | undefined;
}

/** The longest WHERE expression taken. */
export const MAX_WHERE_CHARS = 10_000;

/** Whether a page is sorted or filtered (else the plain page path serves it). */
export function isFiltered(f: PageFilter): boolean {
  return f.sort !== undefined || (f.where ?? '').trim().length > 0;
}

/** A console query on the page's store: the time-limited, read-only path the SQL console takes. */
export type ConsoleQuery = (sql: string, opts: QueryOptions & { params?: unknown[] }) => Promise<QueryResult>;

/**
 * The order that breaks ties of a sort, so that pages do not overlap or skip rows: SQLite's rowid
 * where the table has one, PostgreSQL's primary key (else ctid); nothing for a view. Asked through
 * the console path, like the page itself.
 */
async function tieBreak(dialect: 'sqlite' | 'postgres', table: string, query: ConsoleQuery, subject: string): Promise<string[]> {
  if (dialect === 'sqlite') {
    const res = await query("SELECT type, wr FROM pragma_table_list WHERE schema = 'main' AND name = ?", { params: [table], limit: 1 });
    const row = res.rows[0];
    if (!row) throw new FoxError('NOT_FOUND', `${subject} has no table or view named "${table}"`, { subject });
    return row[0] === 'table' && Number(row[1]) === 0 ? ['rowid'] : [];
  }
  const rel = await query(
    "SELECT c.oid::int8, c.relkind::text FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ? AND c.relkind IN ('r', 'p', 'v', 'm', 'f')",
    { params: [table], limit: 1 },
  );
  const found = rel.rows[0];
  if (!found) throw new FoxError('NOT_FOUND', `${subject} has no table or view named "${table}"`, { subject });
  const pk = await query(
    `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
      WHERE i.indrelid = ?::int8::oid AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)`,
    { params: [found[0]], limit: 100 },
  );
  if (pk.rows.length > 0) return pk.rows.map((r) => quoteIdent(String(r[0])));
  return found[1] === 'r' || found[1] === 'm' ? ['ctid'] : [];
}

/**
 * A sorted and/or filtered page of a table, run as a console query: the WHERE is the user's SQL,
 * so it goes where the console's statements go (a query child or a READ ONLY transaction, with
 * the time limit and Cancel), never onto the engine's own thread. The expression stands on lines
 * of its own inside parentheses, so a `--` comment in it ends with its line; a second statement
 * is refused as in the console. The sort column must be one of the table's.
 */
export async function filteredPage(
  dialect: 'sqlite' | 'postgres',
  table: string,
  filter: PageFilter,
  page: { limit: number; offset: number; timeoutMs?: number | undefined; signal?: AbortSignal | undefined },
  query: ConsoleQuery,
  subject: string,
): Promise<QueryResult & { sql: string }> {
  const where = (filter.where ?? '').trim();
  if (where.length > MAX_WHERE_CHARS) throw new FoxError('INVALID_INPUT', `the filter is ${where.length} characters long; at most ${MAX_WHERE_CHARS} are taken`, { subject });
  const base = { ...(page.timeoutMs !== undefined ? { timeoutMs: page.timeoutMs } : {}), ...(page.signal ? { signal: page.signal } : {}) };
  const ask: ConsoleQuery = (sql, opts) => query(sql, { ...base, ...opts });
  const by: string[] = [];
  if (filter.sort) {
    const column = filter.sort.column;
    // A quoted name that is no column is a string constant to SQLite: the sort would silently do nothing.
    const { columns } = await ask(`SELECT * FROM ${quoteIdent(table)} LIMIT 0`, { limit: 1 });
    if (!columns.includes(column)) {
      throw new FoxError('INVALID_INPUT', `${subject}: "${table}" has no column "${column}" to sort by (its columns: ${columns.join(', ')})`, { subject });
    }
    // NULLs first going up and last going down, on every driver (SQLite's order; PostgreSQL's is the reverse).
    by.push(`${quoteIdent(column)} ${filter.sort.desc ? 'DESC NULLS LAST' : 'ASC NULLS FIRST'}`);
  }
  by.push(...(await tieBreak(dialect, table, ask, subject)).filter((c) => c !== by[0]?.split(' ')[0]));
  const sql = `SELECT * FROM ${quoteIdent(table)}${where ? ` WHERE (\n${where}\n)` : ''}${by.length > 0 ? ` ORDER BY ${by.join(', ')}` : ''} LIMIT ${page.limit} OFFSET ${page.offset}`;
  const res = await ask(sql, { limit: page.limit });
  return { ...res, sql };
}
