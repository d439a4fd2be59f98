// How a restore treats databases: each one is checked in its temp file before anything live
// changes, a live store that another process has open is refused (or, when the user insists,
// written through SQLite so that process goes on with the restored data), and an existing
// database is replaced through SQLite's own locking instead of a rename under its users.
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { bindingOption } from '../db/sqlite-binding.js';
import { describeHolders, otherLockHolders } from '../db/lock-holders.js';
import { assertSqliteFile, sqliteError } from '../db/sqlite.js';
import { FoxError, isFoxError } from '../errors.js';

/** The SQLite side files of a database. */
const SIDE_FILES = ['-wal', '-shm', '-journal'];

/** Removes the -wal/-shm/-journal that a connection to a private temp file may have left. */
export function removeSideFiles(file: string): void {
  for (const s of SIDE_FILES) fs.rmSync(`${file}${s}`, { force: true });
}

/**
 * Checks a database extracted to its temp file: a SQLite header (assertSqliteFile) and
 * `PRAGMA quick_check`. The temp is ours alone, so it is also switched to rollback-journal mode,
 * leaving one self-contained file (a Go archive holds raw copies of WAL databases). Throws
 * CORRUPT naming `label` (the entry path) and what SQLite said.
 */
export function checkRestoredDatabase(tmp: string, label: string): void {
  prepareRestoredDatabase(tmp, label);
  let db: Database.Database | undefined;
  let problem: string | undefined;
  try {
    db = new Database(tmp, { fileMustExist: true, timeout: 5000, ...bindingOption() });
    const rows = db.prepare('PRAGMA quick_check(20)').all() as { quick_check: string }[];
    const text = rows.map((r) => r.quick_check).join('; ');
    if (text !== 'ok') problem = `PRAGMA quick_check: ${text}`;
  } catch (err) {
    problem = (err as Error).message;
  } finally {
    db?.close();
    removeSideFiles(tmp);
  }
  if (problem !== undefined) throw restoredDatabaseDamaged(label, problem);
}

/**
 * The first half of checkRestoredDatabase, on the caller's thread: the header check and the switch
 * to rollback-journal mode (a write of a few bytes). The quick_check may then run elsewhere (a
 * worker thread) on the self-contained file; restoredDatabaseDamaged words what it finds.
 */
export function prepareRestoredDatabase(tmp: string, label: string): void {
  try {
    if (!assertSqliteFile(tmp, label)) throw new FoxError('NOT_FOUND', `${label}: its extracted copy vanished`, { subject: label });
  } catch (err) {
    if (isFoxError(err, 'CORRUPT')) throw new FoxError('CORRUPT', `${err.message.replace(tmp, `${label} in the backup`)}; nothing was restored`, { subject: label, cause: err });
    throw err;
  }
  let db: Database.Database | undefined;
  let problem: string | undefined;
  try {
    db = new Database(tmp, { fileMustExist: true, timeout: 5000, ...bindingOption() });
    db.pragma('journal_mode = DELETE');
  } catch (err) {
    problem = (err as Error).message;
  } finally {
    db?.close();
    removeSideFiles(tmp);
  }
  if (problem !== undefined) throw restoredDatabaseDamaged(label, problem);
}

/** The error of a restored database that failed its check (`problem`: what SQLite said). */
export function restoredDatabaseDamaged(label: string, problem: string): FoxError {
  return new FoxError('CORRUPT', `${label} in the backup is damaged (${problem}); nothing was restored`, { subject: label });
}

/**
 * Who else has the live database `file` open: the processes holding a lock on it or its -shm
 * (otherLockHolders: Linux, without touching the file), or where that cannot be read, whether
 * SQLite can get an exclusive lock (a connection in WAL mode holds a shared lock for as long as it
 * is open after its first read; close this process's own connections first, SQLite counts the
 * locks of one process together). A connection in rollback-journal mode between transactions
 * holds nothing and cannot be seen: it reads the restored data at its next transaction. Returns
 * a description ("sqlite3 (pid 4711)") or null when nobody else has it open. `procLocks: false`
 * takes the portable path (as on macOS).
 */
export function inUseBy(file: string, subject: string, opts: { procLocks?: boolean } = {}): string | null {
  const holders = opts.procLocks === false ? null : otherLockHolders(file);
  if (holders !== null) return holders.length > 0 ? describeHolders(holders) : null;
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { fileMustExist: true, timeout: 0, ...bindingOption() });
    db.pragma('locking_mode = EXCLUSIVE');
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
    return null;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) return 'another process';
    // A live file SQLite cannot read is nobody's database: the caller replaces it by rename.
    if (code === 'SQLITE_NOTADB' || (typeof code === 'string' && code.startsWith('SQLITE_CORRUPT'))) return null;
    throw sqliteError(err, subject);
  } finally {
    db?.close();
  }
}

/** How long an install waits for another process's write transaction to end. */
const BUSY_WAIT_MS = 10_000;

/**
 * Writes the checked database `tmp` over the live database `dest` with SQLite's backup API:
 * one write transaction on `dest`, under its locks, so every connection to it (ours, the Go
 * foxctl's, sqlite3's) sees either the old or the restored database, and a writer that still has
 * it open goes on writing into the restored one instead of into an unlinked file. Returns false
 * when `dest` cannot take it that way (not a SQLite file any more, or a WAL database with another
 * page size): the caller then replaces it by rename, which is safe only when nobody uses it.
 */
export async function writeThroughSqlite(tmp: string, dest: string, subject: string, signal?: AbortSignal): Promise<boolean> {
  const src = new Database(tmp, { readonly: true, fileMustExist: true, ...bindingOption() });
  const started = Date.now();
  try {
    for (;;) {
      if (signal?.aborted) throw new FoxError('CANCELED', 'backup restore was canceled before this database was replaced', { subject });
      // One step copies every page in one write transaction on dest. better-sqlite3 reports a
      // first step that met SQLITE_BUSY as done with 0 pages: then nothing was written; retry.
      const r = await src.backup(dest, { progress: () => 0x7fffffff });
      if (r.totalPages > 0 && r.remainingPages === 0) break;
      if (Date.now() - started > BUSY_WAIT_MS) {
        throw new FoxError('UNAVAILABLE', `${subject} is locked by another process: its write did not end within ${BUSY_WAIT_MS / 1000} s; it was not replaced`, { subject });
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } catch (err) {
    if (err instanceof FoxError) throw err;
    const code = (err as { code?: unknown }).code;
    // SQLITE_READONLY: a WAL destination with a different page size; NOTADB/CORRUPT: a damaged live file.
    if (code === 'SQLITE_READONLY' || code === 'SQLITE_NOTADB' || (typeof code === 'string' && code.startsWith('SQLITE_CORRUPT'))) return false;
    throw sqliteError(err, subject);
  } finally {
    src.close();
    removeSideFiles(tmp);
  }
  checkpoint(dest);
  return true;
}

/** Makes the restored pages durable in the database file where no reader holds the old ones. */
function checkpoint(dest: string): void {
  let db: Database.Database | undefined;
  try {
    db = new Database(dest, { fileMustExist: true, timeout: 2000, ...bindingOption() });
    db.pragma('wal_checkpoint(TRUNCATE)');
  } catch {
    // Best effort: the WAL holds the restored pages and SQLite checkpoints them later.
  } finally {
    db?.close();
  }
}
