import type { Statement } from 'better-sqlite3';
import { FoxError, toFoxError } from '../../errors.js';
import type { QueryCell, QueryResult } from '../query/run-query.js';
import { openSqlite, quoteIdent, type SqliteDb } from '../sqlite.js';
import { closeWithoutCheckpoint, registerHolder, shmIdentity } from '../sqlite-holders.js';
import { toQueryCell } from './store-inspection.js';
import type { DbTarget } from './target.js';

/**
 * The deepest OFFSET a page is read at on this thread. Skipping rows is a walk over the table's
 * leaf pages: up to 100,000 rows that is a few milliseconds, deeper pages go to a query child
 * (which a time limit or Cancel can kill) so that the studio's main process never waits on a
 * long walk.
 */
export const IN_PROCESS_MAX_OFFSET = 100_000;
/** The largest page read on this thread (the table browser asks for 100). */
export const IN_PROCESS_MAX_LIMIT = 1000;
/** A connection nobody paged through for this long is closed. */
const IDLE_MS = 5000;

interface Entry {
  db: SqliteDb;
  /** device:inode of the file when opened: a file replaced since (a restore) gets a new connection. */
  id: string;
  shm: string | null;
  unregister: () => void;
  timer: NodeJS.Timeout;
  /** The page statement of each table, prepared once. */
  pages: Map<string, Statement>;
}

/** Whether a page is bounded enough to read on this thread. */
export function pageFitsInProcess(limit: number, offset: number): boolean {
  return limit <= IN_PROCESS_MAX_LIMIT && offset <= IN_PROCESS_MAX_OFFSET;
}

/**
 * Pages of the table browser read on this thread, on a cached read-only connection per file
 * (`readonly` open plus `query_only`: SQLite refuses every write). A page costs a stat and one
 * prepared statement, no process hop. The connection holds no read transaction between pages,
 * so writers and checkpoints are never blocked; it is registered as a holder (closed when an I/O
 * error asks for it), closed after IDLE_MS without pages, and replaced when the file's inode or
 * its -shm changed (a restore, another process that took the file over).
 */
export class PageReader {
  private readonly open = new Map<string, Entry>();
  private closed = false;

  /** One page of `table` in rowid order where it has one; `id` is the file's device:inode from a stat just made. */
  page(t: DbTarget, table: string, limit: number, offset: number, id: string): QueryResult {
    const started = Date.now();
    const e = this.entry(t, id);
    const cached = e.pages.get(table);
    let stmt = cached;
    let rows: unknown[][];
    try {
      stmt ??= this.prepare(e, t, table);
      rows = stmt.all(limit, offset) as unknown[][];
    } catch (err) {
      e.pages.delete(table);
      if (err instanceof FoxError) throw err;
      // The table may have been dropped or changed since its statement was prepared: look again once.
      if (cached && /no such table|schema/i.test(String((err as Error).message))) return this.page(t, table, limit, offset, id);
      this.drop(t.file);
      throw toFoxError(err, t.subject);
    }
    // In place: the raw rows are ours, and a page allocates half as much (fewer collections mid-browse).
    for (const r of rows) for (let i = 0; i < r.length; i++) r[i] = toQueryCell(r[i]);
    return { columns: stmt.columns().map((c) => c.name), rows: rows as QueryCell[][], truncated: false, duration_ms: Date.now() - started };
  }

  private prepare(e: Entry, t: DbTarget, table: string): Statement {
    const found = e.db.prepare("SELECT type, wr FROM pragma_table_list WHERE schema = 'main' AND name = ?").get(table) as { type: string; wr: number } | undefined;
    if (!found) throw new FoxError('NOT_FOUND', `${t.subject} has no table or view named "${table}"`, { subject: t.subject });
    const order = found.type === 'table' && found.wr === 0 ? ' ORDER BY rowid' : '';
    const stmt = e.db.prepare(`SELECT * FROM ${quoteIdent(table)}${order} LIMIT ? OFFSET ?`);
    if (!stmt.readonly || !stmt.reader) throw new FoxError('INVALID_INPUT', `${t.subject}: "${table}" cannot be paged as a read-only query`, { subject: t.subject });
    stmt.raw(true);
    stmt.safeIntegers(true);
    e.pages.set(table, stmt);
    return stmt;
  }

  private entry(t: DbTarget, id: string): Entry {
    if (this.closed) throw new FoxError('CANCELED', 'the engine is closing');
    const cached = this.open.get(t.file);
    if (cached && cached.id === id && (cached.shm === null || shmIdentity(t.file) === cached.shm)) {
      cached.timer.refresh();
      return cached;
    }
    if (cached) this.drop(t.file);
    const db = openSqlite(t.file, { readonly: true, timeoutMs: t.busyTimeoutMs, subject: t.subject });
    try {
      db.pragma('query_only = ON');
    } catch (err) {
      db.close();
      throw toFoxError(err, t.subject);
    }
    const file = t.file;
    const timer = setTimeout(() => this.drop(file), IDLE_MS);
    timer.unref();
    const unregister = registerHolder(file, { release: () => this.drop(file), detached: () => this.detached(file) });
    const e: Entry = { db, id, shm: shmIdentity(file), unregister, timer, pages: new Map() };
    this.open.set(file, e);
    return e;
  }

  private detached(file: string): boolean {
    const e = this.open.get(file);
    return e !== undefined && e.shm !== null && shmIdentity(file) !== e.shm;
  }

  private drop(file: string): void {
    const e = this.open.get(file);
    if (!e) return;
    this.open.delete(file);
    clearTimeout(e.timer);
    e.unregister();
    e.pages.clear();
    try {
      // A read-only connection never checkpoints; without a checkpoint either way is safe.
      closeWithoutCheckpoint(e.db, file);
    } catch {
      // Closing is best effort: the connection held no transaction.
    }
  }

  /** Closes every connection (engine shutdown). */
  close(): void {
    this.closed = true;
    for (const file of [...this.open.keys()]) this.drop(file);
  }
}
