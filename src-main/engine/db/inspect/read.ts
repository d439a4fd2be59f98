import { toFoxError } from '../../errors.js';
import { openSqlite, type SqliteDb } from '../sqlite.js';
import type { DbTarget } from './target.js';

/**
 * Runs `fn` on a short-lived read-only connection: it never creates or changes the file, never
 * blocks a writer (WAL readers don't), and is closed at once so no read transaction lingers.
 */
export function withReadOnly<T>(target: DbTarget, fn: (db: SqliteDb) => T): T {
  const db = openSqlite(target.file, { readonly: true, timeoutMs: target.busyTimeoutMs, subject: target.subject });
  try {
    return fn(db);
  } catch (err) {
    throw toFoxError(err, target.subject);
  } finally {
    db.close();
  }
}
