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

/** What a sorted page needs to know of its table: its columns, and the order that breaks ties. */
interface TableShape {
  columns: string[];
  /** SQLite's rowid where the table has one, PostgreSQL's primary key (else ctid); nothing for a view. */
  tie: string[];
}

/**
 * The table's columns and tie-break order, in one console query (the path the page takes too),
 * so that pages neither overlap nor skip rows. NOT_FOUND when there is no such table or view.
 */
async function tableShape(dialect: 'sqlite' | 'postgres', table: string, query: ConsoleQuery, subject: string): Promise<TableShape> {
  const res =
    dialect === 'sqlite'
      ? await query(
          // The columns SELECT * returns: not a virtual table's hidden ones (hidden = 1).
          `SELECT l.type = 'table' AND l.wr = 0, (SELECT json_group_array(x.name) FROM pragma_table_xinfo(l.name) x WHERE x.hidden <> 1)
             FROM pragma_table_list l WHERE l.schema = 'main' AND l.name = ?`,
          { params: [table], limit: 1 },
        )
      : await query(
          `SELECT CASE WHEN pk.cols IS NOT NULL THEN 'pk' WHEN c.relkind IN ('r', 'm') THEN 'ctid' ELSE '' END,
                  (SELECT json_agg(a.attname ORDER BY a.attnum) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)::text,
                  pk.cols::text
             FROM pg_class c
             LEFT JOIN LATERAL (
               SELECT json_agg(a.attname ORDER BY array_position(i.indkey::int2[], a.attnum)) AS cols
                 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
                WHERE i.indrelid = c.oid AND i.indisprimary
             ) pk ON true
            WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ? AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`,
          { params: [table], limit: 1 },
        );
  const row = res.rows[0];
  if (!row) throw new FoxError('NOT_FOUND', `${subject} has no table or view named "${table}"`, { subject });
  const columns = JSON.parse(String(row[1] ?? '[]')) as string[];
  if (dialect === 'sqlite') return { columns, tie: Number(row[0]) === 1 ? ['rowid'] : [] };
  const tie = row[0] === 'pk' ? (JSON.parse(String(row[2])) as string[]).map(quoteIdent) : row[0] === 'ctid' ? ['ctid'] : [];
  return { columns, tie };
}

/**
 * The SELECT of a table in the browser's sort and filter, without LIMIT: the page adds its bounds,
 * an export reads it all. The expression stands on lines of its own inside parentheses, so a
 * `--` comment in it ends with its line; a second statement is refused as in the console. The
 * sort column must be one of the table's; the table's own order (rowid, primary key) breaks ties.
 * Its shape is read through `query`, the console's path.
 */
export async function filteredSelect(dialect: 'sqlite' | 'postgres', table: string, filter: PageFilter, query: ConsoleQuery, subject: string): Promise<string> {
  const where = (filter.where ?? '').trim();
  if (where.length > MAX_WHERE_CHARS) throw new FoxError('INVALID_INPUT', `the filter is ${where.length} characters long; at most ${MAX_WHERE_CHARS} are taken`, { subject });
  const shape = await tableShape(dialect, table, query, subject);
  const by: string[] = [];
  const sortKey = filter.sort ? quoteIdent(filter.sort.column) : null;
  if (filter.sort && sortKey) {
    const column = filter.sort.column;
    // A quoted name that is no column is a string constant to SQLite: the sort would silently do nothing.
    if (!shape.columns.includes(column)) {
      throw new FoxError('INVALID_INPUT', `${subject}: "${table}" has no column "${column}" to sort by (its columns: ${shape.columns.join(', ')})`, { subject });
    }
    // NULLs first going up and last going down, on every driver (SQLite's order; PostgreSQL's is the reverse).
    by.push(`${sortKey} ${filter.sort.desc ? 'DESC NULLS LAST' : 'ASC NULLS FIRST'}`);
  }
  by.push(...shape.tie.filter((c) => c !== sortKey));
  return `SELECT * FROM ${quoteIdent(table)}${where ? ` WHERE (\n${where}\n)` : ''}${by.length > 0 ? ` ORDER BY ${by.join(', ')}` : ''}`;
}

/**
 * A sorted and/or filtered page of a table, run as a console query: the WHERE is the user's SQL,
 * so it goes where the console's statements go (a query child or a READ ONLY transaction, with
 * the time limit and Cancel), never onto the engine's own thread. Two queries a page: the
 * table's shape, then the page (filteredSelect with its bounds).
 */
export async function filteredPage(
  dialect: 'sqlite' | 'postgres',
  table: string,
  filter: PageFilter,
  page: { limit: number; offset: number; timeoutMs?: number | undefined; signal?: AbortSignal | undefined },
  query: ConsoleQuery,
  subject: string,
): Promise<QueryResult & { sql: string }> {
  const base = { ...(page.timeoutMs !== undefined ? { timeoutMs: page.timeoutMs } : {}), ...(page.signal ? { signal: page.signal } : {}) };
  const ask: ConsoleQuery = (sql, opts) => query(sql, { ...base, ...opts });
  const sql = `${await filteredSelect(dialect, table, filter, ask, subject)} LIMIT ${page.limit} OFFSET ${page.offset}`;
  const res = await ask(sql, { limit: page.limit });
  return { ...res, sql };
}
