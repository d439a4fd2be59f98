import { setImmediate as nextTick } from 'node:timers/promises';
import { throwIfAborted, toFoxError, type OpOptions } from '../../errors.js';
import { openSqlite, quoteIdent, type SqliteDb } from '../sqlite.js';
import type { DbTarget } from './target.js';

/** One table (or view) and its row count. */
export interface TableInfo {
  name: string;
  type: 'table' | 'view' | 'virtual' | 'shadow';
  columns: number;
  without_rowid: boolean;
  /** Rows counted; a lower bound when `rows_exact` is false; null for views (never counted). */
  rows: number | null;
  rows_exact: boolean;
}

/** Options of dbTables. */
export interface TablesOptions extends OpOptions {
  /** Time spent counting rows across all tables before counts become lower bounds (default 2000 ms). */
  countBudgetMs?: number;
}

/** Rows per counting step: small enough that one step takes milliseconds on any disk. */
const CHUNK = 50_000;

interface TableListRow {
  name: string;
  type: TableInfo['type'];
  ncol: number;
  wr: number;
}

/**
 * Lists tables with row counts bounded in time. A count is one SQLite step that JS cannot
 * interrupt, so big tables are counted CHUNK rows at a time along the rowid, each its own short read;
 * once the budget is spent a table gets one step and reports "at least N". Views are not counted
 * (a view can be arbitrarily expensive).
 */
export async function dbTables(target: DbTarget, opts: TablesOptions = {}): Promise<TableInfo[]> {
  throwIfAborted(opts.signal, 'db tables');
  const deadline = Date.now() + (opts.countBudgetMs ?? 2000);
  const db = openSqlite(target.file, { readonly: true, timeoutMs: target.busyTimeoutMs, subject: target.subject });
  try {
    const list = db
      .prepare("SELECT name, type, ncol, wr FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .all() as TableListRow[];
    const out: TableInfo[] = [];
    for (const t of list) {
      const info: TableInfo = { name: t.name, type: t.type, columns: t.ncol, without_rowid: t.wr === 1, rows: null, rows_exact: false };
      if (t.type !== 'view') {
        const { rows, exact } = await countRows(db, t, deadline, opts.signal);
        info.rows = rows;
        info.rows_exact = exact;
      }
      out.push(info);
    }
    return out;
  } catch (err) {
    throw toFoxError(err, target.subject);
  } finally {
    db.close();
  }
}

async function countRows(db: SqliteDb, t: TableListRow, deadline: number, signal: AbortSignal | undefined): Promise<{ rows: number; exact: boolean }> {
  const q = quoteIdent(t.name);
  const rowidName = t.type === 'table' && t.wr === 0 ? rowidAlias(db, t.name) : null;
  if (rowidName === null) {
    // No usable rowid (WITHOUT ROWID, virtual): one step over at most CHUNK (or more while time remains) rows.
    const cap = Date.now() < deadline ? CHUNK * 20 : CHUNK;
    const n = (db.prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM ${q} LIMIT ${cap + 1})`).get() as { n: number }).n;
    return n > cap ? { rows: cap, exact: false } : { rows: n, exact: true };
  }
  // Each step skips CHUNK rows along the rowid b-tree with OFFSET (no row is decoded, so it runs
  // at count(*) speed) and lands on the rowid after which the next step starts: a found row
  // proves exactly CHUNK more rows. The last, partial stretch is counted directly.
  const probe = db.prepare(`SELECT ${rowidName} AS r FROM ${q} WHERE ${rowidName} > ? ORDER BY ${rowidName} LIMIT 1 OFFSET ${CHUNK - 1}`).safeIntegers(true);
  const firstProbe = db.prepare(`SELECT ${rowidName} AS r FROM ${q} ORDER BY ${rowidName} LIMIT 1 OFFSET ${CHUNK - 1}`).safeIntegers(true);
  const rest = db.prepare(`SELECT count(*) AS n FROM ${q} WHERE ${rowidName} > ?`).safeIntegers(true);
  const all = db.prepare(`SELECT count(*) AS n FROM ${q}`).safeIntegers(true);
  let total = 0;
  let after: bigint | null = null;
  for (;;) {
    const hit = (after === null ? firstProbe.get() : probe.get(after)) as { r: bigint } | undefined;
    if (!hit) {
      const tail = (after === null ? all.get() : rest.get(after)) as { n: bigint };
      return { rows: total + Number(tail.n), exact: true };
    }
    total += CHUNK;
    after = hit.r;
    if (Date.now() >= deadline) return { rows: total, exact: false };
    throwIfAborted(signal, 'db tables');
    await nextTick();
  }
}

/** A name that reaches the rowid of a table (columns may shadow `rowid`), or null. */
function rowidAlias(db: SqliteDb, table: string): string | null {
  const cols = new Set((db.prepare('SELECT name FROM pragma_table_info(?)').all(table) as { name: string }[]).map((c) => c.name.toLowerCase()));
  return ['rowid', '_rowid_', 'oid'].find((n) => !cols.has(n)) ?? null;
}
