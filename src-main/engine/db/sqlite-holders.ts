// Long-lived connections of this process and how to let go of one safely when SQLite reports
// an I/O error. The usual cause on a shared home: this process lost its POSIX locks on a
// database (some code closed a descriptor of the file), another process then took the file for
// its own, checkpointed and deleted the -wal and -shm; our connection still writes into the
// deleted files, and any new connection of ours to the same file fails with "disk I/O error".
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { FoxError } from '../errors.js';
import { bindingOption } from './sqlite-binding.js';

/** A long-lived connection of this process, as the registry sees it. */
export interface Holder {
  /** Closes the connection (safely: closeWithoutCheckpoint); its owner reopens on next use. */
  release(): void;
  /** Whether it has lost its -shm to another process (see shmIdentity). */
  detached(): boolean;
}

const holders = new Map<string, Set<Holder>>();

/** Records that this process holds `file` open for long. Returns the unregister function. */
export function registerHolder(file: string, holder: Holder): () => void {
  let set = holders.get(file);
  if (!set) holders.set(file, (set = new Set()));
  set.add(holder);
  return () => {
    set.delete(holder);
    if (set.size === 0 && holders.get(file) === set) holders.delete(file);
  };
}

/**
 * The file held open for long by a connection of this process that is the same file as `file`
 * (same device and inode, whatever path names it), or null. Found with stat() only, which opens no
 * descriptor: code that reads a file with plain calls checks this first, since closing its
 * descriptor would drop the locks of that connection.
 */
export function heldByThisProcess(file: string): string | null {
  let id: string;
  try {
    const st = fs.statSync(file);
    id = `${st.dev}:${st.ino}`;
  } catch {
    return null;
  }
  for (const held of holders.keys()) {
    try {
      const st = fs.statSync(held);
      if (`${st.dev}:${st.ino}` === id) return held;
    } catch {
      // Gone: not the file.
    }
  }
  return null;
}

/** Closes every long-lived connection of this process to `file` (each reopens on its next use); how many there were. */
export function releaseHolders(file: string): number {
  const all = [...(holders.get(file) ?? [])];
  for (const h of all) h.release();
  return all.length;
}

/**
 * Closes the long-lived connections to `file` that lost their -shm, before a new connection of
 * ours opens it: SQLite shares one -shm mapping between the connections of a process, so a new
 * connection would read the deleted one (stale pages, or "disk I/O error").
 */
export function settleHolders(file: string): number {
  const broken = [...(holders.get(file) ?? [])].filter((h) => h.detached());
  for (const h of broken) h.release();
  return broken.length;
}

/**
 * The identity (device:inode) of a WAL database's -shm file, or null when there is none. While
 * a connection of ours is open in WAL mode, nobody can delete the -shm (it takes an exclusive
 * lock that our connection's shared lock prevents): a different identity, or none, means this
 * process lost its locks and another process took the file over.
 */
export function shmIdentity(file: string): string | null {
  // No exception for the usual "none" (a rollback-journal database): one per page cost more than the stat.
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(`${file}-shm`, { throwIfNoEntry: false });
  } catch {
    return null;
  }
  return st ? `${st.dev}:${st.ino}` : null;
}

/**
 * Whether an error is, or was caused by, one of SQLite's I/O errors (SQLITE_IOERR and its
 * extended codes) that a fresh connection may not meet. SQLITE_IOERR_SHMSIZE is left out: it is
 * a full disk (the -shm cannot grow), which a reopen cannot cure and would only make worse.
 */
export function isSqliteIoError(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === 'SQLITE_IOERR_SHMSIZE') return false;
    if (typeof code === 'string' && (code === 'SQLITE_IOERR' || code.startsWith('SQLITE_IOERR_'))) return true;
  }
  return false;
}

/** The error after a retry that failed again: it names the first failure and says a reopen was tried. */
function retriedError(subject: string, first: unknown, again: unknown): FoxError {
  return new FoxError('IO', `${subject}: ${(again as Error).message} (the connection was reopened once after "${(first as Error).message}" and failed again)`, { subject, cause: again });
}

/**
 * Runs `fn` on a long-lived connection; after a SQLite I/O error, `reopen` replaces the
 * connection (closed without a checkpoint) and `fn` runs once more. `fn` must be safe to run
 * twice: a transaction that failed with an I/O error did not commit.
 */
export function onceMoreAfterIoError<T>(fn: () => T, reopen: (() => void) | undefined, subject: string): T {
  try {
    return fn();
  } catch (err) {
    if (!reopen || !isSqliteIoError(err)) throw err;
    reopen();
    try {
      return fn();
    } catch (again) {
      throw isSqliteIoError(again) ? retriedError(subject, err, again) : again;
    }
  }
}

/** onceMoreAfterIoError for work that awaits. */
export async function onceMoreAfterIoErrorAsync<T>(fn: () => Promise<T>, reopen: (() => void) | undefined, subject: string): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!reopen || !isSqliteIoError(err)) throw err;
    reopen();
    try {
      return await fn();
    } catch (again) {
      throw isSqliteIoError(again) ? retriedError(subject, err, again) : again;
    }
  }
}

/**
 * Closes a connection without letting it checkpoint. A connection that lost its -wal to another
 * process would, as the last user, copy its deleted WAL over pages the other process has
 * written since: a read transaction held by a second connection of this process makes that
 * close skip the checkpoint (SQLite needs an exclusive lock for it, and counts the locks of one
 * process together). What the cut-off connection committed after it lost its locks was never
 * visible to anyone else and is dropped; everything other processes committed stays.
 */
export function closeWithoutCheckpoint(db: Database.Database, file: string): void {
  let guard: Database.Database | undefined;
  try {
    guard = new Database(file, { readonly: true, fileMustExist: true, timeout: 1000, ...bindingOption() });
    guard.exec('BEGIN');
    guard.prepare('SELECT count(*) FROM sqlite_schema').get();
  } catch {
    // Without a guard the close below may checkpoint, as any close does.
  }
  try {
    db.close();
  } finally {
    try {
      guard?.close();
    } catch {
      // Nothing to keep.
    }
  }
}
