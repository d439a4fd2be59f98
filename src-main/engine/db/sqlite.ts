import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { FoxError, toFoxError } from '../errors.js';
import { bindingOption } from './sqlite-binding.js';
import { isSqliteIoError, releaseHolders, settleHolders } from './sqlite-holders.js';
import { ensureDirSync } from '../util/ensure-dir.js';

/** A better-sqlite3 connection. */
export type SqliteDb = Database.Database;

/** How to open a SQLite file. */
export interface OpenSqliteOptions {
  /** Open read-only: never creates, never changes the journal mode, never blocks a writer in WAL. */
  readonly?: boolean;
  /** WAL journal mode for writable opens (default true). */
  wal?: boolean;
  /** Busy timeout in ms (default 5000). */
  timeoutMs?: number;
  /** Create parent directories when the file does not exist (writable opens only; default true). */
  create?: boolean;
  /** Human name for errors, e.g. "store MEMORY" (default: the path). */
  subject?: string;
}

export { setSqliteNativeBinding, sqliteNativeBinding } from './sqlite-binding.js';

/** Options of assertSqliteFile. */
export interface AssertSqliteOptions {
  /** Accept a 0-byte file (SQLite's own rule: an empty database). Writable opens need it: a
   * process that creates a database leaves it at 0 bytes until its first write. */
  allowEmpty?: boolean;
}

/** Blocks the thread for `ms` (only on the rare path where a file looks empty). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const RECHECKS = 4;
const RECHECK_MS = 25;

/**
 * Checks that an existing file is a SQLite database before a connection that could change it is
 * opened, so a file that is not (empty, random bytes, a PNG, a truncated copy) gets a clear
 * error and stays as it is. Returns false when the file does not exist.
 *
 * The file is never opened with plain file calls: closing any descriptor of a file drops every
 * POSIX lock this process holds on it, and a process of ours may hold a SQLite connection to it
 * (the studio's syncer, jobs.db, the sqlite CAS). Another process then believes it is the last
 * user, checkpoints and deletes the -wal, and our next commits go into an unlinked file. So the
 * header is read by SQLite itself, through a short-lived read-only connection: SQLite shares
 * its locks between the connections of one process and defers closing a descriptor while any of
 * them holds a lock. SQLite refuses a foreign header (NOTADB) and a file shorter than its header
 * says (CORRUPT) without writing to it.
 */
export function assertSqliteFile(file: string, subject = file, opts: AssertSqliteOptions = {}): boolean {
  for (let attempt = 0; ; attempt++) {
    let st: fs.Stats;
    try {
      // stat() opens no descriptor, so it cannot drop a lock.
      st = fs.statSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw toFoxError(err, subject);
    }
    if (st.isDirectory()) throw new FoxError('INVALID_INPUT', `${file} is a directory, not a SQLite database`, { subject });
    if (!st.isFile()) throw new FoxError('INVALID_INPUT', `${file} is not a regular file, so not a SQLite database`, { subject });
    if (st.size > 0) return probeThroughSqlite(file, subject);
    if (opts.allowEmpty) return true;
    // Another process may be creating it: a new database stays at 0 bytes until its first write.
    if (attempt >= RECHECKS) throw new FoxError('CORRUPT', `${file} is empty, not a SQLite database`, { subject });
    pause(RECHECK_MS);
  }
}

/** Reads the header and schema of a non-empty file through a read-only SQLite connection. */
function probeThroughSqlite(file: string, subject: string): boolean {
  return retryAfterIoError(file, subject, () => {
    // A short wait: this runs on the caller's thread (the studio's event loop). A file another
    // process holds locked is in use by SQLite, so it passes; the connection that follows waits
    // out the store's own busy timeout (a snapshot does so on its worker thread).
    const db = new Database(file, { readonly: true, fileMustExist: true, timeout: PROBE_BUSY_MS, ...bindingOption() });
    try {
      db.prepare('SELECT count(*) FROM sqlite_schema').get();
      return true;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) return true;
      throw err;
    } finally {
      db.close();
    }
  }, (err) => probeError(err, file, subject));
}

/** How long the header probe waits for another process's lock before it lets the file pass. */
const PROBE_BUSY_MS = 100;

/** The error of a failed probe: a foreign or damaged file, a vanished one (false), or another SQLite error. */
function probeError(err: unknown, file: string, subject: string): false {
  const code = (err as { code?: unknown }).code;
  if (code === 'SQLITE_NOTADB') {
    throw new FoxError('CORRUPT', `${file} is not a SQLite database (its header is not "SQLite format 3")`, { subject, cause: err });
  }
  if (typeof code === 'string' && code.startsWith('SQLITE_CORRUPT')) {
    throw new FoxError('CORRUPT', `${file} is a truncated or damaged SQLite database (SQLite: ${(err as Error).message})`, { subject, cause: err });
  }
  if (code === 'SQLITE_CANTOPEN' && !fs.existsSync(file)) return false;
  throw sqliteError(err, subject);
}

