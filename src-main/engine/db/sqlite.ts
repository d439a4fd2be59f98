import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { FoxError, toFoxError } from '../errors.js';

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

const HEADER = Buffer.from('SQLite format 3\0', 'latin1');

let nativeBinding: string | undefined;

/**
 * Sets the better-sqlite3 native addon to load (the Electron-ABI build when running inside
 * Electron). The Node build is used when unset.
 */
export function setSqliteNativeBinding(file: string | undefined): void {
  nativeBinding = file;
}

/** The native addon set with setSqliteNativeBinding (undefined: the Node build); child processes load the same. */
export function sqliteNativeBinding(): string | undefined {
  return nativeBinding;
}

/** Options of assertSqliteFile. */
export interface AssertSqliteOptions {
  /** Accept a 0-byte file (SQLite's own rule: an empty database). Writable opens need it: a
   * process that creates a database leaves it at 0 bytes until its first write. */
  allowEmpty?: boolean;
}

/** Blocks the thread for `ms` (only on the rare path where a file looks damaged). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const RECHECKS = 4;
const RECHECK_MS = 25;

/**
 * Checks that an existing file is a SQLite database before SQLite touches it, so that a file
 * that is not (empty, random bytes, a PNG, a truncated copy) gets a clear error and stays as it is.
 * Returns false when the file does not exist. A file that looks empty or truncated is looked at
 * again a few times first: another process may be creating it or checkpointing into it (a
 * checkpoint writes page 1, with the new size, before it extends the file).
 */
export function assertSqliteFile(file: string, subject = file, opts: AssertSqliteOptions = {}): boolean {
  for (let attempt = 0; ; attempt++) {
    const verdict = readHeader(file, subject, opts);
    if (typeof verdict === 'boolean') return verdict;
    if (attempt >= RECHECKS) throw verdict;
    pause(RECHECK_MS);
  }
}

/** One look at the file: true/false, a thrown error for a foreign file, or a returned error worth a second look. */
function readHeader(file: string, subject: string, opts: AssertSqliteOptions): boolean | FoxError {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw toFoxError(err, subject);
  }
  try {
    // Look for a -wal before reading the header: a checkpoint that ends (and deletes it) after our
    // header read would otherwise pair a new header with a file not yet extended.
    const walExists = fs.existsSync(`${file}-wal`);
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) throw new FoxError('INVALID_INPUT', `${file} is a directory, not a SQLite database`, { subject });
    if (st.size === 0) return opts.allowEmpty ? true : new FoxError('CORRUPT', `${file} is empty, not a SQLite database`, { subject });
    const head = Buffer.alloc(100);
    const n = fs.readSync(fd, head, 0, 100, 0);
    if (n < 100 || !head.subarray(0, 16).equals(HEADER)) {
      throw new FoxError('CORRUPT', `${file} is not a SQLite database (its header is not "SQLite format 3")`, { subject });
    }
    const rawPageSize = head.readUInt16BE(16);
    const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
    const pageCount = head.readUInt32BE(28);
    const changeCounter = head.readUInt32BE(24);
    const validFor = head.readUInt32BE(92);
    // The in-header size is trustworthy only when it was written with the current change counter,
    // and in WAL mode pages may still live in the -wal file: check only without one.
    if (!walExists && validFor === changeCounter && pageCount > 0 && st.size < pageCount * pageSize) {
      return new FoxError('CORRUPT', `${file} is a truncated SQLite database (${st.size} bytes, its header says ${pageCount * pageSize})`, { subject });
    }
    return true;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Opens a SQLite file with the store settings of FORMATS.md: WAL, a 5000 ms busy timeout and
 * foreign keys on. Errors name the file; a file that is not SQLite is refused untouched.
 */
export function openSqlite(file: string, opts: OpenSqliteOptions = {}): SqliteDb {
  const subject = opts.subject ?? file;
  const exists = assertSqliteFile(file, subject, { allowEmpty: !opts.readonly });
  if (opts.readonly && !exists) throw new FoxError('NOT_FOUND', `${file} does not exist`, { subject });
  if (!opts.readonly && !exists && opts.create !== false) fs.mkdirSync(path.dirname(file), { recursive: true });
  let db: SqliteDb;
  try {
    db = new Database(file, {
      readonly: opts.readonly ?? false,
      fileMustExist: opts.readonly === true || opts.create === false,
      timeout: opts.timeoutMs ?? 5000,
      ...(nativeBinding ? { nativeBinding } : {}),
    });
  } catch (err) {
    throw toFoxError(err, subject);
  }
  try {
    if (!opts.readonly && opts.wal !== false) db.pragma('journal_mode = WAL');
    if (!opts.readonly) db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // Force a read of the schema so a damaged file fails here, with its name, not later.
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
  } catch (err) {
    db.close();
    const fe = toFoxError(err, subject);
    if (fe.code === 'CORRUPT') throw new FoxError('CORRUPT', `${file} is not a usable SQLite database: ${(err as Error).message}`, { subject, cause: err });
    throw fe;
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
