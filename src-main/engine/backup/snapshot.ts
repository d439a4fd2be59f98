import { openSqlite } from '../db/sqlite.js';
import { toFoxError } from '../errors.js';

/** better-sqlite3 copies this many pages per step at most: all of a database in one step. */
const ALL_PAGES = 0x7fffffff;

/**
 * Copies a live SQLite database to `dest` through the SQLite online backup API, from a separate
 * read-only connection. All pages are copied in ONE step, i.e. inside one read transaction: the
 * copy is a consistent snapshot that includes committed pages still in the -wal, and (in WAL
 * mode) writers keep writing meanwhile. A multi-step backup would restart whenever another
 * connection writes, and under steady writers never finish.
 */
export async function snapshotSqlite(src: string, dest: string, subject: string): Promise<void> {
  // openSqlite: refuses a non-SQLite file untouched and loads the Electron build when needed.
  const db = openSqlite(src, { readonly: true, subject });
  try {
    await db.backup(dest, { progress: () => ALL_PAGES });
  } catch (err) {
    throw toFoxError(err, subject);
  } finally {
    db.close();
  }
}