/**
 * Runs `open` (a fresh connection to `file`); after an I/O error, closes this process's
 * long-lived connections to the file (they may have lost their locks and their -wal: then any
 * new connection of ours fails) and runs it once more. `fail` turns the final error into the
 * thrown one (or a value); a second I/O error says that the retry was made.
 */
export function retryAfterIoError<T>(file: string, subject: string, open: () => T, fail: (err: unknown) => T): T {
  settleHolders(file);
  try {
    return open();
  } catch (err) {
    if (!isSqliteIoError(err) || releaseHolders(file) === 0) return fail(err);
    try {
      return open();
    } catch (again) {
      if (!isSqliteIoError(again)) return fail(again);
      const note = `this process's own connection to it was closed and reopened once after "${(err as Error).message}"; it failed again`;
      try {
        return fail(again);
      } catch (e) {
        if (e instanceof FoxError) throw new FoxError(e.code, `${e.message} (${note})`, { subject, cause: again });
        throw e;
      }
    }
  }
}

/**
 * A FoxError for a SQLite error on `subject` that says what the user can do: a lock held past the
 * busy timeout names the other process, a full disk says so.
 */
export function sqliteError(err: unknown, subject: string): FoxError {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_BUSY' || (typeof code === 'string' && code.startsWith('SQLITE_BUSY_'))) {
    return new FoxError('UNAVAILABLE', `${subject} is locked by another process (SQLite: ${(err as Error).message}); try again when it is done`, { subject, cause: err });
  }
  return toFoxError(err, subject);
}

/**
 * Opens a SQLite file with the store settings of FORMATS.md: WAL, a 5000 ms busy timeout and
 * foreign keys on. Errors name the file; a file that is not SQLite is refused untouched.
 */
export function openSqlite(file: string, opts: OpenSqliteOptions = {}): SqliteDb {
  const subject = opts.subject ?? file;
  const exists = assertSqliteFile(file, subject, { allowEmpty: !opts.readonly });
  if (opts.readonly && !exists) throw new FoxError('NOT_FOUND', `${file} does not exist`, { subject });
  if (!opts.readonly && !exists && opts.create !== false) ensureDirSync(path.dirname(file), subject);
  return retryAfterIoError(file, subject, () => connect(file, opts), (err) => {
    const fe = sqliteError(err, subject);
    if (fe.code === 'CORRUPT') throw new FoxError('CORRUPT', `${file} is not a usable SQLite database: ${(err as Error).message}`, { subject, cause: err });
    throw fe;
  });
}

/**
 * Sets WAL mode, waiting out another process that is doing the same on a new file. The switch
 * upgrades a read lock to a write lock, and SQLite answers SQLITE_BUSY at once, without its busy
 * handler, when two connections try that together (waiting would deadlock them): retry until the
 * busy timeout is used up. Once one of them has switched, the others' pragma only reads.
 */
function switchToWal(db: SqliteDb, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code !== 'string' || !code.startsWith('SQLITE_BUSY') || Date.now() >= deadline) throw err;
      pause(5 + Math.floor(Math.random() * 20));
    }
  }
}

/** One connection with the store settings; the schema is read at once so a damaged file fails here. */
function connect(file: string, opts: OpenSqliteOptions): SqliteDb {
  const db = new Database(file, {
    readonly: opts.readonly ?? false,
    fileMustExist: opts.readonly === true || opts.create === false,
    timeout: opts.timeoutMs ?? 5000,
    ...bindingOption(),
  });
  try {
    if (!opts.readonly && opts.wal !== false) switchToWal(db, opts.timeoutMs ?? 5000);
    if (!opts.readonly) db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** Size of a database on disk including its -wal and -shm files (0 when absent). */
export function sqliteFileSize(file: string): { bytes: number; walBytes: number; exists: boolean } {
  const size = (p: string): number => {
    try {
      return fs.statSync(p).size;
    } catch {
      return -1;
    }
  };
  const main = size(file);
  const wal = Math.max(0, size(`${file}-wal`));
  const shm = Math.max(0, size(`${file}-shm`));
  return { bytes: Math.max(0, main) + wal + shm, walBytes: wal, exists: main >= 0 };
}

/** Quotes an SQL identifier (table or column name). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
