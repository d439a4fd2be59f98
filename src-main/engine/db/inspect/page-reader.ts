import type { Statement } from 'better-sqlite3';
import { FoxError, throwIfAborted, toFoxError } from '../../errors.js';
import { formatDuration } from '../../util/duration.js';
import { Mutex } from '../drivers/mutex.js';
import type { QueryCell, QueryResult } from '../query/run-query.js';
import { openSqlite, quoteIdent, type SqliteDb } from '../sqlite.js';
import { closeWithoutCheckpoint, registerHolder, shmIdentity } from '../sqlite-holders.js';
import { toQueryCell } from './store-inspection.js';
import type { DbTarget } from './target.js';

/**
 * The deepest OFFSET a page is read at in one statement on this thread. Skipping rows is a walk
 * over the table's leaf pages: up to 100,000 rows that is a few milliseconds. Deeper pages are
 * walked by rowid in chunks (walk()) or go to a query child (which a time limit or Cancel can
 * kill), so that the studio's main process never waits on a long walk.
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
  /** The statements of deep walks by table, or null for a table without a real rowid to walk by. */
  walks: Map<string, Walk | null>;
  /** Deep walks hold a read transaction on the connection: one at a time. */
  walking: Mutex;
}

/** The statements of a deep page walked by rowid. */
interface Walk {
  /** The rowid `?` rows in (LIMIT 1 OFFSET ?). */
  first: Statement;
  /** The rowid `?` rows past rowid `?`. */
  next: Statement;
  /** The page: `?` rows past rowid `?`, after skipping `?`. */
  page: Statement;
}

/** Rows a deep walk skips between two turns of the event loop (a few ms of work). */
const WALK_CHUNK = 50_000;

/** Whether a row has a whole number too large for a double to hold exactly (an INTEGER past 2^53, or such a REAL). */
function hasUnsafeInteger(row: unknown[]): boolean {
  for (const v of row) if (typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v)) return true;
  return false;
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
      // Integers as numbers first (a BigInt per cell is what made pages slower than a bare read);
      // a page with an integral number beyond 2^53 is read again exactly, with integers as BigInts.
      rows = stmt.safeIntegers(false).all(limit, offset) as unknown[][];
      if (rows.some(hasUnsafeInteger)) rows = stmt.safeIntegers(true).all(limit, offset) as unknown[][];
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

  /**
   * A page deeper than IN_PROCESS_MAX_OFFSET of a table with a real rowid, walked here without
   * holding the thread: the rowid WALK_CHUNK rows ahead is found one chunk per turn of the event
   * loop (the same walk a bare OFFSET makes, cut into pieces of a few ms), all in one read
   * transaction, so the page is the one a single OFFSET query would return. The signal and the
   * time limit stop it between chunks. Null when the table has no rowid to walk by (WITHOUT
   * ROWID, a view, a column named rowid): the caller uses a query child.
   */
  async walk(t: DbTarget, table: string, limit: number, offset: number, id: string, opts: { signal: AbortSignal; timeoutMs: number }): Promise<QueryResult | null> {
    // Less than a chunk deep is an ordinary page.
    if (offset <= WALK_CHUNK) return this.page(t, table, limit, offset, id);
    const started = Date.now();
    const e = this.entry(t, id);
    let w = e.walks.get(table);
    if (w === undefined) {
      try {
        w = this.prepareWalk(e, t, table);
      } catch (err) {
        throw err instanceof FoxError ? err : toFoxError(err, t.subject);
      }
      e.walks.set(table, w);
    }
    if (w === null) return null;
    const walk = w;
    return e.walking.run(async () => {
      const deadline = opts.timeoutMs > 0 ? started + opts.timeoutMs : Infinity;
      let rows: unknown[][];
      let columns: string[];
      try {
        e.db.exec('BEGIN');
        try {
          let left = offset;
          let after: bigint | null = null;
          while (left > WALK_CHUNK) {
            const r = (after === null ? walk.first.get(WALK_CHUNK - 1) : walk.next.get(after, WALK_CHUNK - 1)) as bigint | undefined;
            if (r === undefined) return { columns: walk.page.columns().map((c) => c.name), rows: [], truncated: false, duration_ms: Date.now() - started };
            after = r;
            left -= WALK_CHUNK;
            e.timer.refresh();
            await new Promise<void>((resolve) => setImmediate(resolve));
            throwIfAborted(opts.signal, 'browse');
            if (Date.now() > deadline) {
              throw new FoxError('CANCELED', `${t.subject}: query interrupted: it ran longer than its ${formatDuration(opts.timeoutMs)} time limit (raise it with --timeout)`, { subject: t.subject });
            }
          }
          // offset > WALK_CHUNK: the loop ran at least once, so "after" is a rowid.
          rows = walk.page.all(after, limit, left) as unknown[][];
          columns = walk.page.columns().map((c) => c.name);
        } finally {
          // Closed under the walk (an I/O error elsewhere released it): its transaction went with it.
          if (e.db.open) e.db.exec('COMMIT');
        }
      } catch (err) {
        e.walks.delete(table);
        throw err instanceof FoxError ? err : toFoxError(err, t.subject);
      }
      for (const r of rows) for (let i = 0; i < r.length; i++) r[i] = toQueryCell(r[i]);
      return { columns, rows: rows as QueryCell[][], truncated: false, duration_ms: Date.now() - started };
    });
  }

  private prepareWalk(e: Entry, t: DbTarget, table: string): Walk | null {
    const found = e.db.prepare("SELECT type, wr FROM pragma_table_list WHERE schema = 'main' AND name = ?").get(table) as { type: string; wr: number } | undefined;
    if (!found) throw new FoxError('NOT_FOUND', `${t.subject} has no table or view named "${table}"`, { subject: t.subject });
    if (found.type !== 'table' || found.wr !== 0) return null;
    // A column named rowid, _rowid_ or oid hides the real one: such a table is paged by OFFSET alone.
    const shadow = e.db.prepare("SELECT 1 FROM pragma_table_xinfo(?) WHERE lower(name) IN ('rowid', '_rowid_', 'oid')").get(table);
    if (shadow) return null;
    const q = quoteIdent(table);
    const ready = (sql: string, raw: boolean): Statement => {
      const stmt = e.db.prepare(sql);
      if (!stmt.readonly || !stmt.reader) throw new FoxError('INVALID_INPUT', `${t.subject}: "${table}" cannot be paged as a read-only query`, { subject: t.subject });
      stmt.safeIntegers(true);
      return raw ? stmt.raw(true) : stmt.pluck(true);
    };
    return {
      first: ready(`SELECT rowid FROM ${q} ORDER BY rowid LIMIT 1 OFFSET ?`, false),
      next: ready(`SELECT rowid FROM ${q} WHERE rowid > ? ORDER BY rowid LIMIT 1 OFFSET ?`, false),
      page: ready(`SELECT * FROM ${q} WHERE rowid > ? ORDER BY rowid LIMIT ? OFFSET ?`, true),
    };
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
    const e: Entry = { db, id, shm: shmIdentity(file), unregister, timer, pages: new Map(), walks: new Map(), walking: new Mutex() };
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
    e.walks.clear();
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
